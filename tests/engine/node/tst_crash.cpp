// Durability: kill -9 the headless engine in the middle of a sale, restart it on the same data
// dir, and check that every answer it gave is still true and the stock adds up.
#include "tests/support/engineprocess.h"
#include "tests/support/purchaseledger.h"
#include "tests/support/sqlcheck.h"

#include <QJsonDocument>
#include <QTemporaryDir>

#include <QTest>

class TestCrash : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killedMidSaleLosesNothing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EngineProcess engine(dir.path(), "crash-token");
        ApiClient client(engine.baseUrl(), "crash-token", 30);
        QVERIFY(engine.start(client));
        const int stock = 300;
        QVERIFY(client.openSale(u"crash"_qs, stock, 1, 500));

        // Fire 6,000 purchases; SIGKILL once 1,500 have answered, with the rest in flight.
        const int total = 6000;
        PurchaseLedger ledger;
        ledger.allowUnavailable = true; // the kill leaves requests without an answer
        bool killed = false;
        for (int i = 0; i < total; ++i) {
            const QString requestId = QString::number(i);
            const QString userId = u"u"_qs + QString::number(i % 4000);
            const QByteArray body = purchaseBody(requestId, userId);
            const QString path = u"/api/v1/events/crash/purchases"_qs + (i % 3 == 0 ? u"?wait=2000"_qs : QString());
            client.send("POST", path, body, false, [&, record = ledger.recorder(requestId, userId, 1)](const ApiReply &r) {
                record(r);
                if (!killed && ledger.answered >= 1500) {
                    killed = true;
                    engine.sendSignal(SIGKILL);
                }
            });
        }
        QVERIFY(ApiClient::waitUntil([&] { return ledger.answered == total; }, 120000));
        QVERIFY(killed);
        QVERIFY(engine.waitForExit(10000));
        QCOMPARE(engine.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(ledger.unexpected, 0);
        qInfo("%lld decided answers before the kill, %lld requests without an answer, %lld answered 503",
              qlonglong(ledger.resultByTicket.size()), qlonglong(ledger.unanswered.size()),
              qlonglong(ledger.unavailable.size()));
        QVERIFY(ledger.resultByTicket.size() >= 1500);
        // The embedded engine journals a request together with its decision, so it never
        // answers 202 "queued": every ticket a client heard of came with its result.
        QCOMPARE(ledger.resultByTicket.size(), ledger.ticketByRequest.size());

        // What the file held at the kill: every answer given is in it, with the same result.
        const QString dbPath = engine.dbPath();
        const QHash<QString, JournalEntry> journal = journalByRequest(dbPath, u"crash"_qs);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) - COUNT(DISTINCT request_id) FROM requests"_qs), 0);
        const QStringList inJournal = ledger.journalProblems(journal);
        QVERIFY2(inJournal.isEmpty(), qPrintable(inJournal.mid(0, 5).join(u"; "_qs)));

        // Restart on the same data dir: the API tells the same results.
        QVERIFY(engine.start(client));
        const QStringList afterRestart = ledger.answerProblems(client);
        QVERIFY2(afterRestart.isEmpty(), qPrintable(afterRestart.mid(0, 5).join(u"; "_qs)));

        // The requests cut off by the kill, retried with their requestIds: one committed before
        // the kill gets its journaled result; the others are decided now, once.
        QHash<QString, ApiReply> retried; // requestId -> the answer to its retry
        for (const QString &requestId : std::as_const(ledger.unanswered)) {
            const QByteArray body = purchaseBody(requestId, u"u"_qs + QString::number(requestId.toInt() % 4000));
            client.send("POST", u"/api/v1/events/crash/purchases"_qs, body, false,
                        [&retried, requestId](const ApiReply &r) { retried.insert(requestId, r); });
        }
        QVERIFY(ApiClient::waitUntil([&] { return retried.size() == ledger.unanswered.size(); }, 60000));
        int committedUnanswered = 0;
        for (auto it = retried.cbegin(); it != retried.cend(); ++it) {
            const ApiReply &r = it.value();
            QCOMPARE(r.status, 200);
            const QString state = r.json.value(u"state"_qs).toString();
            QVERIFY2(state == u"won" || state == u"lost", r.body.constData());
            const auto entry = journal.constFind(it.key());
            if (entry != journal.cend()) {
                ++committedUnanswered;
                QCOMPARE(r.json.value(u"ticket"_qs).toString(), entry->ticket);
                QCOMPARE(state, entry->state);
                QCOMPARE(r.json.value(u"orderId"_qs).toInteger(), entry->orderId);
            }
        }
        qInfo("%d of the unanswered requests had been committed before the kill", committedUnanswered);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) - COUNT(DISTINCT request_id) FROM requests"_qs), 0);

        // remaining = stock - won units, on the API and in the file; nobody over the limit.
        const ApiReply event = client.call("GET", u"/api/v1/events/crash"_qs);
        const std::int64_t wonUnits = sqlScalar(dbPath, u"SELECT COALESCE(SUM(quantity), 0) FROM orders"_qs);
        QCOMPARE(event.json.value(u"remaining"_qs).toInteger(), stock - wonUnits);
        QVERIFY(wonUnits <= stock);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING SUM(quantity) > 1)"_qs), 0);

        // A clean stop: SIGTERM drains and exits 0.
        engine.sendSignal(SIGTERM);
        QVERIFY(engine.waitForExit(30000));
        QCOMPARE(engine.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(engine.process().exitCode(), 0);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM requests WHERE state NOT IN ('won', 'lost')"_qs), 0);
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
