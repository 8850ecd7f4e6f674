// Durability on the embedded engine: the writer's own SQLite connection runs WAL with
// synchronous=FULL, and while another connection holds the write lock no purchase is answered.
#include "tests/support/crowdoptions.h"
#include "tests/support/apiclient.h"
#include "tests/support/sqlcheck.h"

#include "engine/api/server.h"

#include <QElapsedTimer>
#include <QTemporaryDir>

#include <QTest>

using namespace flashsale;

namespace {

// A purchase sent now, and when its answer came.
struct TimedReply {
    ApiReply reply;
    qint64 afterMs = -1; // -1 until answered
};

} // namespace

class TestDurability : public QObject
{
    Q_OBJECT
private:
    static constexpr int kGraceMs = 1500; // ServerOptions::durableGraceMs for these tests
    std::unique_ptr<QTemporaryDir> m_dir; // a fresh data dir per test
    std::unique_ptr<Server> m_server;
    std::unique_ptr<ApiClient> m_client;

    QString dbPath() const { return StoreLocation::sqliteIn(m_dir->path()).databaseName; }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        ServerOptions options = crowdNodeOptions();
        options.dataDir = m_dir->path();
        options.port = 0;
        options.adminToken = u"test-token"_qs;
        options.httpThreads = 1;
        options.durableGraceMs = kGraceMs;
        m_server = std::make_unique<Server>(options);
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        m_client = std::make_unique<ApiClient>(m_server->baseUrl(), "test-token", 4);
    }

    void cleanup()
    {
        m_client.reset();
        m_server.reset();
        m_dir.reset();
    }

    // The settings are read back from the connection the writer commits on, not a new one.
    void writerRunsWalWithFullSync()
    {
        const StoreDurability durability = m_server->engine().storeDurability();
        QCOMPARE(durability.journalMode, u"wal"_qs);
        QCOMPARE(durability.synchronous, 2); // FULL: a commit returns once the WAL is fsynced
    }

    void writeLockedStoreAnswersNothing()
    {
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                 {{u"id"_qs, u"locked"_qs}, {u"name"_qs, u"Locked"_qs}, {u"priceCents"_qs, 100},
                                  {u"stock"_qs, 10}, {u"perUserLimit"_qs, 1}}).status, 201);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/locked/open"_qs).status, 200);

        // Another connection takes SQLite's write lock, as a second process or a backup would.
        {
            SqliteWriteLock lock(dbPath());
            QVERIFY2(lock.isHeld(), qPrintable(lock.error()));

            QElapsedTimer clock;
            clock.start();
            TimedReply now, waiting; // without ?wait, and with ?wait=500
            m_client->send("POST", u"/api/v1/events/locked/purchases"_qs, purchaseBody(u"r-now"_qs, u"alice"_qs), false,
                           [&](const ApiReply &r) { now = {r, clock.elapsed()}; });
            m_client->send("POST", u"/api/v1/events/locked/purchases?wait=500"_qs, purchaseBody(u"r-wait"_qs, u"bob"_qs),
                           false, [&](const ApiReply &r) { waiting = {r, clock.elapsed()}; });
            QVERIFY(ApiClient::waitUntil([&] { return now.afterMs >= 0 && waiting.afterMs >= 0; }, 15000));

            // Nobody was told anything before the grace ran out, and then only "retry".
            for (const TimedReply *t : {&now, &waiting}) {
                QCOMPARE(t->reply.status, 503);
                QCOMPARE(t->reply.json.value(u"error"_qs).toString(), u"unavailable"_qs);
                QCOMPARE(t->reply.header("Retry-After"), QByteArray("1"));
            }
            QVERIFY2(now.afterMs >= kGraceMs, qPrintable(QString::number(now.afterMs)));
            QVERIFY2(waiting.afterMs >= 500 + kGraceMs, qPrintable(QString::number(waiting.afterMs)));
            QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests"_qs), 0);

            // Once the writer's commit has failed, /healthz says why and new purchases are
            // refused at once.
            ApiReply health;
            QVERIFY(ApiClient::waitUntil([&] {
                health = m_client->call("GET", u"/healthz"_qs);
                return health.status == 503;
            }, 15000));
            QVERIFY2(health.json.value(u"reason"_qs).toString().contains(u"store is failing to commit"_qs), health.body.constData());
            const ApiReply refused = m_client->call("POST", u"/api/v1/events/locked/purchases"_qs,
                                                    purchaseBody(u"r-refused"_qs, u"carol"_qs));
            QCOMPARE(refused.status, 503);
            QCOMPARE(refused.header("Retry-After"), QByteArray("1"));
            QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests"_qs), 0);
        }

        // Lock released: the writer's retry commits, /healthz recovers, and the same requestIds
        // (retried after Retry-After) get their tickets, decided, and a second retry the same again.
        QVERIFY(ApiClient::waitUntil([&] { return m_client->call("GET", u"/healthz"_qs).status == 200; }, 10000));
        for (const auto &[requestId, userId] : {std::pair(u"r-now"_qs, u"alice"_qs), std::pair(u"r-wait"_qs, u"bob"_qs)}) {
            const ApiReply first = m_client->call("POST", u"/api/v1/events/locked/purchases?wait=5000"_qs,
                                                  purchaseBody(requestId, userId));
            QCOMPARE(first.status, 200);
            QCOMPARE(first.json.value(u"state"_qs).toString(), u"won"_qs);
            const ApiReply again = m_client->call("POST", u"/api/v1/events/locked/purchases"_qs, purchaseBody(requestId, userId));
            QCOMPARE(again.status, 200);
            QCOMPARE(again.json.value(u"ticket"_qs).toString(), first.json.value(u"ticket"_qs).toString());
            QCOMPARE(again.json.value(u"orderId"_qs).toInteger(), first.json.value(u"orderId"_qs).toInteger());
            const JournalEntry journaled = journalByRequest(dbPath(), u"locked"_qs).value(requestId);
            QCOMPARE(journaled.ticket, first.json.value(u"ticket"_qs).toString());
            QCOMPARE(journaled.state, u"won"_qs);
        }
        // Both were accepted before the lock was released: their tickets are the first two.
        QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests WHERE seq <= 2"_qs), 2);
        QCOMPARE(sqlScalar(dbPath(), u"SELECT COUNT(*) FROM requests"_qs), 2);
    }
};

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"
