// Restart, then sell, on SQLite through the HTTP API (tst_postgres does the same on PostgreSQL):
// a node stopped after a sale and started again on the same data dir answers every old requestId
// with its first result, keeps per-user totals, and gives new wins order ids above the old ones.
#include "tests/support/crowdoptions.h"
#include "tests/support/apiclient.h"
#include "tests/support/sqlcheck.h"

#include "engine/api/server.h"

#include <QTemporaryDir>
#include <QTest>

using namespace flashsale;

namespace {

// A purchase whose shopper leaves a contact.
QByteArray purchase(const QString &requestId, const QString &userId, int quantity)
{
    return purchaseBody(requestId, userId, quantity, userId + u"@example.com"_qs);
}

// One purchase of the test and what it must come to; reason "" for a win.
struct Expected {
    QString requestId;
    QString userId;
    int quantity = 1;
    QString reason;
};

} // namespace

class TestRestart : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Server> m_server;

    // Starts a node on m_dir (stopping the previous one first).
    bool startNode(QString *error)
    {
        m_server.reset();
        ServerOptions options = crowdNodeOptions();
        options.dataDir = m_dir.path();
        options.port = 0;
        options.adminToken = u"restart-token"_qs;
        options.httpThreads = 2;
        m_server = std::make_unique<Server>(options);
        return m_server->start(error);
    }

    // Buys each purchase in order with ?wait and checks its answer, kept in answers by requestId.
    // A store that cannot commit answers 503 within a few seconds, so this is bounded.
    static void buyInOrder(ApiClient &client, const QList<Expected> &purchases, QHash<QString, QJsonObject> *answers)
    {
        for (const Expected &p : purchases) {
            const ApiReply r = client.call("POST", u"/api/v1/events/encore/purchases?wait=5000"_qs,
                                           purchase(p.requestId, p.userId, p.quantity));
            const QString what = QStringLiteral("%1 (%2 x%3) expected %4, got %5 %6")
                                     .arg(p.requestId, p.userId).arg(p.quantity)
                                     .arg(p.reason.isEmpty() ? u"won"_qs : p.reason).arg(r.status).arg(QString::fromUtf8(r.body));
            QVERIFY2(r.status == 200, qPrintable(what));
            const bool won = r.json.value(u"state"_qs).toString() == u"won";
            QVERIFY2(won == p.reason.isEmpty() && (won || r.json.value(u"reason"_qs).toString() == p.reason), qPrintable(what));
            answers->insert(p.requestId, r.json);
        }
    }

private Q_SLOTS:
    void cleanup()
    {
        m_server.reset(); // a node whose store keeps failing gives up within 10 s
    }

    void restartThenSell()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(startNode(&error), qPrintable(error));
        ApiClient client(m_server->baseUrl(), "restart-token", 1);
        QVERIFY(client.openSale(u"encore"_qs, 20, 2));

        const QList<Expected> first = {
            {u"full-1"_qs, u"full"_qs, 2, {}}, {u"half-1"_qs, u"half"_qs, 1, {}},
            {u"full-2"_qs, u"full"_qs, 1, u"limit_reached"_qs}, {u"a-1"_qs, u"a"_qs, 1, {}},
            {u"b-1"_qs, u"b"_qs, 2, {}}, {u"c-1"_qs, u"c"_qs, 1, {}},
        };
        QHash<QString, QJsonObject> before;
        buyInOrder(client, first, &before);
        if (QTest::currentTestFailed())
            return;
        qint64 maxOrderId = 0;
        for (const QJsonObject &answer : before)
            maxOrderId = std::max(maxOrderId, answer.value(u"orderId"_qs).toInteger());
        const QString db = StoreLocation::sqliteIn(m_dir.path()).databaseName;
        QCOMPARE(sqlScalar(db, u"SELECT MAX(order_id) FROM orders"_qs), maxOrderId);
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM orders"_qs), 5);

        m_server->stop();
        QVERIFY2(startNode(&error), qPrintable(error));
        client.setBaseUrl(m_server->baseUrl());
        QCOMPARE(client.call("GET", u"/api/v1/events/encore"_qs).json.value(u"remaining"_qs).toInt(), 20 - 7);

        // Every old ticket reads as before, and every old requestId, even sent with other fields,
        // gets its ticket and first result back without being decided again; sent by another
        // user it is refused (a requestId stays bound to its user across the restart).
        QHash<QString, QString> userByRequest;
        for (const Expected &p : first)
            userByRequest.insert(p.requestId, p.userId);
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            const QString ticket = it->value(u"ticket"_qs).toString();
            const ApiReply polled = client.call("GET", u"/api/v1/tickets/"_qs + ticket);
            QCOMPARE(polled.status, 200);
            QCOMPARE(polled.json.value(u"state"_qs), it->value(u"state"_qs));
            QCOMPARE(polled.json.value(u"orderId"_qs), it->value(u"orderId"_qs));
            QCOMPARE(polled.json.value(u"reason"_qs), it->value(u"reason"_qs));
            const ApiReply stolen = client.call("POST", u"/api/v1/events/encore/purchases?wait=5000"_qs,
                                                purchase(it.key(), u"someone-else"_qs, 1));
            QCOMPARE(stolen.status, 409);
            QCOMPARE(stolen.json.value(u"error"_qs).toString(), u"idempotency_conflict"_qs);
            const ApiReply again = client.call("POST", u"/api/v1/events/encore/purchases?wait=5000"_qs,
                                               purchase(it.key(), userByRequest.value(it.key()), 1));
            QCOMPARE(again.status, 200);
            QCOMPARE(again.json.value(u"ticket"_qs).toString(), ticket);
            QCOMPARE(again.json.value(u"state"_qs), it->value(u"state"_qs));
            QCOMPARE(again.json.value(u"orderId"_qs), it->value(u"orderId"_qs));
        }
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM requests"_qs), first.size());

        // New sales: the per-user totals from before count, and order ids go on above the old ones.
        const QList<Expected> second = {
            {u"full-3"_qs, u"full"_qs, 1, u"limit_reached"_qs}, // had 2 of 2
            {u"half-2"_qs, u"half"_qs, 2, u"limit_reached"_qs}, // had 1: 1 + 2 > 2
            {u"half-3"_qs, u"half"_qs, 1, {}},                  // had 1: 1 + 1 = 2
            {u"new-1"_qs, u"new"_qs, 2, {}},
            {u"new-2"_qs, u"new"_qs, 1, u"limit_reached"_qs},
            {u"d-1"_qs, u"d"_qs, 1, {}},
        };
        QHash<QString, QJsonObject> after;
        buyInOrder(client, second, &after);
        if (QTest::currentTestFailed())
            return;
        QSet<qint64> newOrderIds;
        for (const QJsonObject &answer : after) {
            if (answer.value(u"state"_qs).toString() != u"won")
                continue;
            const qint64 orderId = answer.value(u"orderId"_qs).toInteger();
            QVERIFY2(orderId > maxOrderId, qPrintable(QStringLiteral("order id %1 after the restart, %2 before").arg(orderId).arg(maxOrderId)));
            newOrderIds.insert(orderId);
        }
        QCOMPARE(newOrderIds.size(), 3);
        QCOMPARE(client.call("GET", u"/api/v1/events/encore"_qs).json.value(u"remaining"_qs).toInt(), 20 - 7 - 4);
        m_server->stop();

        QCOMPARE(sqlScalar(db, u"SELECT COUNT(DISTINCT order_id) FROM orders"_qs), 8);
        QCOMPARE(sqlScalar(db, u"SELECT SUM(quantity) FROM orders WHERE user_id = 'full'"_qs), 2);
        QCOMPARE(sqlScalar(db, u"SELECT SUM(quantity) FROM orders WHERE user_id = 'half'"_qs), 2);
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING SUM(quantity) > 2)"_qs), 0);
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM requests"_qs), first.size() + second.size());
    }
};

QTEST_GUILESS_MAIN(TestRestart)
#include "tst_restart.moc"
