// Durability: kill -9 the headless engine in the middle of a sale, restart it on the same data
// dir, and check that every ticket it ever reported is known and the stock adds up.
#include "apiclient.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include "sqlcheck.h"

#include <QTest>

#include <csignal>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}


} // namespace

class TestCrash : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    quint16 m_port = 0;

    std::unique_ptr<QProcess> startEngine(ApiClient &client)
    {
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->start(QStringLiteral(FLASHSALE_BINARY),
                       {u"--headless"_qs, u"--data-dir"_qs, m_dir.path(), u"--listen"_qs,
                        u"127.0.0.1:"_qs + QString::number(m_port), u"--admin-token"_qs, u"crash-token"_qs});
        if (!process->waitForStarted(10000))
            return nullptr;
        const bool up = ApiClient::waitUntil([&] { return client.call("GET", u"/healthz"_qs).status == 200; }, 20000);
        return up ? std::move(process) : nullptr;
    }

private Q_SLOTS:
    void killedMidSaleLosesNothing()
    {
        QVERIFY(m_dir.isValid());
        m_port = freePort();
        ApiClient client(u"http://127.0.0.1:"_qs + QString::number(m_port), "crash-token", 30);
        auto engine = startEngine(client);
        QVERIFY(engine);
        const int stock = 300;
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, u"crash"_qs}, {u"name"_qs, u"Crash"_qs}, {u"priceCents"_qs, 500},
                               {u"stock"_qs, stock}, {u"perUserLimit"_qs, 1}}).status, 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/crash/open"_qs).status, 200);

        // Fire 6,000 purchases; SIGKILL once 1,500 have answered, with the rest in flight.
        struct Reported {
            QString state;
            qint64 orderId = 0;
            QString reason;
        };
        QHash<QString, Reported> reported; // ticket -> what the client was told
        const int total = 6000;
        int answered = 0;
        bool killed = false;
        for (int i = 0; i < total; ++i) {
            const QByteArray body = QJsonDocument(QJsonObject{{u"requestId"_qs, QString::number(i)},
                                                              {u"userId"_qs, u"u"_qs + QString::number(i % 4000)},
                                                              {u"quantity"_qs, 1}}).toJson(QJsonDocument::Compact);
            const QString path = u"/api/v1/events/crash/purchases"_qs + (i % 3 == 0 ? u"?wait=2000"_qs : QString());
            client.send("POST", path, body, false, [&](const ApiReply &r) {
                ++answered;
                if (r.status == 200 || r.status == 202) {
                    reported.insert(r.json.value(u"ticket"_qs).toString(),
                                    Reported{r.json.value(u"state"_qs).toString(), r.json.value(u"orderId"_qs).toInteger(),
                                             r.json.value(u"reason"_qs).toString()});
                }
                if (!killed && answered >= 1500) {
                    killed = true;
                    ::kill(pid_t(engine->processId()), SIGKILL);
                }
            });
        }
        QVERIFY(ApiClient::waitUntil([&] { return answered == total; }, 120000));
        QVERIFY(killed);
        QVERIFY(engine->state() == QProcess::NotRunning || engine->waitForFinished(10000));
        QCOMPARE(engine->exitStatus(), QProcess::CrashExit);
        qInfo("%lld tickets reported before the kill", static_cast<long long>(reported.size()));
        QVERIFY(reported.size() >= 1500);

        // Restart on the same data dir.
        engine = startEngine(client);
        QVERIFY(engine);
        int decidedBefore = 0;
        int queuedBefore = 0;
        for (auto it = reported.cbegin(); it != reported.cend(); ++it) {
            const ApiReply r = client.call("GET", u"/api/v1/tickets/"_qs + it.key() + u"?wait=10000"_qs);
            QCOMPARE(r.status, 200);
            const QString state = r.json.value(u"state"_qs).toString();
            QVERIFY2(state == u"won" || state == u"lost", qPrintable(it.key() + u" is "_qs + state));
            if (it->state == u"queued") {
                ++queuedBefore;
            } else {
                ++decidedBefore;
                QCOMPARE(state, it->state);
                QCOMPARE(r.json.value(u"orderId"_qs).toInteger(), it->orderId);
                QCOMPARE(r.json.value(u"reason"_qs).toString(), it->reason);
            }
        }
        qInfo("after restart: %d decided results kept, %d queued tickets decided", decidedBefore, queuedBefore);

        // remaining = stock + restocks - won units, on the API and in the file.
        const ApiReply event = client.call("GET", u"/api/v1/events/crash"_qs);
        const QString dbPath = QDir(m_dir.path()).filePath(u"flashsale.sqlite"_qs);
        const std::int64_t wonUnits = sqlScalar(dbPath, u"SELECT COALESCE(SUM(quantity), 0) FROM orders"_qs);
        QCOMPARE(event.json.value(u"remaining"_qs).toInteger(), stock - wonUnits);
        QVERIFY(wonUnits <= stock);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING SUM(quantity) > 1)"_qs), 0);

        // A clean stop: SIGTERM drains and exits 0.
        engine->terminate();
        QVERIFY(engine->waitForFinished(30000));
        QCOMPARE(engine->exitStatus(), QProcess::NormalExit);
        QCOMPARE(engine->exitCode(), 0);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM requests WHERE state = 'queued'"_qs), 0);
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
