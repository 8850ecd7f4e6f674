// I/O faults under a sale: the real flashsale binary runs under libfiu (fiu-run), its SQLite
// writes or fsyncs fail with EIO or ENOSPC, and no answer it gave may be lost or untrue.
#include "tests/support/engineprocess.h"
#include "tests/support/purchaseledger.h"
#include "tests/support/sqlcheck.h"
#include "tests/support/visibleskip.h"

#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <QTest>

#include <cerrno>

namespace {

constexpr char kPreload[] = "/usr/lib/fiu/fiu_posix_preload.so";

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT
private:
    QString m_fiuRun;
    QString m_fiuCtrl;

    // Sends libfiu commands to the running engine through fiu-ctrl; true once it applied them.
    bool control(const QString &fifoPrefix, qint64 pid, const QStringList &commands)
    {
        QStringList arguments{u"-f"_qs, fifoPrefix};
        for (const QString &command : commands)
            arguments << u"-c"_qs << command;
        arguments << QString::number(pid);
        QProcess ctl;
        ctl.setProcessChannelMode(QProcess::ForwardedChannels);
        ctl.start(m_fiuCtrl, arguments);
        return ctl.waitForFinished(10000) && ctl.exitStatus() == QProcess::NormalExit && ctl.exitCode() == 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_fiuRun = QStandardPaths::findExecutable(u"fiu-run"_qs);
        m_fiuCtrl = QStandardPaths::findExecutable(u"fiu-ctrl"_qs);
        if (m_fiuRun.isEmpty() || m_fiuCtrl.isEmpty() || !QFileInfo::exists(QString::fromLatin1(kPreload)))
            SKIP_UNLESS_CI(u"libfiu is not installed: apt-get install fiu-utils libfiu-dev (scripts/install-deps.sh --test)"_qs);
    }

    void answersSurviveIoFaults_data()
    {
        QTest::addColumn<QString>("point"); // the libfiu failure point of the POSIX call that fails
        QTest::addColumn<int>("error");     // the errno it fails with
        QTest::addColumn<double>("probability");
        // SQLite writes its WAL and database pages with pwrite and syncs them with fdatasync;
        // sockets use write/send, so the HTTP side keeps working.
        QTest::newRow("pwrite EIO") << u"posix/io/rw/pwrite"_qs << EIO << 0.02;
        QTest::newRow("pwrite ENOSPC") << u"posix/io/rw/pwrite"_qs << ENOSPC << 0.02;
        QTest::newRow("fdatasync EIO") << u"posix/io/sync/fdatasync"_qs << EIO << 0.1;
    }

    void answersSurviveIoFaults()
    {
        QFETCH(QString, point);
        QFETCH(int, error);
        QFETCH(double, probability);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifoPrefix = dir.filePath(u"fiu-ctrl"_qs);
        EngineProcess engine(dir.filePath(u"data"_qs), "faults-token");
        ApiClient client(engine.baseUrl(), "faults-token", 10);
        QVERIFY(engine.start(client, {m_fiuRun, u"-x"_qs, u"-f"_qs, fifoPrefix}, true));
        const int stock = 1000;
        QVERIFY(client.openSale(u"faulty"_qs, stock));
        const QString purchases = u"/api/v1/events/faulty/purchases"_qs;
        PurchaseLedger ledger;
        ledger.allowUnavailable = true; // 503 is the answer while the store fails
        const auto sendAll = [&](const QList<std::pair<QString, QString>> &requests) {
            const int target = ledger.answered + int(requests.size());
            for (const auto &[requestId, userId] : requests)
                client.send("POST", purchases, purchaseBody(requestId, userId), false, ledger.recorder(requestId, userId, 1));
            return ApiClient::waitUntil([&] { return ledger.answered == target; }, 90000);
        };

        // 1. A sale of 600 requests from 400 shoppers, in 12 waves of 50, while some writes
        // fail at random. Each wave waits for the node to say it is healthy again, so that
        // faults land throughout the sale rather than only in the first burst.
        QVERIFY(control(fifoPrefix, engine.pid(),
                        {QStringLiteral("enable_random name=%1,probability=%2,failinfo=%3").arg(point).arg(probability).arg(error)}));
        QList<std::pair<QString, QString>> sale;
        for (int wave = 0; wave < 12; ++wave) {
            QVERIFY(ApiClient::waitUntil([&] { return client.call("GET", u"/healthz"_qs).status == 200; }, 20000));
            QList<std::pair<QString, QString>> requests;
            for (int i = wave * 50; i < (wave + 1) * 50; ++i)
                requests.append({u"sale-"_qs + QString::number(i), u"u"_qs + QString::number(i % 400)});
            QVERIFY(sendAll(requests));
            sale += requests;
        }
        // The writer logs the first failure of each run of failed commits.
        const qsizetype failureRuns = engine.log().count("store commit failed");
        QVERIFY2(failureRuns > 0, "no commit failed: the faults did not reach the store");
        const qsizetype decidedUnderFaults = ledger.resultByTicket.size();
        qInfo("under random faults: %lld runs of failed commits; %lld decided, %lld answered 503, %lld without an answer",
              qlonglong(failureRuns), qlonglong(decidedUnderFaults), qlonglong(ledger.unavailable.size()),
              qlonglong(ledger.unanswered.size()));
        QVERIFY(decidedUnderFaults > 0);

        // 2. Every such call fails: nothing can be committed, so nothing may be answered but 503.
        // The node is healthy (idle) when the faults turn permanent, so it accepts requests
        // until its next commit fails.
        QVERIFY(ApiClient::waitUntil([&] { return client.call("GET", u"/healthz"_qs).status == 200; }, 20000));
        const auto accepted = [&] { return client.admin("GET", u"/api/v1/admin/stats"_qs).json.value(u"accepted"_qs).toInteger(); };
        const qint64 acceptedBefore = accepted();
        QVERIFY(control(fifoPrefix, engine.pid(),
                        {u"disable name="_qs + point, QStringLiteral("enable name=%1,failinfo=%2").arg(point).arg(error)}));
        QList<std::pair<QString, QString>> blocked;
        for (int i = 0; i < 50; ++i)
            blocked.append({u"blocked-"_qs + QString::number(i), u"v"_qs + QString::number(i)});
        QVERIFY(sendAll(blocked));
        QVERIFY(accepted() > acceptedBefore); // some were taken in and waited for a commit
        for (const auto &[requestId, userId] : std::as_const(blocked))
            QVERIFY2(ledger.unavailable.contains(requestId), qPrintable(requestId + u" was answered while no commit could succeed"_qs));
        const ApiReply failing = client.call("GET", u"/healthz"_qs);
        QCOMPARE(failing.status, 503);
        QVERIFY2(failing.json.value(u"reason"_qs).toString().contains(u"store is failing to commit"_qs), failing.body.constData());

        // 3. Faults off: the node recovers by itself, the refused requests retried with their
        // requestIds are decided, and a new shopper buys.
        QVERIFY(control(fifoPrefix, engine.pid(), {u"disable name="_qs + point}));
        QVERIFY(ApiClient::waitUntil([&] { return client.call("GET", u"/healthz"_qs).status == 200; }, 20000));
        QList<std::pair<QString, QString>> retries;
        for (const auto &request : std::as_const(sale) + blocked) {
            if (ledger.unavailable.contains(request.first) || ledger.unanswered.contains(request.first))
                retries.append(request);
        }
        ledger.unavailable.clear();
        ledger.unanswered.clear();
        QVERIFY(sendAll(retries));
        QVERIFY(sendAll({{u"after-faults"_qs, u"w0"_qs}}));
        QCOMPARE(ledger.unavailable.size(), 0);
        QCOMPARE(ledger.unanswered.size(), 0);
        QCOMPARE(ledger.unexpected, 0);
        QCOMPARE(ledger.resultByTicket.size(), sale.size() + blocked.size() + 1);
        QCOMPARE(ledger.resultByTicket.value(ledger.ticketByRequest.value(u"after-faults"_qs)).value(u"state"_qs).toString(),
                 u"won"_qs);

        // 4. kill -9 and restart without faults: every answer given is on disk, with the same result.
        engine.sendSignal(SIGKILL);
        QVERIFY(engine.waitForExit(10000));
        const QHash<QString, JournalEntry> journal = journalByRequest(engine.dbPath(), u"faulty"_qs);
        QCOMPARE(journal.size(), ledger.ticketByRequest.size());
        const QStringList inJournal = ledger.journalProblems(journal);
        QVERIFY2(inJournal.isEmpty(), qPrintable(inJournal.mid(0, 5).join(u"; "_qs)));
        QVERIFY(engine.start(client));
        const QStringList afterRestart = ledger.answerProblems(client);
        QVERIFY2(afterRestart.isEmpty(), qPrintable(afterRestart.mid(0, 5).join(u"; "_qs)));
        const std::int64_t wonUnits = sqlScalar(engine.dbPath(), u"SELECT COALESCE(SUM(quantity), 0) FROM orders"_qs);
        QCOMPARE(sqlScalar(engine.dbPath(), u"SELECT COUNT(*) FROM requests WHERE state = 'won'"_qs),
                 sqlScalar(engine.dbPath(), u"SELECT COUNT(*) FROM orders"_qs));
        QCOMPARE(client.call("GET", u"/api/v1/events/faulty"_qs).json.value(u"remaining"_qs).toInteger(), stock - wonUnits);
        QCOMPARE(sqlScalar(engine.dbPath(), u"SELECT COUNT(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING SUM(quantity) > 1)"_qs), 0);
        engine.sendSignal(SIGTERM);
        QVERIFY(engine.waitForExit(30000));
        QCOMPARE(engine.process().exitCode(), 0);
    }
};

VISIBLESKIP_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
