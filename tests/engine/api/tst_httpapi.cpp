// The HTTP API end to end on a real socket and SQLite file: the sale guarantees under many
// concurrent clients, and a clear error for every kind of bad input.
#include "tests/support/crowdoptions.h"
#include "tests/support/apiclient.h"
#include "tests/support/purchaseledger.h"
#include "tests/support/xlsxcells.h"

#include "engine/api/server.h"

#include <QDir>
#include <QJsonArray>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimeZone>
#include "tests/support/sqlcheck.h"

#include <QTest>

using namespace flashsale;

namespace {


QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject purchase(const QString &requestId, const QString &userId, int quantity, const QString &contact = {})
{
    QJsonObject body{{u"requestId"_qs, requestId}, {u"userId"_qs, userId}, {u"quantity"_qs, quantity}};
    if (!contact.isEmpty())
        body.insert(u"contact"_qs, contact);
    return body;
}

} // namespace

class TestHttpApi : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<ApiClient> m_client;

    QString dbPath() const { return StoreLocation::sqliteIn(m_dir.path()).databaseName; }

    void createOpenEvent(const QString &id, int stock, int perUserLimit, const QString &name = u"Phone"_qs)
    {
        const ApiReply created = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                                 {{u"id"_qs, id}, {u"name"_qs, name}, {u"priceCents"_qs, 129900},
                                                  {u"stock"_qs, stock}, {u"perUserLimit"_qs, perUserLimit}});
        QCOMPARE(created.status, 201);
        QCOMPARE(created.json.value(u"state"_qs).toString(), u"draft"_qs);
        const ApiReply opened = m_client->admin("POST", u"/api/v1/admin/events/"_qs + id + u"/open"_qs);
        QCOMPARE(opened.status, 200);
        QCOMPARE(opened.json.value(u"state"_qs).toString(), u"open"_qs);
    }

    void createEuroEvent(const QString &id)
    {
        const ApiReply created = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                                 {{u"id"_qs, id}, {u"name"_qs, u"Sheet"_qs}, {u"priceCents"_qs, 129950},
                                                  {u"currency"_qs, u"EUR"_qs}, {u"stock"_qs, 1}, {u"perUserLimit"_qs, 1}});
        QCOMPARE(created.status, 201);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/"_qs + id + u"/open"_qs).status, 200);
    }

    ApiReply buy(const QString &eventId, const QString &requestId, const QString &userId, const QString &contact = {})
    {
        return m_client->call("POST", u"/api/v1/events/"_qs + eventId + u"/purchases?wait=5000"_qs,
                              json(purchase(requestId, userId, 1, contact)));
    }

    // Downloads an .xlsx route and reads it back with openpyxl.
    test::XlsxRead workbook(const QString &path)
    {
        const ApiReply r = m_client->admin("GET", path);
        QFile file(QDir(m_dir.path()).filePath(u"download.xlsx"_qs));
        if (r.status != 200 || !file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(r.body) != r.body.size()) {
            test::XlsxRead failed;
            failed.error = QStringLiteral("GET %1: %2 %3").arg(path).arg(r.status).arg(QString::fromUtf8(r.body));
            return failed;
        }
        file.close();
        return test::readXlsx(file.fileName());
    }

    static QStringList texts(const QList<test::XlsxCellRead> &row)
    {
        QStringList out;
        for (const test::XlsxCellRead &cell : row)
            out << cell.value.toString();
        return out;
    }

    // openpyxl's dates carry no zone; the API writes UTC.
    static std::int64_t utcMs(const QVariant &isoText)
    {
        QDateTime at = QDateTime::fromString(isoText.toString(), Qt::ISODateWithMs);
        at.setTimeZone(QTimeZone::utc());
        return at.toMSecsSinceEpoch();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        ServerOptions options = crowdNodeOptions();
        options.dataDir = m_dir.path();
        options.port = 0;
        options.adminToken = u"test-token"_qs;
        options.httpThreads = 2;
        m_server = std::make_unique<Server>(options);
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        m_client = std::make_unique<ApiClient>(m_server->baseUrl(), "test-token");
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server->stop();
    }

    // ≥ 5,000 requests from hundreds of concurrent connections for 100 units.
    void guaranteesUnderConcurrency()
    {
        const int users = 2500;
        const int perUserLimit = 2;
        createOpenEvent(u"rush"_qs, 100, perUserLimit, u"限量 Phone, \"Pro\""_qs);
        PurchaseLedger ledger;
        int sent = 0;
        for (int u = 0; u < users; ++u) {
            const QString userId = QStringLiteral("用户-%1").arg(u);
            // Every seventh user leaves no contact; every third leaves it only the first time.
            const QString mail = u % 7 ? u"user"_qs + QString::number(u) + u"@example.com"_qs : QString();
            for (int attempt = 0; attempt < 2; ++attempt) {
                const QString requestId = QStringLiteral("u%1-a%2").arg(u).arg(attempt);
                const int quantity = 1 + (u + attempt) % 2;
                const QString contact = attempt == 1 && u % 3 == 0 ? QString() : mail;
                const QString wait = (u % 2) ? u"?wait=10000"_qs : QString();
                m_client->send("POST", u"/api/v1/events/rush/purchases"_qs + wait,
                               json(purchase(requestId, userId, quantity, contact)), false,
                               ledger.recorder(requestId, userId, quantity, contact));
                ++sent;
            }
            // Every tenth user also resends the first request (a client's retry after a timeout):
            // the same ticket, nothing decided again.
            if (u % 10 == 0) {
                const QString requestId = QStringLiteral("u%1-a0").arg(u);
                const int quantity = 1 + u % 2;
                m_client->send("POST", u"/api/v1/events/rush/purchases"_qs, json(purchase(requestId, userId, quantity, mail)),
                               false, ledger.recorder(requestId, userId, quantity, mail));
                ++sent;
            }
        }
        QVERIFY(sent >= 5000);
        QVERIFY2(ApiClient::waitUntil([&] { return ledger.answered == sent; }, 90000),
                 qPrintable(QStringLiteral("%1 of %2 answered").arg(ledger.answered).arg(sent)));
        QCOMPARE(ledger.unexpected, 0);
        QCOMPARE(ledger.ticketByRequest.size(), users * 2);

        // Poll the tickets that were only queued, with ?wait (answered from memory).
        QVERIFY(ledger.collectResults(*m_client, 60000));

        // Guarantees: never oversold, limits held both ways, one order per win, every loss is a lead.
        int wonUnits = 0;
        int wonRequests = 0;
        int lostRequests = 0;
        QSet<qint64> orderIds;
        QSet<QString> losingUsers;
        for (auto it = ledger.ticketByRequest.cbegin(); it != ledger.ticketByRequest.cend(); ++it) {
            const QJsonObject result = ledger.resultByTicket.value(it.value());
            if (result.value(u"state"_qs).toString() == u"won") {
                wonUnits += ledger.sentByRequest.value(it.key()).quantity;
                ++wonRequests;
                orderIds.insert(result.value(u"orderId"_qs).toInteger());
            } else {
                ++lostRequests;
                losingUsers.insert(ledger.sentByRequest.value(it.key()).userId);
                QVERIFY(!result.value(u"reason"_qs).toString().isEmpty());
            }
        }
        QCOMPARE(wonUnits, 100); // demand far exceeds stock, so it sells out exactly
        QCOMPARE(orderIds.size(), wonRequests); // a distinct order id for every win
        QVERIFY(!orderIds.contains(0));
        const QStringList limitProblems = ledger.limitProblems(perUserLimit);
        QVERIFY2(limitProblems.isEmpty(), qPrintable(QStringLiteral("%1 problems, e.g. %2")
                                                         .arg(limitProblems.size()).arg(limitProblems.value(0))));

        const ApiReply event = m_client->call("GET", u"/api/v1/events/rush"_qs);
        QCOMPARE(event.status, 200);
        QCOMPARE(event.json.value(u"remaining"_qs).toInt(), 0);
        QCOMPARE(event.json.value(u"state"_qs).toString(), u"sold_out"_qs);
        QCOMPARE(event.json.value(u"name"_qs).toString(), u"限量 Phone, \"Pro\""_qs);

        // The database file agrees.
        QCOMPARE(sqlScalar(dbPath(), u"SELECT SUM(quantity) FROM orders WHERE event_id = 'rush'"_qs), 100);
        QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests WHERE event_id = 'rush'"_qs), users * 2);
        QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests WHERE event_id = 'rush' AND state = 'queued'"_qs), 0);
        // The intent projector lists the losses a moment after their commits.
        QTRY_COMPARE_WITH_TIMEOUT(sqlScalar(dbPath(), u"SELECT SUM(attempts) FROM intents WHERE event_id = 'rush'"_qs),
                                  std::int64_t(lostRequests), 10000);
        QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM intents WHERE event_id = 'rush'"_qs), losingUsers.size());

        // And so does the admin API.
        const ApiReply orders = m_client->admin("GET", u"/api/v1/admin/events/rush/orders?limit=1000"_qs);
        QCOMPARE(orders.status, 200);
        QCOMPARE(orders.json.value(u"total"_qs).toInt(), orderIds.size());
        const ApiReply intents = m_client->admin("GET", u"/api/v1/admin/events/rush/intents?hasContact=true&limit=5"_qs);
        QCOMPARE(intents.status, 200);
        QCOMPARE(intents.json.value(u"items"_qs).toArray().size(), 5);
        // Every lead row, page by page, against what the shoppers were told.
        QJsonArray leads;
        for (int offset = 0;; offset += 1000) {
            const ApiReply page = m_client->admin("GET", QStringLiteral("/api/v1/admin/events/rush/intents?offset=%1&limit=1000").arg(offset));
            QCOMPARE(page.status, 200);
            const QJsonArray items = page.json.value(u"items"_qs).toArray();
            for (const QJsonValue &item : items)
                leads.append(item);
            if (items.size() < 1000)
                break;
        }
        QCOMPARE(leads.size(), losingUsers.size());
        const QStringList leadProblems = ledger.leadProblems(leads);
        QVERIFY2(leadProblems.isEmpty(), qPrintable(QStringLiteral("%1 problems, e.g. %2")
                                                        .arg(leadProblems.size()).arg(leadProblems.value(0))));
        const ApiReply stats = m_client->admin("GET", u"/api/v1/admin/stats"_qs);
        QCOMPARE(stats.json.value(u"queueDepth"_qs).toInt(), 0);
        QVERIFY(stats.json.value(u"latencyMs"_qs).toObject().value(u"p99"_qs).toDouble() > 0);

        const ApiReply csvExport = m_client->admin("GET", u"/api/v1/admin/events/rush/intents.csv"_qs);
        QCOMPARE(csvExport.status, 200);
        QVERIFY(csvExport.body.startsWith("\xEF\xBB\xBF" "eventId,userId,contact"));
        QCOMPARE(csvExport.body.count("\r\n"), losingUsers.size() + 1);
        QVERIFY(csvExport.header("content-type").startsWith("text/csv"));
    }

    void overloadIsShedWithAnAnswer()
    {
        ServerOptions options = crowdNodeOptions();
        QTemporaryDir dir;
        options.dataDir = dir.path();
        options.port = 0;
        options.adminToken = u"t2"_qs;
        options.maxQueueDepth = 3;
        Server small(options);
        QString error;
        QVERIFY2(small.start(&error), qPrintable(error));
        ApiClient client(small.baseUrl(), "t2");
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, u"tiny"_qs}, {u"name"_qs, u"Tiny"_qs}, {u"priceCents"_qs, 1}, {u"stock"_qs, 50}}).status, 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/tiny/open"_qs).status, 200);
        int answered = 0, overloaded = 0, accepted = 0;
        QStringList acceptedTickets;
        for (int i = 0; i < 600; ++i) {
            client.send("POST", u"/api/v1/events/tiny/purchases"_qs, json(purchase(QString::number(i), QString::number(i), 1)), false,
                        [&](const ApiReply &r) {
                            ++answered;
                            if (r.status == 429) {
                                ++overloaded;
                                QCOMPARE(r.json.value(u"error"_qs).toString(), u"overloaded"_qs);
                                QCOMPARE(r.header("retry-after"), QByteArray("1"));
                            } else if (r.status == 202 || r.status == 200) {
                                ++accepted;
                                acceptedTickets << r.json.value(u"ticket"_qs).toString();
                            }
                        });
        }
        QVERIFY(ApiClient::waitUntil([&] { return answered == 600; }, 60000));
        qInfo("%d accepted, %d shed with 429", accepted, overloaded);
        QVERIFY(overloaded > 0);
        QCOMPARE(accepted + overloaded, 600);
        // Nothing accepted is lost: each accepted ticket is decided.
        for (const QString &ticket : std::as_const(acceptedTickets)) {
            const ApiReply r = client.call("GET", u"/api/v1/tickets/"_qs + ticket + u"?wait=5000"_qs);
            QCOMPARE(r.status, 200);
            QVERIFY(r.json.value(u"state"_qs).toString() != u"queued");
        }
        const std::int64_t journaled = sqlScalar(StoreLocation::sqliteIn(dir.path()).databaseName, u"SELECT COUNT(*) FROM requests"_qs);
        QCOMPARE(journaled, accepted);
        small.stop();
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("admin");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");

        const QString buy = u"/api/v1/events/bad/purchases"_qs;
        QTest::newRow("malformed JSON") << QByteArray("POST") << buy << QByteArray("{\"requestId\":") << false << 400 << u"bad_json"_qs;
        QTest::newRow("not an object") << QByteArray("POST") << buy << QByteArray("[1,2]") << false << 400 << u"bad_json"_qs;
        QTest::newRow("missing requestId") << QByteArray("POST") << buy << QByteArray(R"({"userId":"u","quantity":1})") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("userId not a string") << QByteArray("POST") << buy << QByteArray(R"({"requestId":"r","userId":5,"quantity":1})") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("quantity zero") << QByteArray("POST") << buy << QByteArray(R"({"requestId":"r","userId":"u","quantity":0})") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("quantity fraction") << QByteArray("POST") << buy << QByteArray(R"({"requestId":"r","userId":"u","quantity":1.5})") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("quantity over limit") << QByteArray("POST") << buy << QByteArray(R"({"requestId":"r","userId":"u","quantity":3})") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("requestId too long") << QByteArray("POST") << buy
                                            << (QByteArray(R"({"userId":"u","quantity":1,"requestId":")") + QByteArray(129, 'x') + "\"}") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("contact too long") << QByteArray("POST") << buy
                                          << (QByteArray(R"({"requestId":"r","userId":"u","quantity":1,"contact":")") + QByteArray(257, 'x') + "\"}") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("bad wait") << QByteArray("POST") << buy + u"?wait=99999"_qs << QByteArray(R"({"requestId":"r","userId":"u","quantity":1})") << false << 400 << u"invalid_field"_qs;
        QTest::newRow("simulated without token") << QByteArray("POST") << buy << QByteArray(R"({"requestId":"r","userId":"u","quantity":1,"simulated":true})") << false << 401 << u"unauthorized"_qs;
        QTest::newRow("body too large") << QByteArray("POST") << buy << QByteArray(70 * 1024, ' ') << false << 413 << u"payload_too_large"_qs;
        QTest::newRow("unknown event") << QByteArray("POST") << u"/api/v1/events/nope/purchases"_qs << QByteArray(R"({"requestId":"r","userId":"u","quantity":1})") << false << 404 << u"not_found"_qs;
        // Drafts are staff-only: shoppers get what an unknown event gives.
        QTest::newRow("draft event") << QByteArray("POST") << u"/api/v1/events/draft/purchases"_qs << QByteArray(R"({"requestId":"r","userId":"u","quantity":1})") << false << 404 << u"not_found"_qs;
        QTest::newRow("draft event GET") << QByteArray("GET") << u"/api/v1/events/draft"_qs << QByteArray() << false << 404 << u"not_found"_qs;
        QTest::newRow("metrics without token") << QByteArray("GET") << u"/metrics"_qs << QByteArray() << false << 401 << u"unauthorized"_qs;
        QTest::newRow("unknown ticket") << QByteArray("GET") << u"/api/v1/tickets/99999999-00000000"_qs << QByteArray() << false << 404 << u"not_found"_qs;
        QTest::newRow("garbage ticket") << QByteArray("GET") << u"/api/v1/tickets/abc"_qs << QByteArray() << false << 404 << u"not_found"_qs;
        QTest::newRow("unknown path") << QByteArray("GET") << u"/api/v1/nothing"_qs << QByteArray() << false << 404 << u"not_found"_qs;
        QTest::newRow("wrong method") << QByteArray("DELETE") << u"/api/v1/events/bad"_qs << QByteArray() << false << 405 << u"method_not_allowed"_qs;
        QTest::newRow("admin without token") << QByteArray("GET") << u"/api/v1/admin/events"_qs << QByteArray() << false << 401 << u"unauthorized"_qs;
        QTest::newRow("admin bad slug") << QByteArray("POST") << u"/api/v1/admin/events"_qs << QByteArray(R"({"id":"Bad Slug","name":"x","priceCents":1,"stock":1})") << true << 400 << u"invalid_field"_qs;
        QTest::newRow("admin end before start") << QByteArray("POST") << u"/api/v1/admin/events"_qs
                                                << QByteArray(R"({"id":"late","name":"x","priceCents":1,"stock":1,"startsAt":"2030-01-02T00:00:00Z","endsAt":"2030-01-01T00:00:00Z"})") << true << 400 << u"invalid_field"_qs;
        QTest::newRow("admin bad time") << QByteArray("POST") << u"/api/v1/admin/events"_qs << QByteArray(R"({"id":"t","name":"x","priceCents":1,"stock":1,"startsAt":"tomorrow"})") << true << 400 << u"invalid_field"_qs;
        QTest::newRow("admin duplicate id") << QByteArray("POST") << u"/api/v1/admin/events"_qs << QByteArray(R"({"id":"bad","name":"x","priceCents":1,"stock":1})") << true << 409 << u"exists"_qs;
        QTest::newRow("admin pause a draft") << QByteArray("POST") << u"/api/v1/admin/events/draft/pause"_qs << QByteArray() << true << 409 << u"invalid_state"_qs;
        QTest::newRow("admin restock zero") << QByteArray("POST") << u"/api/v1/admin/events/bad/restock"_qs << QByteArray(R"({"units":0})") << true << 400 << u"invalid_field"_qs;
        QTest::newRow("admin restock a draft") << QByteArray("POST") << u"/api/v1/admin/events/draft/restock"_qs << QByteArray(R"({"units":5})") << true << 409 << u"invalid_state"_qs;
        QTest::newRow("admin patch id") << QByteArray("PATCH") << u"/api/v1/admin/events/bad"_qs << QByteArray(R"({"id":"other"})") << true << 400 << u"invalid_field"_qs;
        QTest::newRow("admin patch stock when open") << QByteArray("PATCH") << u"/api/v1/admin/events/bad"_qs << QByteArray(R"({"stock":9})") << true << 409 << u"invalid_state"_qs;
        QTest::newRow("admin bad reason filter") << QByteArray("GET") << u"/api/v1/admin/events/bad/intents?reason=meh"_qs << QByteArray() << true << 400 << u"invalid_field"_qs;
        QTest::newRow("admin unknown event") << QByteArray("GET") << u"/api/v1/admin/events/none"_qs << QByteArray() << true << 404 << u"not_found"_qs;
    }

    void badInput()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(bool, admin);
        QFETCH(int, status);
        QFETCH(QString, error);
        if (!m_server->engine().event(u"bad")) {
            createOpenEvent(u"bad"_qs, 10, 2);
            QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                     {{u"id"_qs, u"draft"_qs}, {u"name"_qs, u"Draft"_qs}, {u"priceCents"_qs, 1}, {u"stock"_qs, 1}})
                         .status,
                     201);
        }
        const ApiReply reply = m_client->call(method, path, body, admin);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json.value(u"error"_qs).toString(), error);
        QVERIFY(!reply.json.value(u"message"_qs).toString().isEmpty());
        // The engine keeps serving.
        QCOMPARE(m_client->call("GET", u"/healthz"_qs).status, 200);
    }

    void scheduledEventSaysWhenItOpens()
    {
        const QString startsAt = QDateTime::currentDateTimeUtc().addSecs(3600).toString(Qt::ISODate);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                 {{u"id"_qs, u"later"_qs}, {u"name"_qs, u"Later"_qs}, {u"priceCents"_qs, 1},
                                  {u"stock"_qs, 1}, {u"startsAt"_qs, startsAt}}).status, 201);
        const ApiReply opened = m_client->admin("POST", u"/api/v1/admin/events/later/open"_qs);
        QCOMPARE(opened.json.value(u"state"_qs).toString(), u"scheduled"_qs);
        const ApiReply early = m_client->call("POST", u"/api/v1/events/later/purchases"_qs, json(purchase(u"r"_qs, u"u"_qs, 1)));
        QCOMPARE(early.status, 409);
        QCOMPARE(early.json.value(u"error"_qs).toString(), u"not_open"_qs);
        QCOMPARE(QDateTime::fromString(early.json.value(u"startsAt"_qs).toString(), Qt::ISODateWithMs),
                 QDateTime::fromString(startsAt, Qt::ISODate));
        QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests WHERE event_id = 'later'"_qs), 0);
    }

    void pausedAndEndedRequestsBecomeLeads()
    {
        createOpenEvent(u"pausy"_qs, 5, 1);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/pausy/pause"_qs).status, 200);
        ApiReply r = m_client->call("POST", u"/api/v1/events/pausy/purchases?wait=5000"_qs,
                                    json(purchase(u"p1"_qs, u"amy"_qs, 1, u"amy@example.com"_qs)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"reason"_qs).toString(), u"not_open"_qs);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/pausy/open"_qs).status, 200);
        r = m_client->call("POST", u"/api/v1/events/pausy/purchases?wait=5000"_qs, json(purchase(u"p2"_qs, u"amy"_qs, 1)));
        QCOMPARE(r.json.value(u"state"_qs).toString(), u"won"_qs);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/pausy/end"_qs).status, 200);
        r = m_client->call("POST", u"/api/v1/events/pausy/purchases?wait=5000"_qs, json(purchase(u"p3"_qs, u"bo"_qs, 1)));
        QCOMPARE(r.json.value(u"reason"_qs).toString(), u"not_open"_qs);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/pausy/restock"_qs, {{u"units"_qs, 3}}).status, 409);
        const ApiReply leads = m_client->admin("GET", u"/api/v1/admin/events/pausy/intents?sort=userId&order=asc"_qs);
        const QJsonArray items = leads.json.value(u"items"_qs).toArray();
        QCOMPARE(items.size(), 2);
        QCOMPARE(items[0].toObject().value(u"userId"_qs).toString(), u"amy"_qs);
        QCOMPARE(items[0].toObject().value(u"contact"_qs).toString(), u"amy@example.com"_qs);
        QCOMPARE(items[1].toObject().value(u"userId"_qs).toString(), u"bo"_qs);
    }

    // What a remote console reads besides the per-event routes: every event's orders and leads,
    // lead counts, a rehearsal copy, a launched create, and the stats' latency histogram.
    void remoteConsoleRoutes()
    {
        createOpenEvent(u"remote-a"_qs, 1, 1);
        createOpenEvent(u"remote-b"_qs, 1, 1);
        QCOMPARE(buy(u"remote-a"_qs, u"ra1"_qs, u"remote-ann"_qs).json.value(u"state"_qs).toString(), u"won"_qs);
        QCOMPARE(buy(u"remote-b"_qs, u"rb1"_qs, u"remote-bob"_qs).json.value(u"state"_qs).toString(), u"won"_qs);
        QCOMPARE(buy(u"remote-b"_qs, u"rb2"_qs, u"remote-cy"_qs, u"cy@example.com"_qs).json.value(u"state"_qs).toString(),
                 u"lost"_qs);
        QCOMPARE(buy(u"remote-a"_qs, u"ra2"_qs, u"remote-dee"_qs).json.value(u"state"_qs).toString(), u"lost"_qs);

        // Every event's orders, filtered as one event's are.
        ApiReply r = m_client->admin("GET", u"/api/v1/admin/orders?user=remote-&limit=10"_qs);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"total"_qs).toInteger(), qint64(2));
        QSet<QString> events;
        for (const QJsonValue &item : r.json.value(u"items"_qs).toArray())
            events.insert(item.toObject().value(u"eventId"_qs).toString());
        QCOMPARE(events, (QSet<QString>{u"remote-a"_qs, u"remote-b"_qs}));
        r = m_client->admin("GET", u"/api/v1/admin/intents?hasContact=true&sort=userId&order=asc&limit=1000"_qs);
        QCOMPARE(r.status, 200);
        bool sawCy = false;
        for (const QJsonValue &item : r.json.value(u"items"_qs).toArray())
            sawCy |= item.toObject().value(u"userId"_qs).toString() == u"remote-cy";
        QVERIFY(sawCy);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/orders?limit=5000"_qs).status, 400);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/orders"_qs).status, 405);
        QCOMPARE(m_client->call("GET", u"/api/v1/admin/orders"_qs).status, 401);

        // Lead counts: one event's, and since a time after all of them.
        r = m_client->admin("GET", u"/api/v1/admin/leads?eventId=remote-b"_qs);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"leads"_qs).toInteger(), qint64(1));
        QCOMPARE(r.json.value(u"withContact"_qs).toInteger(), qint64(1));
        QCOMPARE(r.json.value(u"leadsSince"_qs).toInteger(), qint64(1));
        const QString later = QUrl::toPercentEncoding(QDateTime::currentDateTimeUtc().addSecs(60).toString(Qt::ISODateWithMs));
        r = m_client->admin("GET", u"/api/v1/admin/leads?eventId=remote-b&since="_qs + later);
        QCOMPARE(r.json.value(u"leads"_qs).toInteger(), qint64(1));
        QCOMPARE(r.json.value(u"leadsSince"_qs).toInteger(), qint64(0));
        r = m_client->admin("GET", u"/api/v1/admin/leads?eventId=no-such-sale"_qs);
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json.value(u"error"_qs).toString(), u"not_found"_qs);
        r = m_client->admin("GET", u"/api/v1/admin/leads?since=yesterday"_qs);
        QCOMPARE(r.status, 400);
        QVERIFY(r.json.value(u"message"_qs).toString().contains(u"since"));

        // A rehearsal copy for a simulator elsewhere: its own id, open, the source untouched.
        r = m_client->admin("POST", u"/api/v1/admin/events/remote-a/rehearsals"_qs);
        QCOMPARE(r.status, 201);
        QVERIFY(r.json.value(u"id"_qs).toString().startsWith(u"remote-a-rehearsal-"));
        QCOMPARE(r.json.value(u"rehearsal"_qs).toBool(), true);
        QCOMPARE(r.json.value(u"state"_qs).toString(), u"open"_qs);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/events/remote-a"_qs).json.value(u"remaining"_qs).toInteger(), qint64(0));
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/no-such-sale/rehearsals"_qs).status, 404);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/events/remote-a/rehearsals"_qs).status, 405);

        // "launch": true opens in the same call; a non-boolean is named.
        r = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                            {{u"id"_qs, u"remote-launched"_qs}, {u"name"_qs, u"L"_qs}, {u"priceCents"_qs, 1}, {u"stock"_qs, 1},
                             {u"launch"_qs, true}});
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json.value(u"state"_qs).toString(), u"open"_qs);
        r = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                            {{u"id"_qs, u"remote-odd"_qs}, {u"name"_qs, u"L"_qs}, {u"priceCents"_qs, 1}, {u"stock"_qs, 1},
                             {u"launch"_qs, u"yes"_qs}});
        QCOMPARE(r.status, 400);
        QVERIFY(r.json.value(u"message"_qs).toString().contains(u"launch"));

        // The stats carry the decision latency histogram (sparse [bucket, count] pairs).
        r = m_client->admin("GET", u"/api/v1/admin/stats"_qs);
        qint64 counted = 0;
        for (const QJsonValue &bucket : r.json.value(u"latencyBuckets"_qs).toArray())
            counted += bucket.toArray().at(1).toInteger();
        QVERIFY(counted > 0);
        QCOMPARE(r.json.value(u"clustered"_qs).toBool(true), false);
    }

    void metricsAreInPrometheusFormat()
    {
        createOpenEvent(u"metered"_qs, 5, 2);
        const ApiReply bought = m_client->call("POST", u"/api/v1/events/metered/purchases?wait=5000"_qs,
                                               json(purchase(u"m1"_qs, u"meg"_qs, 2)));
        QCOMPARE(bought.json.value(u"state"_qs).toString(), u"won"_qs);
        const ApiReply r = m_client->call("GET", u"/metrics"_qs, {}, true);
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("text/plain"));
        QVERIFY(r.body.contains("# TYPE flashsale_requests_accepted_total counter\n"));
        QVERIFY(r.body.contains("flashsale_decision_latency_seconds_bucket{le=\"+Inf\"}"));
        QVERIFY(r.body.contains("flashsale_event_remaining_units{event=\"metered\"} 3\n"));
        QVERIFY(r.body.contains("flashsale_event_requests_accepted_total{event=\"metered\"} 1\n"));
    }

    // One shopper loses three times, with a contact only the first time, for three reasons and
    // two quantities, each in its own commit: one lead row keeps the contact and counts them.
    void leadKeepsContactAcrossLosses()
    {
        createOpenEvent(u"leady"_qs, 3, 2);
        const auto buy = [&](const QString &requestId, const QString &userId, int quantity, const QString &contact = {}) {
            return m_client->call("POST", u"/api/v1/events/leady/purchases?wait=5000"_qs,
                                  json(purchase(requestId, userId, quantity, contact)));
        };
        const QString contact = u"lee@example.com"_qs;
        QCOMPARE(buy(u"l1"_qs, u"lee"_qs, 1, contact).json.value(u"state"_qs).toString(), u"won"_qs);
        ApiReply r = buy(u"l2"_qs, u"lee"_qs, 2, contact);
        QCOMPARE(r.json.value(u"reason"_qs).toString(), u"limit_reached"_qs);
        QCOMPARE(buy(u"k1"_qs, u"kim"_qs, 2).json.value(u"state"_qs).toString(), u"won"_qs); // sells out
        r = buy(u"l3"_qs, u"lee"_qs, 1);
        QCOMPARE(r.json.value(u"reason"_qs).toString(), u"sold_out"_qs);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/leady/pause"_qs).status, 200);
        r = buy(u"l4"_qs, u"lee"_qs, 2);
        QCOMPARE(r.json.value(u"reason"_qs).toString(), u"not_open"_qs);

        const ApiReply leads = m_client->admin("GET", u"/api/v1/admin/events/leady/intents"_qs);
        QCOMPARE(leads.status, 200);
        QCOMPARE(leads.json.value(u"total"_qs).toInt(), 1); // kim never lost
        const QJsonObject lead = leads.json.value(u"items"_qs).toArray().first().toObject();
        QCOMPARE(lead.value(u"userId"_qs).toString(), u"lee"_qs);
        QCOMPARE(lead.value(u"contact"_qs).toString(), contact);
        QCOMPARE(lead.value(u"attempts"_qs).toInt(), 3);
        QCOMPARE(lead.value(u"lastReason"_qs).toString(), u"not_open"_qs);
        QCOMPARE(lead.value(u"quantity"_qs).toInt(), 2);
        const QDateTime first = QDateTime::fromString(lead.value(u"firstAt"_qs).toString(), Qt::ISODateWithMs);
        const QDateTime last = QDateTime::fromString(lead.value(u"lastAt"_qs).toString(), Qt::ISODateWithMs);
        QVERIFY(first.isValid() && last.isValid());
        QVERIFY(first <= last);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/events/leady/intents?hasContact=true"_qs).json.value(u"total"_qs).toInt(), 1);
    }

    // The .xlsx routes answer like the CSV ones: admin token, known event; then a workbook.
    void spreadsheetRoutesNeedTokenAndEvent_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("withToken");
        QTest::addColumn<int>("status");
        QTest::newRow("orders without token") << u"/api/v1/admin/events/rush/orders.xlsx"_qs << false << 401;
        QTest::newRow("intents without token") << u"/api/v1/admin/events/rush/intents.xlsx"_qs << false << 401;
        QTest::newRow("orders of unknown event") << u"/api/v1/admin/events/nope/orders.xlsx"_qs << true << 404;
        QTest::newRow("intents of unknown event") << u"/api/v1/admin/events/nope/intents.xlsx"_qs << true << 404;
        QTest::newRow("intents, bad filter") << u"/api/v1/admin/events/rush/intents.xlsx?reason=bored"_qs << true << 400;
        QTest::newRow("orders") << u"/api/v1/admin/events/rush/orders.xlsx"_qs << true << 200;
        QTest::newRow("intents") << u"/api/v1/admin/events/rush/intents.xlsx"_qs << true << 200;
    }

    void spreadsheetRoutesNeedTokenAndEvent()
    {
        QFETCH(QString, path);
        QFETCH(bool, withToken);
        QFETCH(int, status);
        if (!m_server->engine().event(u"rush"_qs))
            createOpenEvent(u"rush"_qs, 1, 1); // run alone
        const ApiReply r = m_client->call("GET", path, {}, withToken);
        QCOMPARE(r.status, status);
        if (status != 200) {
            QVERIFY(r.header("content-type").startsWith("application/json"));
            return;
        }
        QCOMPARE(r.header("content-type"), QByteArray("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        const QByteArray file = path.contains(u"orders") ? "rush-orders.xlsx" : "rush-intents.xlsx";
        QCOMPARE(r.header("content-disposition"), "attachment; filename=\"" + file + '"');
        QVERIFY2(r.body.startsWith("PK\x03\x04"), r.body.left(200).toHex().constData()); // a zip container
    }

    // Orders as a person reads them: English headers with UTC said, ids and a phone-number-like
    // user and contact as strings, money as numbers in the event's currency, times as dates.
    void ordersWorkbookHasTypedCells()
    {
        createEuroEvent(u"sheet-orders"_qs);
        const ApiReply won = buy(u"sheet-orders"_qs, u"so1"_qs, u"13800138000"_qs, u"13800138000"_qs);
        QCOMPARE(won.json.value(u"state"_qs).toString(), u"won"_qs);
        const QVariantList stored = sqlRow(dbPath(), u"SELECT order_id, decided_at_ms FROM orders WHERE event_id = 'sheet-orders'"_qs);

        const test::XlsxRead book = workbook(u"/api/v1/admin/events/sheet-orders/orders.xlsx"_qs);
        QVERIFY2(book.error.isEmpty(), qPrintable(book.error));
        QCOMPARE(book.sheet, u"Orders"_qs);
        QCOMPARE(book.rows.size(), 2);
        QCOMPARE(texts(book.rows[0]), (QStringList{u"Order"_qs, u"Event"_qs, u"User"_qs, u"Quantity"_qs, u"Price"_qs, u"Total"_qs,
                                                   u"Request"_qs, u"Contact"_qs, u"Simulated"_qs, u"Decided at (UTC)"_qs}));
        const QList<test::XlsxCellRead> &row = book.rows[1];
        QCOMPARE(row[0].type, u"s"_qs);
        QCOMPARE(row[0].value.toString(), stored.value(0).toString());
        QCOMPARE(row[2].type, u"s"_qs);
        QCOMPARE(row[2].value, QVariant(u"13800138000"_qs));
        QCOMPARE(row[3].type, u"n"_qs);
        QCOMPARE(row[3].value.toInt(), 1);
        for (int money : {4, 5}) {
            QCOMPARE(row[money].type, u"n"_qs);
            QCOMPARE(row[money].value.toDouble(), 1299.5);
            QCOMPARE(row[money].format, u"[$EUR] #,##0.00"_qs);
        }
        QCOMPARE(row[6].type, u"s"_qs);
        QCOMPARE(row[6].value, QVariant(u"so1"_qs));
        QCOMPARE(row[7].type, u"s"_qs);
        QCOMPARE(row[7].value, QVariant(u"13800138000"_qs));
        QCOMPARE(row[8].value, QVariant(u"no"_qs));
        QCOMPARE(row[9].type, u"d"_qs);
        QVERIFY(row[9].isDate);
        QCOMPARE(row[9].format, u"yyyy-mm-dd hh:mm:ss"_qs);
        QVERIFY2(qAbs(utcMs(row[9].value) - stored.value(1).toLongLong()) <= 1, qPrintable(row[9].value.toString()));
    }

    // Leads: reasons as words, user ids with leading zeros or a leading = kept as strings (never
    // numbers, never formulas), and the CSV route's filters.
    void intentsWorkbookHasTypedCellsAndFilters()
    {
        createEuroEvent(u"sheet-leads"_qs);
        QCOMPARE(buy(u"sheet-leads"_qs, u"sl1"_qs, u"winner"_qs).json.value(u"state"_qs).toString(), u"won"_qs);
        const QString formula = u"=HYPERLINK(\"http://evil.example\",\"x\")"_qs;
        QCOMPARE(buy(u"sheet-leads"_qs, u"sl2"_qs, u"0086"_qs, u"+86 138 0000 0000"_qs).json.value(u"reason"_qs).toString(), u"sold_out"_qs);
        QCOMPARE(buy(u"sheet-leads"_qs, u"sl3"_qs, u"=1+1"_qs, formula).json.value(u"reason"_qs).toString(), u"sold_out"_qs);
        QCOMPARE(buy(u"sheet-leads"_qs, u"sl4"_qs, u"nobody"_qs).json.value(u"reason"_qs).toString(), u"sold_out"_qs);
        const std::int64_t lastAtMs = sqlScalar(dbPath(), u"SELECT last_at_ms FROM intents WHERE event_id = 'sheet-leads' AND user_id = '0086'"_qs);

        test::XlsxRead book = workbook(u"/api/v1/admin/events/sheet-leads/intents.xlsx?sort=userId&order=asc"_qs);
        QVERIFY2(book.error.isEmpty(), qPrintable(book.error));
        QCOMPARE(book.sheet, u"Leads"_qs);
        QCOMPARE(texts(book.rows[0]), (QStringList{u"Event"_qs, u"User"_qs, u"Contact"_qs, u"Quantity"_qs, u"Reason"_qs,
                                                   u"Attempts"_qs, u"First attempt (UTC)"_qs, u"Last attempt (UTC)"_qs,
                                                   u"Simulated"_qs}));
        QCOMPARE(book.rows.size(), 4);
        QCOMPARE(texts(book.rows[1]).mid(0, 3), (QStringList{u"sheet-leads"_qs, u"0086"_qs, u"+86 138 0000 0000"_qs}));
        QCOMPARE(texts(book.rows[2]).mid(0, 3), (QStringList{u"sheet-leads"_qs, u"=1+1"_qs, formula}));
        for (int r = 1; r <= 3; ++r) {
            const QList<test::XlsxCellRead> &row = book.rows[r];
            for (int text : {0, 1, 4, 8})
                QCOMPARE(row[text].type, u"s"_qs);
            QCOMPARE(row[4].value, QVariant(u"Sold out"_qs));
            QCOMPARE(row[5].type, u"n"_qs);
            QCOMPARE(row[5].value.toInt(), 1);
            for (int time : {6, 7}) {
                QCOMPARE(row[time].type, u"d"_qs);
                QVERIFY(row[time].isDate);
            }
        }
        QCOMPARE(book.rows[2][2].type, u"s"_qs); // the formula-like contact is text
        QVERIFY(book.rows[3][2].value.isNull()); // no contact: an empty cell
        QVERIFY2(qAbs(utcMs(book.rows[1][7].value) - lastAtMs) <= 1, qPrintable(book.rows[1][7].value.toString()));

        book = workbook(u"/api/v1/admin/events/sheet-leads/intents.xlsx?hasContact=true&sort=userId"_qs);
        QVERIFY2(book.error.isEmpty(), qPrintable(book.error));
        QCOMPARE(book.rows.size(), 3);
        QCOMPARE(book.rows[1][1].value, QVariant(u"=1+1"_qs)); // descending by default
    }

    // A scheduled event opens at startsAt by itself: no purchase needed to see it open.
    void scheduledEventOpensWithoutTraffic()
    {
        const QDateTime startsAt = QDateTime::currentDateTimeUtc().addMSecs(1500);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                 {{u"id"_qs, u"dawn"_qs}, {u"name"_qs, u"Dawn"_qs}, {u"priceCents"_qs, 1}, {u"stock"_qs, 4},
                                  {u"startsAt"_qs, startsAt.toString(Qt::ISODateWithMs)}}).status, 201);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/dawn/open"_qs).json.value(u"state"_qs).toString(), u"scheduled"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->call("GET", u"/api/v1/events/dawn"_qs).json.value(u"state"_qs).toString(), u"open"_qs, 10000);
        QVERIFY(QDateTime::currentDateTimeUtc() >= startsAt);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/events/dawn"_qs).json.value(u"state"_qs).toString(), u"open"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(sqlRow(dbPath(), u"SELECT state FROM events WHERE id = 'dawn'"_qs).value(0).toString(), u"open"_qs, 5000);
        QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests WHERE event_id = 'dawn'"_qs), 0);
    }

    // endsAt passing mid-sale ends the event by itself, and it stays ended after a restart.
    void endsAtEndsTheSaleAndSurvivesRestart()
    {
        QTemporaryDir dir;
        ServerOptions options = crowdNodeOptions();
        options.dataDir = dir.path();
        options.port = 0;
        options.adminToken = u"t3"_qs;
        std::unique_ptr<Server> server;
        QString error;
        const auto start = [&] {
            server.reset();
            server = std::make_unique<Server>(options);
            return server->start(&error);
        };
        QVERIFY2(start(), qPrintable(error));
        ApiClient client(server->baseUrl(), "t3", 1);
        const QDateTime endsAt = QDateTime::currentDateTimeUtc().addMSecs(2000);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, u"dusk"_qs}, {u"name"_qs, u"Dusk"_qs}, {u"priceCents"_qs, 1}, {u"stock"_qs, 10},
                               {u"endsAt"_qs, endsAt.toString(Qt::ISODateWithMs)}}).status, 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/dusk/open"_qs).json.value(u"state"_qs).toString(), u"open"_qs);
        ApiReply r = client.call("POST", u"/api/v1/events/dusk/purchases?wait=5000"_qs, json(purchase(u"d1"_qs, u"dee"_qs, 1)));
        QCOMPARE(r.json.value(u"state"_qs).toString(), u"won"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(client.call("GET", u"/api/v1/events/dusk"_qs).json.value(u"state"_qs).toString(), u"ended"_qs, 10000);
        QVERIFY(QDateTime::currentDateTimeUtc() >= endsAt);
        r = client.call("POST", u"/api/v1/events/dusk/purchases?wait=5000"_qs, json(purchase(u"d2"_qs, u"dan"_qs, 1)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"reason"_qs).toString(), u"not_open"_qs);
        const QString db = StoreLocation::sqliteIn(dir.path()).databaseName;
        QCOMPARE(sqlRow(db, u"SELECT state FROM events WHERE id = 'dusk'"_qs).value(0).toString(), u"ended"_qs);
        server->stop();

        QVERIFY2(start(), qPrintable(error));
        client.setBaseUrl(server->baseUrl());
        const ApiReply event = client.call("GET", u"/api/v1/events/dusk"_qs);
        QCOMPARE(event.json.value(u"state"_qs).toString(), u"ended"_qs);
        QCOMPARE(event.json.value(u"remaining"_qs).toInt(), 9);
        r = client.call("POST", u"/api/v1/events/dusk/purchases?wait=5000"_qs, json(purchase(u"d3"_qs, u"dot"_qs, 1)));
        QCOMPARE(r.json.value(u"reason"_qs).toString(), u"not_open"_qs);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/dusk/open"_qs).status, 409);
        server->stop();
        QCOMPARE(sqlScalar(db, u"SELECT SUM(quantity) FROM orders WHERE event_id = 'dusk'"_qs), 1);
    }

    // PATCH on a live event: a limit lowered below what a shopper already won, and endsAt moved
    // later and earlier; each change is answered and then honoured by the next decisions.
    void liveEditsAreHonoured()
    {
        createOpenEvent(u"live"_qs, 10, 3);
        const auto buy = [&](const QString &requestId, const QString &userId, int quantity) {
            return m_client->call("POST", u"/api/v1/events/live/purchases?wait=5000"_qs, json(purchase(requestId, userId, quantity)));
        };
        const auto patch = [&](const QJsonObject &fields) {
            return m_client->call("PATCH", u"/api/v1/admin/events/live"_qs, json(fields), true);
        };
        const auto state = [&] { return m_client->call("GET", u"/api/v1/events/live"_qs).json.value(u"state"_qs).toString(); };
        QCOMPARE(buy(u"v1"_qs, u"val"_qs, 2).json.value(u"state"_qs).toString(), u"won"_qs);

        ApiReply r = patch({{u"perUserLimit"_qs, 1}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"perUserLimit"_qs).toInt(), 1);
        QCOMPARE(buy(u"v2"_qs, u"val"_qs, 1).json.value(u"reason"_qs).toString(), u"limit_reached"_qs); // has 2, limit 1
        r = buy(u"w1"_qs, u"wes"_qs, 2);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(u"error"_qs).toString(), u"invalid_field"_qs);
        QCOMPARE(buy(u"w2"_qs, u"wes"_qs, 1).json.value(u"state"_qs).toString(), u"won"_qs);
        QCOMPARE(buy(u"w3"_qs, u"wes"_qs, 1).json.value(u"reason"_qs).toString(), u"limit_reached"_qs);

        // endsAt moved later: the old end passes and the sale goes on.
        const QDateTime firstEnd = QDateTime::currentDateTimeUtc().addMSecs(1000);
        QCOMPARE(patch({{u"endsAt"_qs, firstEnd.toString(Qt::ISODateWithMs)}}).status, 200);
        const QDateTime laterEnd = QDateTime::currentDateTimeUtc().addSecs(3600);
        r = patch({{u"endsAt"_qs, laterEnd.toString(Qt::ISODateWithMs)}});
        QCOMPARE(r.status, 200);
        QCOMPARE(QDateTime::fromString(r.json.value(u"endsAt"_qs).toString(), Qt::ISODateWithMs), laterEnd);
        QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentDateTimeUtc() > firstEnd.addMSecs(300), 5000); // past the old end and a tick
        QCOMPARE(state(), u"open"_qs);
        QCOMPARE(buy(u"x1"_qs, u"xia"_qs, 1).json.value(u"state"_qs).toString(), u"won"_qs);

        // endsAt moved earlier: the event ends then, by itself.
        const QDateTime soonEnd = QDateTime::currentDateTimeUtc().addMSecs(1000);
        QCOMPARE(patch({{u"endsAt"_qs, soonEnd.toString(Qt::ISODateWithMs)}}).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(state(), u"ended"_qs, 10000);
        QVERIFY(QDateTime::currentDateTimeUtc() >= soonEnd);
        QCOMPARE(buy(u"y1"_qs, u"yan"_qs, 1).json.value(u"reason"_qs).toString(), u"not_open"_qs);
        const QVariantList stored = sqlRow(dbPath(), u"SELECT state, per_user_limit FROM events WHERE id = 'live'"_qs);
        QCOMPARE(stored.value(0).toString(), u"ended"_qs);
        QCOMPARE(stored.value(1).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestHttpApi)
#include "tst_httpapi.moc"
