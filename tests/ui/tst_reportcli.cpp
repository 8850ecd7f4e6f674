// `flashsale --report EVENT_ID --output FILE`: the real binary, with no display and no
// QT_QPA_PLATFORM, writes a PDF whose text holds the event's name and totals, or a PNG.
#include "knownsale.h"
#include "tests/support/engineprocess.h"

#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

// Thread: the test's main thread.
class TestReportCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reportFile_data();
    void reportFile();
    void unknownEventFails();

private:
    // The environment of a server without a desktop: no display, no platform chosen, English.
    static QProcessEnvironment noDisplay(const QString &home)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "FLASHSALE_ADMIN_TOKEN"})
            environment.remove(QString::fromLatin1(name));
        environment.insert(u"HOME"_qs, home);
        environment.insert(u"XDG_CONFIG_HOME"_qs, home + u"/.config"_qs);
        environment.insert(u"LC_ALL"_qs, u"C.UTF-8"_qs);
        environment.insert(u"LANG"_qs, u"C.UTF-8"_qs);
        return environment;
    }
    static QString pdfText(const QString &pdf)
    {
        QProcess pdftotext;
        pdftotext.start(u"pdftotext"_qs, {u"-layout"_qs, pdf, u"-"_qs});
        if (!pdftotext.waitForFinished(30000) || pdftotext.exitCode() != 0)
            return QString();
        return QString::fromUtf8(pdftotext.readAllStandardOutput());
    }
};

void TestReportCli::reportFile_data()
{
    QTest::addColumn<bool>("throughNode");
    QTest::addColumn<QString>("fileName");
    QTest::newRow("PDF from the data dir") << false << u"report.pdf"_qs;
    QTest::newRow("PDF from the running node (--connect)") << true << u"report.pdf"_qs;
    QTest::newRow("PNG from the data dir") << false << u"report.png"_qs;
}

void TestReportCli::reportFile()
{
    QFETCH(bool, throughNode);
    QFETCH(QString, fileName);
    QTemporaryDir dataDir, outDir;
    EngineProcess node(dataDir.path(), "report-token");
    ApiClient client(node.baseUrl(), node.adminToken(), 4);
    QVERIFY(node.start(client));
    const KnownSale sale{u"cli-sale"_qs, u"Spring Launch 2026"_qs, 2500, 3, 7, 2};
    QCOMPARE(sale.run(client), sale.shoppers);

    const QString output = outDir.filePath(fileName);
    QStringList arguments{u"--report"_qs, sale.eventId, u"--output"_qs, output};
    QProcessEnvironment environment = noDisplay(outDir.path());
    if (throughNode) {
        arguments << u"--connect"_qs << node.baseUrl();
        environment.insert(u"FLASHSALE_ADMIN_TOKEN"_qs, QString::fromLatin1(node.adminToken()));
    } else {
        arguments << u"--data-dir"_qs << dataDir.path(); // the node is still serving
    }
    const CommandRun run = runFlashsale(arguments, environment, 60000);
    QVERIFY2(run.finished && run.exitCode == 0, run.standardError.constData());

    if (fileName.endsWith(u".png"_qs)) {
        const QImage image(output);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 800 && image.height() > image.width());
        return;
    }
    const QString text = pdfText(output);
    QVERIFY2(text.contains(sale.name), qPrintable(text));
    // Caption and value on one line of the totals table (pdftotext -layout keeps the row).
    const auto total = [&text](const QString &caption, const QString &value) {
        return text.contains(QRegularExpression(QRegularExpression::escape(caption) + u"\\s+"_qs
                                                + QRegularExpression::escape(value) + u"(\\s|$)"_qs));
    };
    QVERIFY2(total(u"Purchase requests"_qs, QString::number(sale.shoppers)), qPrintable(text));
    QVERIFY2(total(u"Units sold"_qs, QString::number(sale.won())), qPrintable(text));
    QVERIFY2(total(u"Leads (every shopper who missed out)"_qs, QString::number(sale.lost())), qPrintable(text));
    QVERIFY2(total(u"Leads with contact"_qs, QString::number(sale.leadsWithContact())), qPrintable(text));
    QVERIFY2(text.contains(QRegularExpression(u"Time to sell out\\s+[0-9.]+ s"_qs)), qPrintable(text));
    QVERIFY2(text.contains(QRegularExpression(u"Conversion \\(won ÷ requests\\)\\s+42\\.9%"_qs)), qPrintable(text));
}

void TestReportCli::unknownEventFails()
{
    QTemporaryDir dataDir, outDir;
    {
        EngineProcess node(dataDir.path(), "report-token");
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        QVERIFY(node.start(client)); // makes the database
    }
    const QString output = outDir.filePath(u"missing.pdf"_qs);
    const CommandRun run = runFlashsale({u"--report"_qs, u"no-such-sale"_qs, u"--output"_qs, output, u"--data-dir"_qs, dataDir.path()},
                                        noDisplay(outDir.path()), 60000);
    QVERIFY(run.finished);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.standardError.contains("no event \"no-such-sale\""), run.standardError.constData());
    QVERIFY(!QFile::exists(output));
}

QTEST_GUILESS_MAIN(TestReportCli)
#include "tst_reportcli.moc"
