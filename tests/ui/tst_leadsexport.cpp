// The intent-lead export: a file that parses back with the right rows, written off the GUI thread.
#include "engine/records.h"
#include "testserver.h"
#include "ui/recordsexport.h"
#include "ui/exportbar.h"
#include "ui/leadsmodel.h"
#include "ui/leadspage.h"

#include <QCheckBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
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
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
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
            {u"Multi\nLine\r\nName"_qs, u"=HYPERLINK(\"http://evil\")"_qs},
            {u"王小明"_qs, u"wang@例子.中国"_qs},
            {u"no-contact"_qs, QString()},
        };
        for (const Shopper &s : losers)
            QCOMPARE(purchase(node, s.user, s.contact, false), u"lost"_qs);
        QCOMPARE(purchase(node, u"sim-shopper"_qs, u"sim@example.invalid"_qs, true), u"lost"_qs);

        LeadsPage page(node.engine().storeLocation());
        page.setEvents(node.engine().events());
        page.show();
        QTemporaryDir out;

        // Real shoppers only (the default), every lead.
        QList<QStringList> rows = exportRows(page, out.filePath(u"leads.csv"_qs));
        QCOMPARE(rows.size(), 1 + losers.size());
        QCOMPARE(rows[0], (QStringList{u"eventId"_qs, u"userId"_qs, u"contact"_qs, u"quantity"_qs, u"lastReason"_qs,
                                       u"attempts"_qs, u"firstAt"_qs, u"lastAt"_qs, u"simulated"_qs}));
        QHash<QString, QStringList> byUser;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows[i].size(), 9);
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
        QCOMPARE(page.model()->totalRows(), std::int64_t(losers.size() - 1));
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

    void bigExportKeepsTheUiResponsiveAndCancels()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"big"_qs, 1));
        constexpr int kRows = 150'000;
        insertIntents(node, u"big"_qs, kRows);

        LeadsPage page(node.engine().storeLocation());
        page.setEvents(node.engine().events());
        page.show();
        QCOMPARE(page.model()->totalRows(), std::int64_t(kRows));
        // Paging: the last row is there without loading the rest.
        QVERIFY(!page.model()->index(kRows - 1, LeadsModel::User).data().toString().isEmpty());

        QTemporaryDir out;
        const QString path = out.filePath(u"big.csv"_qs);
        ExportBar *bar = page.exportBar();
        QSignalSpy finished(bar, &ExportBar::finished);
        QSignalSpy progressed(bar->job(), &RecordsExport::progressed);
        int ticks = 0;
        QTimer ui;
        connect(&ui, &QTimer::timeout, this, [&] { ++ticks; });
        ui.start(5);
        QVERIFY(bar->exportTo(path, page.query()));
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
