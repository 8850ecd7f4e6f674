// The live dashboard moves when a simulated sale runs through the real HTTP API.
#include "engine/records.h"
#include "engine/simulator.h"
#include "testserver.h"
#include "ui/dashboardpage.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace flashsale;

class TestDashboard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void simulatedSaleMovesTheCounters()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"rehearsal"_qs, 50));
        DashboardPage page(node.engine().storeLocation());
        page.resize(1200, 800);
        page.show();
        page.addSample(node.engine().stats());
        QCOMPARE(page.tileText(u"accepted"_qs), u"0"_qs);
        QCOMPARE(page.tileText(u"wonUnits"_qs), u"0"_qs);
        QCOMPARE(page.tileText(u"p50"_qs), u"—"_qs);
        QCOMPARE(page.tileText(u"webSocketClients"_qs), u"0"_qs);

        Simulator simulator;
        QSignalSpy finished(&simulator, &Simulator::finished);
        SimulationPlan plan;
        plan.baseUrl = node.server().baseUrl();
        plan.adminToken = node.server().adminToken();
        plan.eventId = u"rehearsal"_qs;
        plan.shoppers = 300;
        QVERIFY(simulator.start(plan));
        // The page samples on its own schedule while the sale runs, as MainWindow's timer does.
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, &page, [&] { page.addSample(node.engine().stats()); });
        sampler.start(100);
        QVERIFY(finished.wait(30000));

        const SimulationSummary summary = simulator.summary();
        QCOMPARE(summary.accepted, std::int64_t(300));
        QCOMPARE(summary.won, std::int64_t(50));
        QCOMPARE(summary.lost, std::int64_t(250));
        QCOMPARE(summary.failed, std::int64_t(0));
        QVERIFY(summary.leads > 0 && summary.leads < summary.lost); // every third shopper left a contact

        // The sampler's next ticks after the final commit show the totals.
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"accepted"_qs), u"300"_qs, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"wonUnits"_qs), u"50"_qs, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"conversion"_qs), u"16.7%"_qs, 5000);
        QVERIFY(page.tileText(u"p50"_qs).endsWith(u" ms"));
        QVERIFY(page.tileText(u"p99"_qs).endsWith(u" ms"));
        // Leads come from the database on the page's reader thread.
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"leads"_qs), u"250"_qs, 5000);
        sampler.stop();

        // One event selected: its own figures (the same here), and back to all.
        page.setEventFilter(u"rehearsal"_qs);
        QCOMPARE(page.eventFilter(), u"rehearsal"_qs);
        QCOMPARE(page.tileText(u"accepted"_qs), u"300"_qs);

        // Every purchase is marked simulated in the store, so exports can leave them out.
        QString error;
        QSqlDatabase db = readerConnection(node.engine().storeLocation(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        OrderQuery real;
        real.includeSimulated = false;
        std::int64_t total = -1;
        QVERIFY(records::countOrders(db, real, &total, &error));
        QCOMPARE(total, std::int64_t(0));
        OrderQuery all;
        QVERIFY(records::countOrders(db, all, &total, &error));
        QCOMPARE(total, std::int64_t(50));
        db = QSqlDatabase();
    }

    void savesPngAndPdf()
    {
        test::TestServer node;
        QVERIFY(node.started());
        DashboardPage page(node.engine().storeLocation());
        page.resize(1000, 700);
        page.show();
        page.addSample(node.engine().stats());
        QTemporaryDir out;
        QString error;
        QVERIFY2(page.saveTo(out.filePath(u"report.png"_qs), &error), qPrintable(error));
        QImage image(out.filePath(u"report.png"_qs));
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 500);
        QVERIFY2(page.saveTo(out.filePath(u"report.pdf"_qs), &error), qPrintable(error));
        QFile pdf(out.filePath(u"report.pdf"_qs));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(pdf.size() > 1000);
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
