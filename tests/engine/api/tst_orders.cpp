// Orders and payment on the real headless binary: a payment window, paid/cancel through the admin
// API, expiry at the deadline, freed units offered to sold_out leads in decision order, and the
// units conserved at every step, also across a SIGKILL and restart in the middle of a window;
// every step's webhook reaching a real HTTP receiver on loopback, signed, once per id, also
// while the receiver fails for a while; on SQLite, and on PostgreSQL when FLASHSALE_TEST_PG_URL
// is set (skipped otherwise, failed in CI).
#include "tests/support/engineprocess.h"
#include "tests/support/purchaseledger.h"
#include "tests/support/scratchdatabase.h"
#include "tests/support/visibleskip.h"
#include "tests/support/webhookreceiver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <QTest>

namespace {

constexpr int kWindowSeconds = 3;
const QString kEvent = u"pay"_qs;

QString buyer(int i)
{
    return u"buyer-"_qs + QString::number(i);
}

} // namespace

class TestOrders : public QObject
{
    Q_OBJECT

    // The test's node and client (one per test function).
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EngineProcess> m_engine; // stopped before m_database goes
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<ScratchDatabase> m_database; // PostgreSQL runs only

    // Starts a node on SQLite in a new data dir, or on a new PostgreSQL database beside the
    // one FLASHSALE_TEST_PG_URL names.
    bool startNode(bool postgres = false)
    {
        m_engine.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        m_engine = std::make_unique<EngineProcess>(m_dir->path(), "orders-token");
        if (postgres) {
            m_database = std::make_unique<ScratchDatabase>(qEnvironmentVariable("FLASHSALE_TEST_PG_URL"), u"flashsale_orders"_qs);
            if (!m_database->isReady()) {
                qWarning("%s", qPrintable(m_database->error()));
                return false;
            }
            m_engine->extraArguments << u"--store"_qs << m_database->url();
        }
        m_client = std::make_unique<ApiClient>(m_engine->baseUrl(), "orders-token", 4);
        return m_dir->isValid() && m_engine->start(*m_client);
    }

    ApiReply createEvent(const QJsonObject &extra)
    {
        QJsonObject body{{u"id"_qs, kEvent}, {u"name"_qs, u"Pay"_qs}, {u"priceCents"_qs, 900}, {u"stock"_qs, 3},
                         {u"perUserLimit"_qs, 1}, {u"launch"_qs, true}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            body.insert(it.key(), it.value());
        return m_client->admin("POST", u"/api/v1/admin/events"_qs, body);
    }

    QJsonArray orders()
    {
        return m_client->admin("GET", u"/api/v1/admin/events/%1/orders?limit=1000"_qs.arg(kEvent)).json.value(u"items"_qs).toArray();
    }

    // The order of user (of source), or an empty object.
    QJsonObject orderOf(const QString &user, const QString &source)
    {
        for (const QJsonValue &o : orders()) {
            if (o[u"userId"_qs].toString() == user && o[u"source"_qs].toString() == source)
                return o.toObject();
        }
        return {};
    }

    // What the receiver kept after deduplicating by id, as "type:orderId" or "type:eventId",
    // sorted; problems lists deliveries whose signature or id header did not check out.
    static QStringList receivedWebhooks(const WebhookReceiver &receiver, QStringList *problems)
    {
        for (const WebhookReceiver::Delivery &d : receiver.deliveries()) {
            if (!d.signatureValid)
                *problems << u"bad signature on "_qs + QString::fromUtf8(d.body);
            if (d.idHeader != d.json.value(u"id"_qs).toString().toLatin1())
                *problems << u"id header differs on "_qs + QString::fromUtf8(d.body);
        }
        QStringList kept;
        for (const QJsonObject &w : receiver.uniqueById()) {
            const QJsonObject data = w.value(u"data"_qs).toObject();
            const QString type = w.value(u"type"_qs).toString();
            kept << type + u':' + (type.startsWith(u"order.") ? QString::number(data.value(u"orderId"_qs).toInteger())
                                                               : data.value(u"eventId"_qs).toString());
        }
        kept.sort();
        return kept;
    }

    // The webhooks the orders' final statuses call for, plus the event's openings and sell-outs.
    QStringList expectedWebhooks(int openings, int sellOuts)
    {
        QStringList expected;
        for (const QJsonValue &o : orders()) {
            const QString id = QString::number(o[u"orderId"_qs].toInteger());
            expected << u"order.won:"_qs + id;
            const QString status = o[u"status"_qs].toString();
            if (status == u"paid" || status == u"cancelled" || status == u"expired")
                expected << u"order."_qs + status + u':' + id;
        }
        for (int i = 0; i < openings; ++i)
            expected << u"event.opened:"_qs + kEvent;
        for (int i = 0; i < sellOuts; ++i)
            expected << u"event.sold_out:"_qs + kEvent;
        expected.sort();
        return expected;
    }

    QStringList unitProblems()
    {
        const QJsonObject event = m_client->admin("GET", u"/api/v1/admin/events/"_qs + kEvent).json;
        const QJsonArray listed = orders();
        return orderUnitProblems(event, listed) + orderCountProblems(event, listed);
    }

    ApiReply act(qint64 orderId, const QString &verb)
    {
        return m_client->admin("POST", u"/api/v1/admin/events/%1/orders/%2/%3"_qs.arg(kEvent).arg(orderId).arg(verb));
    }

    // Buys one unit for buyer i; returns the decided answer.
    QJsonObject buy(int i, const QString &requestId)
    {
        return m_client->call("POST", u"/api/v1/events/%1/purchases"_qs.arg(kEvent), purchaseBody(requestId, buyer(i), 1,
                                                                                                  u"c%1@example.com"_qs.arg(i)))
            .json;
    }

private Q_SLOTS:
    void cleanup()
    {
        m_engine.reset();
        m_database.reset();
    }

    void lifecycleWithOffers_data()
    {
        QTest::addColumn<bool>("killMidWindow");
        QTest::addColumn<bool>("postgres");
        QTest::addColumn<bool>("receiverFailsFirst");
        QTest::newRow("sqlite") << false << false << false;
        QTest::newRow("sqlite, receiver failing until an offer is paid") << false << false << true;
        QTest::newRow("sqlite, SIGKILL and restart mid-window") << true << false << false;
        QTest::newRow("postgresql") << false << true << false;
        QTest::newRow("postgresql, SIGKILL and restart mid-window, receiver failing") << true << true << true;
    }

    // Stock 3, a 3 s window, policy offer: of 8 buyers 3 win; one pays, one cancels, one lets
    // the deadline pass; the two freed units go to the first two leads in decision order, one
    // of whom pays; the other's offer expires and moves down the list until no lead is left.
    void lifecycleWithOffers()
    {
        QFETCH(bool, killMidWindow);
        QFETCH(bool, postgres);
        QFETCH(bool, receiverFailsFirst);
        if (postgres && qEnvironmentVariableIsEmpty("FLASHSALE_TEST_PG_URL"))
            SKIP_UNLESS_CI(u"FLASHSALE_TEST_PG_URL is not set; run scripts/start-postgres.sh and export the URL it prints"_qs);
        QVERIFY(startNode(postgres));
        // The shop's backend: its endpoint set with a generated secret, shown once.
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        receiver.setMode(receiverFailsFirst ? WebhookReceiver::Mode::Failing : WebhookReceiver::Mode::Up);
        const ApiReply hook = m_client->admin("PUT", u"/api/v1/admin/webhook"_qs, {{u"url"_qs, receiver.url()}});
        QCOMPARE(hook.status, 200);
        QVERIFY(hook.json[u"secret"_qs].toString().startsWith(u"whsec_"_qs));
        receiver.setSecret(hook.json[u"secret"_qs].toString().toUtf8());
        QVERIFY(!m_client->admin("GET", u"/api/v1/admin/webhook"_qs).json.contains(u"secret"_qs));

        const ApiReply created = createEvent({{u"paymentWindowSeconds"_qs, kWindowSeconds}, {u"releasePolicy"_qs, u"offer"_qs}});
        QCOMPARE(created.status, 201);
        QCOMPARE(created.json[u"paymentWindowSeconds"_qs].toInt(), kWindowSeconds);
        QCOMPARE(created.json[u"releasePolicy"_qs].toString(), u"offer"_qs);

        // One at a time, so that the decision order is the buyers' order.
        QStringList tickets;
        for (int i = 0; i < 8; ++i) {
            const QJsonObject answer = buy(i, u"r%1"_qs.arg(i));
            QCOMPARE(answer[u"state"_qs].toString(), i < 3 ? u"won"_qs : u"lost"_qs);
            if (i >= 3)
                QCOMPARE(answer[u"reason"_qs].toString(), u"sold_out"_qs);
            tickets << answer[u"ticket"_qs].toString();
        }
        // A winner's second request loses for the limit: not a lead.
        QCOMPARE(buy(0, u"r0-again"_qs)[u"reason"_qs].toString(), u"limit_reached"_qs);

        QJsonArray all = orders();
        QCOMPARE(all.size(), 3);
        for (const QJsonValue &o : all) {
            QCOMPARE(o[u"status"_qs].toString(), u"pending_payment"_qs);
            QCOMPARE(o[u"source"_qs].toString(), u"sale"_qs);
            QVERIFY(o[u"paidAt"_qs].isNull());
            const QDateTime deadline = QDateTime::fromString(o[u"expiresAt"_qs].toString(), Qt::ISODateWithMs);
            const QDateTime decided = QDateTime::fromString(o[u"decidedAt"_qs].toString(), Qt::ISODateWithMs);
            QCOMPARE(decided.msecsTo(deadline), kWindowSeconds * 1000);
        }
        QCOMPARE(unitProblems(), QStringList());
        const qint64 paidId = orderOf(buyer(0), u"sale"_qs)[u"orderId"_qs].toInteger();
        const qint64 cancelledId = orderOf(buyer(1), u"sale"_qs)[u"orderId"_qs].toInteger();
        const qint64 expiringId = orderOf(buyer(2), u"sale"_qs)[u"orderId"_qs].toInteger();

        // Paid, and the same answer again; a paid order cannot be cancelled.
        const ApiReply paid = act(paidId, u"paid"_qs);
        QCOMPARE(paid.status, 200);
        QCOMPARE(paid.json[u"status"_qs].toString(), u"paid"_qs);
        QVERIFY(!paid.json[u"paidAt"_qs].toString().isEmpty());
        QCOMPARE(act(paidId, u"paid"_qs).json, paid.json);
        const ApiReply refused = act(paidId, u"cancel"_qs);
        QCOMPARE(refused.status, 409);
        QCOMPARE(refused.json[u"error"_qs].toString(), u"invalid_state"_qs);

        // Cancelled: the unit goes to the first lead (buyer 3) as an offer, in the same commit.
        const ApiReply cancelled = act(cancelledId, u"cancel"_qs);
        QCOMPARE(cancelled.status, 200);
        QCOMPARE(cancelled.json[u"status"_qs].toString(), u"cancelled"_qs);
        QCOMPARE(act(cancelledId, u"cancel"_qs).json, cancelled.json);
        QCOMPARE(act(cancelledId, u"paid"_qs).json[u"error"_qs].toString(), u"invalid_state"_qs);
        const QJsonObject offer3 = orderOf(buyer(3), u"offer"_qs);
        QCOMPARE(offer3[u"status"_qs].toString(), u"pending_payment"_qs);
        QCOMPARE(offer3[u"requestId"_qs].toString(), u"r3"_qs);
        QCOMPARE(unitProblems(), QStringList());

        // The lead's ticket keeps its decision and shows the offer.
        const QJsonObject ticket3 = m_client->call("GET", u"/api/v1/tickets/"_qs + tickets[3]).json;
        QCOMPARE(ticket3[u"state"_qs].toString(), u"lost"_qs);
        QCOMPARE(ticket3[u"offer"_qs][u"orderId"_qs].toInteger(), offer3[u"orderId"_qs].toInteger());
        QCOMPARE(ticket3[u"offer"_qs][u"expiresAt"_qs].toString(), offer3[u"expiresAt"_qs].toString());
        QVERIFY(!m_client->call("GET", u"/api/v1/tickets/"_qs + tickets[4]).json.contains(u"offer"_qs));

        QCOMPARE(act(offer3[u"orderId"_qs].toInteger(), u"paid"_qs).json[u"status"_qs].toString(), u"paid"_qs);
        QCOMPARE(unitProblems(), QStringList());
        if (receiverFailsFirst) {
            // Every webhook so far met a 503 at least once; from now on the receiver is back.
            // The failed attempts must be recorded (a round records its attempts after the last
            // answer), or a SIGKILL straight after would leave them untried in the store.
            QVERIFY(ApiClient::waitUntil([&] { return receiver.failedAnswers() >= 3; }, 10000));
            QVERIFY(ApiClient::waitUntil([&] {
                return m_client->admin("GET", u"/api/v1/admin/webhook/deliveries?status=retrying&limit=1000"_qs)
                           .json[u"items"_qs].toArray().size() >= 3;
            }, 10000));
            QVERIFY(receiver.deliveries().empty());
            receiver.setMode(WebhookReceiver::Mode::Up);
        }

        if (killMidWindow) {
            // Buyer 2's window is still running.
            QCOMPARE(orderOf(buyer(2), u"sale"_qs)[u"status"_qs].toString(), u"pending_payment"_qs);
            m_engine->sendSignal(SIGKILL);
            QVERIFY(m_engine->waitForExit(10000));
            QVERIFY(m_engine->start(*m_client));
            QCOMPARE(orderOf(buyer(0), u"sale"_qs)[u"status"_qs].toString(), u"paid"_qs);
            QCOMPARE(orderOf(buyer(1), u"sale"_qs)[u"status"_qs].toString(), u"cancelled"_qs);
            QCOMPARE(orderOf(buyer(3), u"offer"_qs)[u"status"_qs].toString(), u"paid"_qs);
            QCOMPARE(m_client->call("GET", u"/api/v1/tickets/"_qs + tickets[3]).json[u"offer"_qs][u"orderId"_qs].toInteger(),
                     offer3[u"orderId"_qs].toInteger());
            QCOMPARE(unitProblems(), QStringList());
        }

        // Buyer 2 lets the deadline pass: the decider expires the order and offers the unit to
        // the next lead, buyer 4. Nothing pays an expired order.
        QVERIFY(ApiClient::waitUntil([&] { return !orderOf(buyer(4), u"offer"_qs).isEmpty(); }, 15000));
        QCOMPARE(orderOf(buyer(2), u"sale"_qs)[u"status"_qs].toString(), u"expired"_qs);
        const ApiReply late = act(expiringId, u"paid"_qs);
        QCOMPARE(late.status, 409);
        QCOMPARE(late.json[u"error"_qs].toString(), u"invalid_state"_qs);
        QCOMPARE(unitProblems(), QStringList());

        // Buyer 4 does not pay either: the offer expires and moves to buyer 5; cancelling the
        // next offers walks down the list, and with no lead left the unit is back in stock.
        QVERIFY(ApiClient::waitUntil([&] { return !orderOf(buyer(5), u"offer"_qs).isEmpty(); }, 15000));
        QCOMPARE(orderOf(buyer(4), u"offer"_qs)[u"status"_qs].toString(), u"expired"_qs);
        QCOMPARE(unitProblems(), QStringList());
        for (int i = 5; i <= 7; ++i) {
            QCOMPARE(orderOf(buyer(i), u"offer"_qs)[u"status"_qs].toString(), u"pending_payment"_qs);
            QCOMPARE(act(orderOf(buyer(i), u"offer"_qs)[u"orderId"_qs].toInteger(), u"cancel"_qs).status, 200);
            QCOMPARE(unitProblems(), QStringList());
        }
        const QJsonObject reopened = m_client->admin("GET", u"/api/v1/admin/events/"_qs + kEvent).json;
        QCOMPARE(reopened[u"remaining"_qs].toInteger(), 1);
        QCOMPARE(reopened[u"state"_qs].toString(), u"open"_qs);

        // Offers went to the leads in decision order, one each; the winners, the paying lead
        // and the limit_reached shopper got none.
        QList<qint64> offerIds;
        QStringList offeredUsers;
        for (const QJsonValue &o : orders()) {
            if (o[u"source"_qs].toString() == u"offer") {
                offerIds << o[u"orderId"_qs].toInteger();
                offeredUsers << o[u"userId"_qs].toString();
            }
        }
        QCOMPARE(offeredUsers, (QStringList{buyer(3), buyer(4), buyer(5), buyer(6), buyer(7)}));
        QVERIFY(std::is_sorted(offerIds.begin(), offerIds.end()));

        // The leads' rows record the offer and its outcome.
        const QJsonArray leads =
            m_client->admin("GET", u"/api/v1/admin/events/%1/intents?sort=userId&order=asc"_qs.arg(kEvent)).json[u"items"_qs].toArray();
        QHash<QString, QString> outcomes;
        for (const QJsonValue &lead : leads) {
            QVERIFY(!lead[u"offeredAt"_qs].toString().isEmpty() || lead[u"userId"_qs].toString() == buyer(0));
            outcomes.insert(lead[u"userId"_qs].toString(), lead[u"offerOutcome"_qs].toString());
        }
        QCOMPARE(outcomes.value(buyer(3)), u"paid"_qs);
        QCOMPARE(outcomes.value(buyer(4)), u"expired"_qs);
        QCOMPARE(outcomes.value(buyer(5)), u"cancelled"_qs);
        QCOMPARE(outcomes.value(buyer(0)), QString()); // lost for the limit: never offered
        const QJsonObject offeredLeads =
            m_client->admin("GET", u"/api/v1/admin/events/%1/intents?offered=true"_qs.arg(kEvent)).json;
        QCOMPARE(offeredLeads[u"total"_qs].toInteger(), 5); // buyers 3 to 7

        // The unit back in stock sells again, to a new shopper, who pays: no order is left to
        // expire while the webhooks are checked.
        QCOMPARE(buy(8, u"r8"_qs)[u"state"_qs].toString(), u"won"_qs);
        QCOMPARE(act(orderOf(buyer(8), u"sale"_qs)[u"orderId"_qs].toInteger(), u"paid"_qs).status, 200);
        QCOMPARE(unitProblems(), QStringList());

        // Every step reached the shop, signed, each webhook once after deduplication by id: the
        // launch and the reopening, both sell-outs, every order won (sales and offers) and each
        // order's end. No order is both paid and expired, and the units agree with the node.
        const QStringList expected = expectedWebhooks(2, 2);
        QStringList problems;
        QVERIFY2(ApiClient::waitUntil([&] { return receivedWebhooks(receiver, &problems) == expected; }, 60000),
                 qPrintable(receivedWebhooks(receiver, &problems).join(u' ') + u" != "_qs + expected.join(u' ')));
        problems.removeDuplicates();
        QCOMPARE(problems, QStringList());
        const QStringList kept = receivedWebhooks(receiver, &problems);
        const auto count = [&](QStringView prefix) {
            return std::count_if(kept.begin(), kept.end(), [&](const QString &w) { return w.startsWith(prefix); });
        };
        const QJsonObject finalEvent = m_client->admin("GET", u"/api/v1/admin/events/"_qs + kEvent).json;
        QCOMPARE(count(u"order.won:") - count(u"order.cancelled:") - count(u"order.expired:"),
                 finalEvent[u"stock"_qs].toInteger() - finalEvent[u"remaining"_qs].toInteger());
        for (const QString &w : kept) {
            if (w.startsWith(u"order.paid:"))
                QVERIFY2(!kept.contains(u"order.expired:"_qs + w.section(u':', 1)), qPrintable(w));
        }
        // The deliveries list agrees (once the last round's attempts are recorded): every webhook
        // delivered, the failing receiver's retried.
        QJsonArray delivered;
        QVERIFY(ApiClient::waitUntil([&] {
            delivered = m_client->admin("GET", u"/api/v1/admin/webhook/deliveries?status=delivered&limit=1000"_qs)
                            .json[u"items"_qs].toArray();
            return delivered.size() == expected.size();
        }, 10000));
        const bool retried = std::any_of(delivered.begin(), delivered.end(), [](const QJsonValue &d) {
            return d[u"attempts"_qs].toInt() > 1 && d[u"lastHttpStatus"_qs].toInt() == 200;
        });
        QCOMPARE(retried, receiverFailsFirst);
    }

    // Under "restock" (the default) a cancelled order's units go back to stock and a sold-out
    // event reopens; orders.csv carries the new columns.
    void restockReopensAndCsvShowsStatus()
    {
        QVERIFY(startNode());
        const ApiReply created = createEvent({{u"paymentWindowSeconds"_qs, 600}});
        QCOMPARE(created.status, 201);
        QCOMPARE(created.json[u"releasePolicy"_qs].toString(), u"restock"_qs);
        for (int i = 0; i < 4; ++i)
            buy(i, u"r%1"_qs.arg(i));
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/events/"_qs + kEvent).json[u"state"_qs].toString(), u"sold_out"_qs);
        const qint64 id = orderOf(buyer(1), u"sale"_qs)[u"orderId"_qs].toInteger();
        QCOMPARE(act(id, u"cancel"_qs).status, 200);
        const QJsonObject event = m_client->admin("GET", u"/api/v1/admin/events/"_qs + kEvent).json;
        QCOMPARE(event[u"state"_qs].toString(), u"open"_qs);
        QCOMPARE(event[u"remaining"_qs].toInteger(), 1);
        QVERIFY(orderOf(buyer(3), u"offer"_qs).isEmpty());
        QCOMPARE(unitProblems(), QStringList());
        // The post-sale report counts the units still held, and their money.
        const QJsonObject report = m_client->admin("GET", u"/api/v1/admin/events/%1/report"_qs.arg(kEvent)).json;
        QCOMPARE(report[u"unitsSold"_qs].toInteger(), 2);
        QCOMPARE(report[u"revenueCents"_qs].toInteger(), 2 * 900);

        const QByteArray csv = m_client->call("GET", u"/api/v1/admin/events/%1/orders.csv"_qs.arg(kEvent), {}, true).body;
        const QList<QByteArray> lines = csv.split('\n');
        QVERIFY(lines.size() > 3);
        QVERIFY2(lines[0].contains("status,expiresAt,paidAt,source"), lines[0].constData());
        QCOMPARE(csv.count(",cancelled,"), 1);
        QCOMPARE(csv.count(",pending_payment,"), 2);

        // ?status= lists one status; the event counts the same, and again after a restart (from the store).
        const auto listed = [&](const QString &status) {
            return m_client->admin("GET", u"/api/v1/admin/events/%1/orders?status=%2"_qs.arg(kEvent, status)).json;
        };
        QCOMPARE(listed(u"pending_payment"_qs)[u"total"_qs].toInteger(), 2);
        QCOMPARE(listed(u"cancelled"_qs)[u"total"_qs].toInteger(), 1);
        QCOMPARE(listed(u"paid"_qs)[u"total"_qs].toInteger(), 0);
        QCOMPARE(listed(u"cancelled"_qs)[u"items"_qs].toArray().first()[u"userId"_qs].toString(), buyer(1));
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/orders?status=cancelled"_qs).json[u"total"_qs].toInteger(), 1);
        QCOMPARE(act(orderOf(buyer(0), u"sale"_qs)[u"orderId"_qs].toInteger(), u"paid"_qs).status, 200);
        const QJsonObject counted = m_client->admin("GET", u"/api/v1/admin/events/"_qs + kEvent).json[u"orders"_qs].toObject();
        QCOMPARE(counted[u"paidUnits"_qs].toInteger(), 1);
        QCOMPARE(counted[u"pendingOrders"_qs].toInteger(), 1);
        QCOMPARE(unitProblems(), QStringList());
        QVERIFY(m_engine->stop());
        QVERIFY(m_engine->start(*m_client));
        const QJsonObject restored = m_client->admin("GET", u"/api/v1/admin/events/"_qs + kEvent).json[u"orders"_qs].toObject();
        QCOMPARE(restored, counted);
        QCOMPARE(unitProblems(), QStringList());
    }

    // Without a window (the default) orders are final, as before: no deadline, and paid/cancel
    // are refused with invalid_state.
    void noWindowMeansFinal()
    {
        QVERIFY(startNode());
        QCOMPARE(createEvent({}).status, 201);
        QCOMPARE(buy(0, u"r0"_qs)[u"state"_qs].toString(), u"won"_qs);
        const QJsonObject order = orderOf(buyer(0), u"sale"_qs);
        QCOMPARE(order[u"status"_qs].toString(), u"final"_qs);
        QVERIFY(order[u"expiresAt"_qs].isNull());
        const ApiReply refused = act(order[u"orderId"_qs].toInteger(), u"paid"_qs);
        QCOMPARE(refused.status, 409);
        QCOMPARE(refused.json[u"error"_qs].toString(), u"invalid_state"_qs);
    }

    void badInputIsNamed_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonObject>("eventFields");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("messageNames");
        const QJsonObject window{{u"paymentWindowSeconds"_qs, 60}};
        QTest::newRow("window too long") << QByteArray("POST") << QString() << QJsonObject{{u"paymentWindowSeconds"_qs, 604801}}
                                         << 400 << u"invalid_field"_qs << u"paymentWindowSeconds"_qs;
        QTest::newRow("window negative") << QByteArray("POST") << QString() << QJsonObject{{u"paymentWindowSeconds"_qs, -1}}
                                         << 400 << u"invalid_field"_qs << u"paymentWindowSeconds"_qs;
        QTest::newRow("unknown policy") << QByteArray("POST") << QString() << QJsonObject{{u"releasePolicy"_qs, u"raffle"_qs}}
                                        << 400 << u"invalid_field"_qs << u"releasePolicy"_qs;
        QTest::newRow("order id not a number") << QByteArray("POST") << u"orders/abc/paid"_qs << window << 400
                                               << u"invalid_field"_qs << u"orderId"_qs;
        QTest::newRow("unknown order") << QByteArray("POST") << u"orders/999/paid"_qs << window << 404 << u"not_found"_qs
                                       << u"999"_qs;
        QTest::newRow("unknown verb") << QByteArray("POST") << u"orders/1/refund"_qs << window << 404 << u"not_found"_qs
                                      << u"cancel"_qs;
        QTest::newRow("GET on an action") << QByteArray("GET") << u"orders/1/paid"_qs << window << 405
                                          << u"method_not_allowed"_qs << QString();
        QTest::newRow("unknown status filter") << QByteArray("GET") << u"orders?status=refunded"_qs << window << 400
                                               << u"invalid_field"_qs << u"status must be"_qs;
        QTest::newRow("window edited once live") << QByteArray("PATCH") << QString() << window << 409 << u"invalid_state"_qs
                                                 << u"once open"_qs;
    }

    void badInputIsNamed()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QJsonObject, eventFields);
        QFETCH(int, status);
        QFETCH(QString, error);
        QFETCH(QString, messageNames);
        QVERIFY(startNode());
        ApiReply reply;
        if (path.isEmpty() && method == "POST") {
            reply = createEvent(eventFields);
        } else {
            QCOMPARE(createEvent(eventFields).status, 201);
            reply = path.isEmpty() ? m_client->admin(method, u"/api/v1/admin/events/"_qs + kEvent, eventFields)
                                   : m_client->admin(method, u"/api/v1/admin/events/%1/%2"_qs.arg(kEvent, path));
        }
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json[u"error"_qs].toString(), error);
        QVERIFY2(reply.json[u"message"_qs].toString().contains(messageNames), reply.body.constData());
    }
};

VISIBLESKIP_GUILESS_MAIN(TestOrders)
#include "tst_orders.moc"
