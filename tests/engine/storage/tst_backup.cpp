// Online backups with the real binary: `flashsale --backup` (from the data dir, or from a running
// node with --connect) during a sale gives a sound, consistent prefix of the sale that a node
// restored from it serves; the admin endpoint refuses a missing or wrong token.
#include "tests/support/engineprocess.h"
#include "tests/support/purchaseledger.h"
#include "tests/support/sqlcheck.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>

#include <QTest>

namespace {

constexpr int kStock = 150;
constexpr int kPurchases = 3000;


// No display at all, as on a server (ctest's QT_QPA_PLATFORM=offscreen removed too), and the
// admin token in FLASHSALE_ADMIN_TOKEN when given.
QProcessEnvironment backupEnvironment(const QString &token)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"FLASHSALE_ADMIN_TOKEN"_qs, u"QT_QPA_PLATFORM"_qs, u"DISPLAY"_qs, u"WAYLAND_DISPLAY"_qs})
        environment.remove(name);
    if (!token.isEmpty())
        environment.insert(u"FLASHSALE_ADMIN_TOKEN"_qs, token);
    return environment;
}

} // namespace

class TestBackup : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void backupDuringSale_data()
    {
        QTest::addColumn<bool>("throughNode");
        QTest::newRow("--data-dir") << false;
        QTest::newRow("--connect") << true;
    }

    void backupDuringSale()
    {
        QFETCH(bool, throughNode);
        QTemporaryDir liveDir;
        QTemporaryDir backupDir;
        EngineProcess node(liveDir.path(), "backup-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 20);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, u"sale"_qs}, {u"name"_qs, u"Sale"_qs}, {u"priceCents"_qs, 990}, {u"stock"_qs, kStock},
                               {u"perUserLimit"_qs, 1}}).status, 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/sale/open"_qs).status, 200);

        // The sale runs; the backup starts once 300 purchases were answered, the rest in flight.
        PurchaseLedger ledger;
        for (int i = 0; i < kPurchases; ++i) {
            const QString requestId = u"r%1"_qs.arg(i);
            const QString userId = u"u%1"_qs.arg(i % 2000);
            const QString contact = i % 2 ? u"u%1@example.com"_qs.arg(i) : QString();
            client.send("POST", u"/api/v1/events/sale/purchases?wait=5000"_qs, purchaseBody(requestId, userId, 1, contact), false,
                        ledger.recorder(requestId, userId, 1, contact));
        }
        QVERIFY(ApiClient::waitUntil([&] { return ledger.answered >= 300; }, 60000));
        const int answeredAtStart = ledger.answered;
        const QList<QString> committedBefore = ledger.resultByTicket.keys(); // answered: committed
        const QString copy = QDir(backupDir.path()).filePath(u"copy.sqlite"_qs);
        QStringList arguments{u"--backup"_qs, copy};
        arguments << (throughNode ? QStringList{u"--connect"_qs, node.baseUrl()} : QStringList{u"--data-dir"_qs, liveDir.path()});
        const CommandRun run = runFlashsale(arguments, backupEnvironment(u"backup-token"_qs));
        QVERIFY(run.finished);
        QVERIFY2(run.exitCode == 0, run.standardError.constData());
        qInfo("backup started with %d of %d purchases answered; %d answered when it finished", answeredAtStart, kPurchases,
              ledger.answered);
        QVERIFY(answeredAtStart < kPurchases);
        QVERIFY(ApiClient::waitUntil([&] { return ledger.answered == kPurchases; }, 60000));
        QCOMPARE(ledger.unexpected, 0);
        QVERIFY(node.stop());

        // Sound, and a consistent prefix: every order has its journal row, every loss up to the
        // intent projector's cursor is counted in its lead (the rest it lists after a restore).
        QCOMPARE(sqlRows(copy, u"PRAGMA integrity_check"_qs), QStringList{u"ok"_qs});
        const std::int64_t journaled = sqlScalar(copy, u"SELECT COUNT(*) FROM requests"_qs);
        QVERIFY(journaled > 0);
        QCOMPARE(sqlScalar(copy, u"SELECT COUNT(*) FROM orders o LEFT JOIN requests r ON r.seq = o.ticket_seq"
                                 " AND r.state = 'won' AND r.order_id = o.order_id WHERE r.seq IS NULL"_qs), 0);
        QCOMPARE(sqlScalar(copy, u"SELECT COUNT(*) FROM orders"_qs), sqlScalar(copy, u"SELECT COUNT(*) FROM requests WHERE state = 'won'"_qs));
        QCOMPARE(sqlScalar(copy, u"SELECT COALESCE(SUM(attempts), 0) FROM intents"_qs),
                 sqlScalar(copy, u"SELECT COUNT(*) FROM requests r, intent_projection c WHERE r.state = 'lost'"
                                 " AND (r.commit_no, r.commit_pos) <= (c.projected_commit, c.projected_pos)"_qs));
        QCOMPARE(sqlScalar(copy, u"SELECT COUNT(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING SUM(quantity) > 1)"_qs), 0);
        const std::int64_t wonUnits = sqlScalar(copy, u"SELECT COALESCE(SUM(quantity), 0) FROM orders"_qs);
        QVERIFY(wonUnits <= kStock);
        // Each journaled request is what its client was told, and every request answered before
        // the backup started is in it.
        QSet<QString> copied;
        for (const QString &row : sqlRows(copy, u"SELECT seq, printf('%08x', ticket_tag), state, COALESCE(order_id, reason) FROM requests"_qs)) {
            const QStringList cells = row.split(u'|');
            copied.insert(cells[0] + u'-' + cells[1]);
            const QJsonObject told = ledger.resultByTicket.value(cells[0] + u'-' + cells[1]);
            QCOMPARE(told.value(u"state"_qs).toString(), cells[2]);
            QCOMPARE(cells[2] == u"won" ? QString::number(told.value(u"orderId"_qs).toInteger()) : told.value(u"reason"_qs).toString(),
                     cells[3]);
        }
        for (const QString &ticket : committedBefore)
            QVERIFY2(copied.contains(ticket), qPrintable(ticket + u" was answered before the backup but is not in it"_qs));

        // Restore: the copy as a data dir's database; a node serves it with the stock it holds.
        QTemporaryDir restoredDir;
        QVERIFY(QFile::copy(copy, QDir(restoredDir.path()).filePath(u"flashsale.sqlite"_qs)));
        EngineProcess restored(restoredDir.path(), "backup-token");
        QVERIFY(restored.start());
        ApiClient restoredClient(restored.baseUrl(), restored.adminToken(), 2);
        const ApiReply event = restoredClient.admin("GET", u"/api/v1/admin/events/sale"_qs);
        QCOMPARE(event.json.value(u"remaining"_qs).toInteger(), kStock - wonUnits);
        QCOMPARE(event.json.value(u"accepted"_qs).toInteger(), journaled);
        QVERIFY(restored.stop());
    }

    // The admin endpoint wants the admin token: --connect without it or with a wrong one saves
    // nothing, and a bare GET gets the API's 401.
    void connectRefusesBadToken_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QByteArray>("complaint");
        QTest::newRow("no token") << QString() << QByteArray("FLASHSALE_ADMIN_TOKEN");
        QTest::newRow("wrong token") << u"not-the-token"_qs << QByteArray("401 unauthorized");
    }

    void connectRefusesBadToken()
    {
        QFETCH(QString, token);
        QFETCH(QByteArray, complaint);
        QTemporaryDir liveDir;
        QTemporaryDir backupDir;
        EngineProcess node(liveDir.path(), "right-token");
        QVERIFY(node.start());
        const QString copy = QDir(backupDir.path()).filePath(u"copy.sqlite"_qs);
        const CommandRun run = runFlashsale({u"--backup"_qs, copy, u"--connect"_qs, node.baseUrl()}, backupEnvironment(token));
        QVERIFY(run.finished);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.standardError.contains(complaint), run.standardError.constData());
        QCOMPARE(QDir(backupDir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());

        ApiClient client(node.baseUrl(), token.toUtf8(), 1);
        const ApiReply bare = client.call("GET", u"/api/v1/admin/backup"_qs, {}, !token.isEmpty());
        QCOMPARE(bare.status, 401);
        QCOMPARE(bare.json.value(u"error"_qs).toString(), u"unauthorized"_qs);
        QVERIFY(node.stop());
    }

    // --backup never writes over the database it copies.
    void backupRefusesTheLiveDatabase()
    {
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "token");
        QVERIFY(node.start());
        QVERIFY(node.stop());
        const QString live = QDir(dir.path()).filePath(u"flashsale.sqlite"_qs);
        const std::int64_t sizeBefore = QFileInfo(live).size();
        const CommandRun run = runFlashsale({u"--backup"_qs, live, u"--data-dir"_qs, dir.path()}, backupEnvironment(QString()));
        QVERIFY(run.finished);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.standardError.contains("live database"), run.standardError.constData());
        QCOMPARE(QFileInfo(live).size(), sizeBefore);
        QCOMPARE(sqlRows(live, u"PRAGMA integrity_check"_qs), QStringList{u"ok"_qs});
    }
};

QTEST_GUILESS_MAIN(TestBackup)
#include "tst_backup.moc"
