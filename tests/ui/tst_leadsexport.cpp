// The console's exports: CSV and .xlsx files that read back with the right rows and cell types,
// written off the GUI thread; the save dialog that remembers its folder.
#include "engine/storage/records.h"
#include "engine/storage/xlsxexport.h"
#include "testserver.h"
#include "tests/support/sqlcheck.h"
#include "tests/support/xlsxcells.h"
#include "ui/widgets/consolesettings.h"
#include "ui/widgets/exportbar.h"
#include "ui/widgets/labels.h"
#include "ui/widgets/language.h"
#include "ui/models/leadsmodel.h"
#include "ui/pages/leadspage.h"
#include "ui/pages/orderspage.h"
#include "ui/backend/recordsexport.h"

#include <QApplication>
#include <QCheckBox>
#include <QDeadlineTimer>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTimeZone>
#include <QtTest>

using namespace flashsale;

namespace {

// RFC 4180: fields separated by commas, records by CRLF, quotes doubled inside quoted fields.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            record << field;
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') {
            record << field;
            records << record;
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    return records;
}

struct Shopper {
    QString user;
    QString contact;
};

} // namespace

class TestLeadsExport : public QObject
{
    Q_OBJECT
    QTemporaryDir m_settingsDir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Settings of this run only (the remembered export folder), even with runs side by side.
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        // Local time 8 h from UTC, so a workbook written in UTC by mistake reads 8 h off.
        qputenv("TZ", "Asia/Shanghai");
        tzset();
    }

    void cleanup()
    {
        QVERIFY(Language::apply(u"en"_qs)); // each test starts in English, whatever the last one did
    }

    void exportParsesBackWithTheRightRows()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"launch"_qs, 1));
        QVERIFY(purchase(node, u"first-buyer"_qs, QString(), false) == u"won");
        const QList<Shopper> losers{
            {u"Zhang, San"_qs, u"zhang@example.com"_qs},
            {u"\"Quoted\" Li"_qs, u"+86 138 0000 0000"_qs},
            // User ids with line breaks are refused at intake; contacts may still hold them.
            {u"Semi; Colon"_qs, u"=HYPERLINK(\"http://evil\")\r\nsecond line"_qs},
            {u"王小明"_qs, u"wang@例子.中国"_qs},
            {u"no-contact"_qs, QString()},
        };
        for (const Shopper &s : losers)
            QCOMPARE(purchase(node, s.user, s.contact, false), u"lost"_qs);
        QCOMPARE(purchase(node, u"sim-shopper"_qs, u"sim@example.invalid"_qs, true), u"lost"_qs);

        LeadsPage page(node.backend());
        page.setEvents(node.engine().events());
        page.show();
        QTemporaryDir out;

        // Real shoppers only (the default), every lead.
        QList<QStringList> rows = exportRows(page, out.filePath(u"leads.csv"_qs));
        QCOMPARE(rows.size(), 1 + losers.size());
        QCOMPARE(rows[0], (QStringList{u"eventId"_qs, u"userId"_qs, u"contact"_qs, u"quantity"_qs, u"lastReason"_qs,
                                       u"attempts"_qs, u"firstAt"_qs, u"lastAt"_qs, u"simulated"_qs, u"offeredAt"_qs,
                                       u"offerOrderId"_qs, u"offerOutcome"_qs}));
        QHash<QString, QStringList> byUser;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows[i].size(), 12);
            QCOMPARE(rows[i].mid(9), QStringList(3)); // no offers in an event without a payment window
            byUser.insert(rows[i][1], rows[i]);
        }
        for (const Shopper &s : losers) {
            QVERIFY2(byUser.contains(s.user), qPrintable(s.user));
            const QStringList &row = byUser[s.user];
            QCOMPARE(row[0], u"launch"_qs);
            QCOMPARE(row[4], u"sold_out"_qs);
            QCOMPARE(row[8], u"0"_qs);
            // Formula injection: a contact a spreadsheet would run gets a leading quote.
            const bool formula = s.contact.startsWith(u'=') || s.contact.startsWith(u'+');
            QCOMPARE(row[2], formula ? u'\'' + s.contact : s.contact);
        }
        QVERIFY(!byUser.contains(u"sim-shopper"_qs));

        // "Has contact" leaves out the shopper without one.
        page.findChild<QCheckBox *>(u"leadsContactOnly"_qs)->setChecked(true);
        QTRY_COMPARE(page.model()->totalRows(), std::int64_t(losers.size() - 1));
        rows = exportRows(page, out.filePath(u"with-contact.csv"_qs));
        QCOMPARE(rows.size(), 1 + losers.size() - 1);

        // Including simulated shoppers brings the marked one back.
        page.findChild<QCheckBox *>(u"leadsSimulated"_qs)->setChecked(true);
        rows = exportRows(page, out.filePath(u"with-simulated.csv"_qs));
        QCOMPARE(rows.size(), 1 + losers.size());
        bool sawSimulated = false;
        for (const QStringList &row : rows)
            sawSimulated |= row.value(1) == u"sim-shopper" && row.value(8) == u"1";
        QVERIFY(sawSimulated);
    }

    // The intent list is filled by the projector a moment after each commit. While it cannot
    // write (another connection holds SQLite's write lock), the leads page and an export say how
    // many losses they do not show yet; once it can, they are complete and say nothing more.
    void leadsSayHowManyLossesAreNotListedYet_data()
    {
        QTest::addColumn<test::BackendUnderTest>("kind");
        QTest::newRow("in-process") << test::BackendUnderTest::InProcess;
        QTest::newRow("remote") << test::BackendUnderTest::Remote;
    }

    void leadsSayHowManyLossesAreNotListedYet()
    {
        QFETCH(test::BackendUnderTest, kind);
        constexpr int kLosers = 40;
        const QByteArray token("behind-token");
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"node"_qs);
        EngineProcess node(dataDir, token);
        ApiClient client(node.baseUrl(), token, 4);
        QVERIFY(node.start(client));
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              QJsonObject{{u"id"_qs, u"behind"_qs}, {u"name"_qs, u"Behind"_qs}, {u"priceCents"_qs, 100},
                                          {u"stock"_qs, 1}, {u"perUserLimit"_qs, 1}}).status, 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/behind/open"_qs).status, 200);
        for (int i = 0; i <= kLosers; ++i) {
            const ApiReply bought = client.call("POST", u"/api/v1/events/behind/purchases"_qs,
                                                purchaseBody(u"r-%1"_qs.arg(i), u"shopper-%1"_qs.arg(i), 1));
            QCOMPARE(bought.json[u"state"_qs].toString(), i == 0 ? u"won"_qs : u"lost"_qs);
        }
        QVERIFY(node.stop());

        // The projector forgets what it listed, and cannot list it again while the lock is held.
        const QString dbPath = StoreLocation::sqliteIn(dataDir).databaseName;
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM intents"_qs), kLosers);
        QVERIFY(sqlExec(dbPath, u"DELETE FROM intents"_qs));
        QVERIFY(sqlExec(dbPath, u"UPDATE intent_projection SET projected_commit = 0, projected_pos = 0"_qs));
        const QString lockName = u"write-lock"_qs;
        QSqlDatabase lockDb = QSqlDatabase::addDatabase(u"QSQLITE"_qs, lockName);
        lockDb.setDatabaseName(dbPath);
        QVERIFY(lockDb.open());
        QVERIFY(QSqlQuery(lockDb).exec(u"BEGIN IMMEDIATE"_qs));

        std::unique_ptr<ConsoleBackend> backend;
        if (kind == test::BackendUnderTest::InProcess) {
            backend = std::make_unique<LocalBackend>(test::nodeOptions(dataDir, QString::fromLatin1(token)));
        } else {
            QVERIFY(node.start(client));
            backend = std::make_unique<RemoteBackend>(QUrl(node.baseUrl()), QString::fromLatin1(token));
        }
        QVERIFY(backend->start());
        {
            LeadsPage page(*backend);
            EventSnapshot event;
            event.config.id = u"behind"_qs;
            event.config.name = u"Behind"_qs;
            page.setEvents({event});
            page.show();
            QTRY_COMPARE_WITH_TIMEOUT(page.model()->notYetListed(), std::int64_t(kLosers), 10000);
            QCOMPARE(page.model()->totalRows(), 0);
            auto *count = page.findChild<QLabel *>(u"leadsCount"_qs);
            QVERIFY(count);
            QVERIFY2(count->text().contains(u"40 more losses are still being listed"_qs), qPrintable(count->text()));

            QTemporaryDir out;
            QSignalSpy finished(page.exportBar(), &ExportBar::finished);
            QVERIFY(page.exportBar()->exportTo(out.filePath(u"behind.csv"_qs), page.query()));
            QVERIFY(finished.wait(30000));
            QVERIFY(finished.first().at(0).toBool());
            QCOMPARE(finished.first().at(1).value<std::int64_t>(), 0);
            QCOMPARE(page.exportBar()->job()->notYetListed(), std::int64_t(kLosers));
            const QString said = page.findChild<QLabel *>(u"exportResult"_qs)->text();
            QVERIFY2(said.contains(u"40 more losses were still being listed"_qs), qPrintable(said));

            // The projector catches up once it can write: the page and the export are complete.
            QVERIFY(QSqlQuery(lockDb).exec(u"ROLLBACK"_qs));
            lockDb.close();
            QTRY_VERIFY_WITH_TIMEOUT((page.model()->reload(), page.model()->totalRows() == kLosers), 15000);
            QTRY_COMPARE(page.model()->notYetListed(), 0);
            QVERIFY2(!count->text().contains(u"still being listed"_qs), qPrintable(count->text()));
            finished.clear();
            QVERIFY(page.exportBar()->exportTo(out.filePath(u"complete.csv"_qs), page.query()));
            QVERIFY(finished.wait(30000));
            QCOMPARE(finished.first().at(1).value<std::int64_t>(), std::int64_t(kLosers));
            QCOMPARE(page.exportBar()->job()->notYetListed(), 0);
        }
        lockDb = QSqlDatabase();
        QSqlDatabase::removeDatabase(lockName);
        backend->shutDown();
    }

    void bigExportKeepsTheUiResponsiveAndCancels()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"big"_qs, 1));
        constexpr int kRows = 150'000;
        insertIntents(node, u"big"_qs, kRows);

        LeadsPage page(node.backend());
        page.setEvents(node.engine().events());
        page.show();
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->totalRows(), std::int64_t(kRows), 10000);
        // Paging: the last row comes without loading the rest.
        QTRY_VERIFY(!page.model()->index(kRows - 1, LeadsModel::User).data().toString().isEmpty());

        QTemporaryDir out;
        const QString path = out.filePath(u"big.csv"_qs);
        ExportBar *bar = page.exportBar();
        QSignalSpy finished(bar, &ExportBar::finished);
        int ticks = 0;
        QTimer ui;
        connect(&ui, &QTimer::timeout, this, [&] { ++ticks; });
        ui.start(5);
        QVERIFY(bar->exportTo(path, page.query()));
        QSignalSpy progressed(bar->job(), &ExportJob::progressed);
        QVERIFY(finished.wait(30000));
        QVERIFY2(finished.first().at(0).toBool(), "export failed");
        QCOMPARE(finished.first().at(1).value<std::int64_t>(), std::int64_t(kRows));
        QVERIFY2(ticks > 5, "the GUI thread's event loop stalled during the export");
        QVERIFY(!progressed.isEmpty());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.read(3), QByteArray("\xEF\xBB\xBF"));
        qint64 lines = 0;
        while (!file.atEnd())
            lines += file.readLine().endsWith("\r\n") ? 1 : 0;
        QCOMPARE(lines, qint64(kRows + 1));

        // Cancel: reported at once, and no file appears.
        const QString cancelled = out.filePath(u"cancelled.csv"_qs);
        finished.clear();
        QVERIFY(bar->exportTo(cancelled, page.query()));
        bar->job()->cancel();
        QCOMPARE(finished.size(), 1);
        QVERIFY(!finished.first().at(0).toBool());
        // And the next export runs normally. The page's reader runs one job at a time, so once
        // this one is done the cancelled one has stopped too, and must have left no file.
        finished.clear();
        QVERIFY(bar->exportTo(out.filePath(u"again.csv"_qs), page.query()));
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.first().at(0).toBool());
        QVERIFY(QFile::exists(out.filePath(u"again.csv"_qs)));
        QVERIFY(!QFile::exists(cancelled));
    }

    // The console's workbook, in Chinese: headers and reasons in the UI's language, local times
    // as date cells, money as currency cells in the event's currency, ids and phone numbers as
    // strings, booleans as words. Read back by openpyxl.
    void workbookInChineseHasTypedCells()
    {
        test::TestServer node;
        QVERIFY(node.started());
        EventConfig config;
        config.id = u"launch"_qs;
        config.name = u"Launch"_qs;
        config.priceCents = 129950;
        config.currency = u"USD"_qs;
        config.stock = 1;
        QCOMPARE(node.engine().createEvent(config).status, Status::Ok);
        QCOMPARE(node.engine().actOnEvent(config.id, EventAction::Open).status, Status::Ok);
        QCOMPARE(purchase(node, u"13800138000"_qs, u"13800138000"_qs, false), u"won"_qs);
        QCOMPARE(purchase(node, u"0086"_qs, u"=HYPERLINK(\"http://evil\")"_qs, false), u"lost"_qs);
        const std::int64_t decidedAtMs = storedMs(node, u"SELECT decided_at_ms FROM orders"_qs);
        // The lead's last time is its one loss's (the intent projector may not have listed it yet).
        const std::int64_t lastAtMs = storedMs(node, u"SELECT decided_at_ms FROM requests WHERE state = 'lost'"_qs);

        QVERIFY(Language::apply(u"zh_CN"_qs));
        const SheetWords words = translatedSheetWords();
        const SheetWords english = englishSheetWords();
        QTemporaryDir out;

        OrdersPage orders(node.backend());
        orders.setEvents(node.engine().events());
        orders.show();
        test::XlsxRead book = exportWorkbook(orders.exportBar(), orders.query(), out.filePath(u"orders.xlsx"_qs));
        QVERIFY2(book.error.isEmpty(), qPrintable(book.error));
        QCOMPARE(book.sheet, words.orderSheet);
        QCOMPARE(texts(book.rows.value(0)), words.orderHeaders);
        for (qsizetype i = 0; i < words.orderHeaders.size(); ++i)
            QVERIFY2(!words.orderHeaders[i].contains(QRegularExpression(u"[A-Za-z]"_qs)), qPrintable(words.orderHeaders[i]));
        QCOMPARE(book.rows.size(), 2);
        const QList<test::XlsxCellRead> &order = book.rows[1];
        for (int text : {0, 1, 2, 6, 7, 8})
            QCOMPARE(order[text].type, u"s"_qs);
        QCOMPARE(order[2].value, QVariant(u"13800138000"_qs)); // user: never 1.38E+10
        QCOMPARE(order[7].value, QVariant(u"13800138000"_qs)); // contact
        QCOMPARE(order[8].value, QVariant(words.no));
        QVERIFY(words.no != english.no);
        QCOMPARE(order[4].type, u"n"_qs);
        QCOMPARE(order[4].value.toDouble(), 1299.5);
        QCOMPARE(order[4].format, u"[$USD] #,##0.00"_qs);
        QCOMPARE(order[9].type, u"d"_qs);
        QVERIFY(order[9].isDate);
        QVERIFY2(qAbs(localMs(order[9].value) - decidedAtMs) <= 1, qPrintable(order[9].value.toString()));

        LeadsPage leads(node.backend());
        leads.setEvents(node.engine().events());
        leads.show();
        book = exportWorkbook(leads.exportBar(), leads.query(), out.filePath(u"leads.xlsx"_qs));
        QVERIFY2(book.error.isEmpty(), qPrintable(book.error));
        QCOMPARE(book.sheet, words.intentSheet);
        QCOMPARE(texts(book.rows.value(0)), words.intentHeaders);
        QCOMPARE(book.rows.size(), 2);
        const QList<test::XlsxCellRead> &lead = book.rows[1];
        QCOMPARE(lead[1].type, u"s"_qs);
        QCOMPARE(lead[1].value, QVariant(u"0086"_qs)); // leading zeros kept
        QCOMPARE(lead[2].type, u"s"_qs);               // a formula-like contact is text, not a formula
        QCOMPARE(lead[2].value, QVariant(u"=HYPERLINK(\"http://evil\")"_qs));
        QCOMPARE(lead[4].value, QVariant(Labels::reason(LossReason::SoldOut)));
        QVERIFY(Labels::reason(LossReason::SoldOut) != english.reasons[0]);
        QCOMPARE(lead[5].type, u"n"_qs);
        QCOMPARE(lead[7].type, u"d"_qs);
        QVERIFY2(qAbs(localMs(lead[7].value) - lastAtMs) <= 1, qPrintable(lead[7].value.toString()));
    }

    // The save dialog offers .xlsx first and CSV, starts in the folder of the last export and
    // writes the type chosen, whatever suffix the name was left with.
    void saveDialogRemembersItsFolder()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"launch"_qs, 1));
        QCOMPARE(purchase(node, u"buyer"_qs, QString(), false), u"won"_qs);
        QCOMPARE(purchase(node, u"loser"_qs, u"loser@example.com"_qs, false), u"lost"_qs);
        LeadsPage page(node.backend());
        page.setEvents(node.engine().events());
        page.show();
        QTemporaryDir first;
        QTemporaryDir second;
        ConsoleSettings().setExportDir(first.path());
        auto *button = page.findChild<QPushButton *>(u"exportButton"_qs);
        QSignalSpy finished(page.exportBar(), &ExportBar::finished);

        bool answered = false;
        answerDialog([&](QFileDialog *dialog) {
            QCOMPARE(QDir(dialog->directory()).absolutePath(), QDir(first.path()).absolutePath());
            QCOMPARE(dialog->nameFilters().size(), 2);
            QVERIFY(dialog->selectedNameFilter().contains(u"*.xlsx"_qs));
            QVERIFY(dialog->nameFilters().at(1).contains(u"*.csv"_qs));
            typeFileName(dialog, second.filePath(u"picked.xlsx"_qs));
            answered = true;
            static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept(), as pressing Save does
        });
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(answered);
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().at(0).toBool());
        QCOMPARE(finished.first().at(2).toString(), second.filePath(u"picked.xlsx"_qs));
        QVERIFY(test::readXlsx(second.filePath(u"picked.xlsx"_qs)).error.isEmpty());
        QCOMPARE(ConsoleSettings().exportDir(), QDir(second.path()).absolutePath());

        // The next dialog opens where the last file went; choosing CSV writes CSV.
        answered = false;
        finished.clear();
        answerDialog([&](QFileDialog *dialog) {
            QCOMPARE(QDir(dialog->directory()).absolutePath(), QDir(second.path()).absolutePath());
            dialog->selectNameFilter(dialog->nameFilters().at(1));
            typeFileName(dialog, second.filePath(u"machine.xlsx"_qs));
            answered = true;
            static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept(), as pressing Save does
        });
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(answered);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(2).toString(), second.filePath(u"machine.csv"_qs));
        QFile csvFile(second.filePath(u"machine.csv"_qs));
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        QVERIFY(csvFile.readAll().startsWith("\xEF\xBB\xBF" "eventId,userId"));
        QVERIFY(!QFile::exists(second.filePath(u"machine.xlsx"_qs)));
    }

private:
    static QList<QStringList> exportRows(LeadsPage &page, const QString &path)
    {
        QSignalSpy finished(page.exportBar(), &ExportBar::finished);
        if (!page.exportBar()->exportTo(path, page.query()))
            return {};
        if (!finished.wait(10000) || !finished.first().at(0).toBool())
            return {};
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        const QByteArray bytes = file.readAll();
        if (!bytes.startsWith("\xEF\xBB\xBF"))
            return {};
        return parseCsv(QString::fromUtf8(bytes.mid(3)));
    }

    template<typename Query>
    static test::XlsxRead exportWorkbook(ExportBar *bar, const Query &query, const QString &path)
    {
        test::XlsxRead failed;
        QSignalSpy finished(bar, &ExportBar::finished);
        if (!bar->exportTo(path, query) || !finished.wait(10000) || !finished.first().at(0).toBool()) {
            failed.error = u"the export did not finish"_qs;
            return failed;
        }
        return test::readXlsx(path);
    }

    static QStringList texts(const QList<test::XlsxCellRead> &row)
    {
        QStringList out;
        for (const test::XlsxCellRead &cell : row)
            out << cell.value.toString();
        return out;
    }

    // openpyxl's dates carry no zone; the console writes the system zone's wall time.
    static std::int64_t localMs(const QVariant &isoText)
    {
        QDateTime at = QDateTime::fromString(isoText.toString(), Qt::ISODateWithMs);
        at.setTimeZone(QTimeZone::systemTimeZone());
        return at.toMSecsSinceEpoch();
    }

    static std::int64_t storedMs(test::TestServer &node, const QString &sql)
    {
        QString error;
        std::int64_t value = -1;
        {
            QSqlDatabase db = openConnection(node.engine().storeLocation(), u"stored"_qs, &error);
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0).toLongLong();
        }
        QSqlDatabase::removeDatabase(u"stored"_qs);
        return value;
    }

    // Types a path into the dialog's name field, as a user does; selectFile() on a folder the
    // dialog has not listed yet takes effect only once it has, which races with accept().
    static void typeFileName(QFileDialog *dialog, const QString &path)
    {
        auto *name = dialog->findChild<QLineEdit *>(u"fileNameEdit"_qs);
        QVERIFY(name);
        name->setText(path);
    }

    // Runs check on the next modal file dialog (polled for up to 5 s), while exec() blocks.
    void answerDialog(const std::function<void(QFileDialog *)> &check)
    {
        auto *poll = new QTimer(this);
        auto deadline = std::make_shared<QDeadlineTimer>(5000);
        connect(poll, &QTimer::timeout, this, [poll, deadline, check] {
            if (auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget())) {
                poll->deleteLater();
                poll->stop();
                check(dialog);
                if (dialog->isVisible())
                    dialog->reject(); // a failed check must not leave exec() waiting
            } else if (deadline->hasExpired()) {
                poll->stop();
                poll->deleteLater();
            }
        });
        poll->start(20);
    }

    // One purchase through the real HTTP API; returns the ticket's state ("won", "lost") or the error.
    static QString purchase(test::TestServer &node, const QString &user, const QString &contact, bool simulated)
    {
        static int counter = 0;
        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(node.server().baseUrl() + u"/api/v1/events/launch/purchases?wait=5000"_qs));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (simulated)
            request.setRawHeader("Authorization", "Bearer " + node.server().adminToken().toUtf8());
        QJsonObject body{{u"requestId"_qs, QStringLiteral("req-%1").arg(++counter)}, {u"userId"_qs, user}, {u"quantity"_qs, 1}};
        if (!contact.isEmpty())
            body.insert(u"contact"_qs, contact);
        if (simulated)
            body.insert(u"simulated"_qs, true);
        QNetworkReply *reply = network.post(request, QJsonDocument(body).toJson());
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!done.wait(10000))
            return u"timeout"_qs;
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return answer.contains(u"state"_qs) ? answer.value(u"state"_qs).toString() : answer.value(u"message"_qs).toString();
    }

    // Bulk leads straight into the store, as a long sale would leave them.
    static void insertIntents(test::TestServer &node, const QString &eventId, int count)
    {
        QString error;
        {
            QSqlDatabase db = openConnection(node.engine().storeLocation(), u"bulk"_qs, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QVERIFY(db.transaction());
            QSqlQuery q(db);
            QVERIFY(q.prepare(u"INSERT INTO intents (event_id, user_id, contact, quantity, last_reason, attempts,"
                              " first_at_ms, last_at_ms, simulated) VALUES (?, ?, ?, 1, 'sold_out', 1, ?, ?, 0)"_qs));
            const qint64 now = Engine::nowMs();
            for (int i = 0; i < count; ++i) {
                q.bindValue(0, eventId);
                q.bindValue(1, QStringLiteral("user-%1").arg(i, 7, 10, QLatin1Char('0')));
                q.bindValue(2, i % 2 ? QStringLiteral("u%1@example.com").arg(i) : QString(u""_qs));
                q.bindValue(3, now - i);
                q.bindValue(4, now - i);
                QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            }
            QVERIFY(db.commit());
        }
        QSqlDatabase::removeDatabase(u"bulk"_qs);
    }
};

QTEST_MAIN(TestLeadsExport)
#include "tst_leadsexport.moc"
