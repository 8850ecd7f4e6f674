// The live dashboard moves when a simulated sale runs through the real HTTP API, and says what
// its figures count: the window, since open, the same leads as the simulation summary.
#include "engine/storage/records.h"
#include "engine/tools/rehearsal.h"
#include "engine/tools/simulator.h"
#include "testserver.h"
#include "ui/pages/dashboardpage.h"
#include "ui/dialogs/simulatedialog.h"

#include <QComboBox>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/widgets/customplot.h"

using namespace flashsale;

namespace {
// Runs shoppers simulated shoppers against eventId through the node's HTTP API to the end;
// onTick runs every 10 ms meanwhile (the tests sample the engine there, as MainWindow's timer does).
SimulationSummary runSale(test::TestServer &node, const QString &eventId, int shoppers, const std::function<void()> &onTick = {})
{
    Simulator simulator;
    QSignalSpy finished(&simulator, &Simulator::finished);
    SimulationPlan plan;
    plan.baseUrl = node.server().baseUrl();
    plan.adminToken = node.server().adminToken();
    plan.eventId = eventId;
    plan.shoppers = shoppers;
    if (!simulator.start(plan))
        return {};
    QTimer ticker;
    if (onTick) {
        QObject::connect(&ticker, &QTimer::timeout, onTick);
        ticker.start(10);
    }
    finished.wait(30000);
    return simulator.summary();
}
} // namespace

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
        DashboardPage page(node.backend());
        page.resize(1200, 800);
        page.show();
        page.addSample(node.engine().stats());
        QCOMPARE(page.tileText(u"accepted"_qs), u"0"_qs);
        QCOMPARE(page.tileText(u"wonUnits"_qs), u"0"_qs);
        QCOMPARE(page.tileText(u"p50"_qs), u"none yet"_qs); // never a bare "—"
        QCOMPARE(page.tileNote(u"p50"_qs), u"no requests in the window"_qs);
        QCOMPARE(page.tileText(u"webSocketClients"_qs), u"0"_qs);

        // The page samples on its own schedule while the sale runs, as MainWindow's timer does.
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, &page, [&] { page.addSample(node.engine().stats()); });
        sampler.start(100);
        const SimulationSummary summary = runSale(node, u"rehearsal"_qs, 300);
        QCOMPARE(summary.accepted, std::int64_t(300));
        QCOMPARE(summary.won, std::int64_t(50));
        QCOMPARE(summary.lost, std::int64_t(250));
        QCOMPARE(summary.failed, std::int64_t(0));
        QVERIFY(summary.withContact > 0 && summary.withContact < summary.lost); // every third shopper left a contact

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

    // A sale before the page started counting, then one the page watches through the real
    // Simulate dialog: the big figures are the window's, the notes since open, and the dialog's
    // summary names the same leads and leads with contact as the tiles.
    void tilesShowTheWindowAndSinceOpen()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"launch"_qs, 40));
        const SimulationSummary first = runSale(node, u"launch"_qs, 100);
        QCOMPARE(first.won, std::int64_t(40));
        QCOMPARE(first.lost, std::int64_t(60));

        DashboardPage page(node.backend());
        page.resize(1200, 800);
        page.show();
        page.addSample(node.engine().stats());
        page.addSample(node.engine().stats());
        QCOMPARE(page.tileText(u"accepted"_qs), u"0"_qs);
        QCOMPARE(page.tileNote(u"accepted"_qs), u"since open: 100"_qs);
        // Nothing decided in the window: the latency keeps a value and says why it is not new.
        QVERIFY2(page.tileText(u"p50"_qs).endsWith(u" ms"_qs), qPrintable(page.tileText(u"p50"_qs)));
        QVERIFY2(page.tileText(u"p99"_qs).endsWith(u" ms"_qs), qPrintable(page.tileText(u"p99"_qs)));
        QCOMPARE(page.tileNote(u"p99"_qs), u"no requests in the window"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(page.tileNote(u"leads"_qs), u"since open: 60"_qs, 5000);
        QCOMPARE(page.tileText(u"leads"_qs), u"0"_qs);

        // The second sale finds the stock gone: 60 more leads, every third with a contact. (The
        // Simulate dialog would rehearse on a copy; this traffic must reach the event itself.)
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, &page, [&] { page.addSample(node.engine().stats()); });
        sampler.start(100);
        const SimulationSummary second = runSale(node, u"launch"_qs, 60);
        QCOMPARE(second.lost, std::int64_t(60));
        QCOMPARE(second.withContact, std::int64_t(20));

        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"accepted"_qs), u"60"_qs, 5000);
        QCOMPARE(page.tileNote(u"accepted"_qs), u"since open: 160"_qs);
        QCOMPARE(page.tileText(u"wonUnits"_qs), u"0"_qs);
        QCOMPARE(page.tileNote(u"wonUnits"_qs), u"since open: 40"_qs);
        QCOMPARE(page.tileText(u"conversion"_qs), u"0.0%"_qs);
        QCOMPARE(page.tileNote(u"conversion"_qs), u"since open: 25.0%"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"leads"_qs), u"60"_qs, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"withContact"_qs), u"20"_qs, 5000);
        QCOMPARE(page.tileNote(u"leads"_qs), u"since open: 120"_qs);
        const std::int64_t contactsEver = first.withContact + second.withContact;
        QCOMPARE(page.tileNote(u"withContact"_qs),
                 u"since open: %1 (%2% of leads)"_qs.arg(contactsEver).arg(QLocale().toString(100.0 * double(contactsEver) / 120.0, 'f', 1)));
        QCOMPARE(page.tileNote(u"p50"_qs), u"requests in the window: 60"_qs);
        sampler.stop();

        // The window began when the page started counting, and the title says so.
        QVERIFY2(page.findChild<QLabel *>(u"dashboardTitle"_qs)->text().contains(u"since "_qs),
                 qPrintable(page.findChild<QLabel *>(u"dashboardTitle"_qs)->text()));
    }

    // The Simulate dialog's summary counts leads as the dashboard does: every lost shopper, and
    // those with a contact as a figure of its own (a rehearsal of stock 10 for 30 shoppers).
    void simulateSummaryUsesTheDashboardsWords()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"launch"_qs, 10));
        SimulateDialog dialog(node.backend());
        dialog.show();
        QSignalSpy finished(dialog.rehearsal(), &RehearsalRun::finished);
        dialog.start(u"launch"_qs, 30);
        QVERIFY(finished.wait(30000));
        const SimulationSummary run = dialog.rehearsal()->summary();
        QCOMPARE(run.lost, std::int64_t(20));
        QVERIFY(run.withContact > 0 && run.withContact < run.lost); // every third shopper left a contact
        QTRY_VERIFY2(dialog.findChild<QLabel *>(u"simulateSummary"_qs)
                         ->text()
                         .contains(u"leads (lost shoppers) 20, with contact %1"_qs.arg(run.withContact)),
                     qPrintable(dialog.findChild<QLabel *>(u"simulateSummary"_qs)->text()));

        // "All events" leaves the copy out (the event itself had no shopper); picking the copy
        // by name shows its run.
        DashboardPage page(node.backend());
        page.addSample(node.engine().stats());
        QCOMPARE(page.tileNote(u"accepted"_qs), u"since open: 0"_qs);
        page.setEventFilter(dialog.rehearsal()->copyId());
        QCOMPARE(page.eventFilter(), dialog.rehearsal()->copyId());
        QCOMPARE(page.tileNote(u"accepted"_qs), u"since open: 30"_qs);
    }

    // The queue chart's axis follows the window's highest depth and a labelled point marks it.
    void queueDepthScalesAndMarksItsPeak()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"rush"_qs, 500));
        DashboardPage page(node.backend());
        page.resize(1200, 800);
        page.show();
        std::int64_t peakSeen = 0;
        const SimulationSummary summary = runSale(node, u"rush"_qs, 1500, [&] {
            const EngineStats stats = node.engine().stats();
            peakSeen = std::max(peakSeen, stats.queueDepth);
            page.addSample(stats);
        });
        QCOMPARE(summary.accepted, std::int64_t(1500));
        page.addSample(node.engine().stats());
        // Accepted requests wait for their group commit, so 64 shoppers in flight keep a queue.
        QVERIFY2(peakSeen > 0, "no sample saw a queue");

        auto *plot = page.findChild<QCustomPlot *>(u"queuePlot"_qs);
        QVERIFY(plot);
        auto *peak = plot->findChild<QCPItemTracer *>(u"queuePeak"_qs);
        auto *label = plot->findChild<QCPItemText *>(u"queuePeakLabel"_qs);
        QVERIFY(peak && label);
        QVERIFY(peak->visible());
        QCOMPARE(peak->position->value(), double(peakSeen));
        QCOMPARE(label->text(), u"peak %1"_qs.arg(QLocale().toString(qlonglong(peakSeen))));
        QVERIFY2(plot->yAxis->range().upper > double(peakSeen), qPrintable(QString::number(plot->yAxis->range().upper)));
        QCOMPARE(plot->yAxis->range().lower, 0.0);
        // The point sits on the plotted series, at the sample that held the peak.
        const auto at = plot->graph(0)->data()->findBegin(peak->position->key(), false);
        QVERIFY(at != plot->graph(0)->data()->constEnd());
        QCOMPARE(at->key, peak->position->key());
        QCOMPARE(at->value, double(peakSeen));
    }

    // Purchases over the node's rate limit show on the "Rejected: rate limit" tile: the window's
    // count as the figure, every kind of refusal since start in the note.
    void rateLimitedPurchasesShowOnTheirTile()
    {
        test::TestServer node([](ServerOptions &options) { options.shoppers.purchasesPerAddressPerSecond = 1; });
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"crowd"_qs, 100));
        DashboardPage page(node.backend());
        page.resize(1400, 800);
        page.show();
        page.addSample(node.engine().stats());
        QCOMPARE(page.tileText(u"rejectedRate"_qs), u"0"_qs);

        ApiClient shopper(node.server().baseUrl(), {}, 1);
        int limited = 0;
        for (int i = 0; i < 10; ++i) { // a burst of 2, then about one a second
            if (shopper.call("POST", u"/api/v1/events/crowd/purchases"_qs, purchaseBody(u"r%1"_qs.arg(i), u"bot-%1"_qs.arg(i))).status == 429)
                ++limited;
        }
        QVERIFY2(limited >= 6, qPrintable(QString::number(limited)));
        page.addSample(node.engine().stats());
        QCOMPARE(page.tileText(u"rejectedRate"_qs), QString::number(limited));
        QCOMPARE(page.tileNote(u"rejectedRate"_qs), u"since start: %1 · bad pass: 0 · queue full: 0"_qs.arg(limited));
    }

    // The payment tiles count the engine's orders (EventSnapshot::orders, in the admin API's event
    // JSON for a remote console): a sale of three with one order paid, one cancelled, one
    // pending; a remote node restarted recounts them from its store. A sale without a payment
    // window shows "—", not 0 %.
    void paymentTilesCountTheEnginesOrders_data() { test::addBackendRows(); }
    void paymentTilesCountTheEnginesOrders()
    {
        QFETCH(test::BackendUnderTest, backend);
        test::ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openWindowSale(u"paying"_qs, 3, 600, ReleasePolicy::Offer));
        QVERIFY(node.openSale(u"final"_qs, 2));
        DashboardPage page(node.backend());
        connect(&node.backend(), &ConsoleBackend::statsChanged, &page, [&] { page.addSample(node.backend().stats()); });
        page.resize(1200, 900);
        page.show();
        QTRY_VERIFY(page.findChild<QComboBox *>(u"dashboardEvent"_qs)->findData(u"paying"_qs) >= 0);
        page.setEventFilter(u"paying"_qs);
        QTRY_COMPARE(page.tileText(u"pendingPayments"_qs), u"0"_qs);
        QCOMPARE(page.tileText(u"paidConversion"_qs), u"—"_qs); // no order yet: nothing to divide
        QCOMPARE(page.tileNote(u"paidConversion"_qs), u"paid 0 of 0 units"_qs);

        QCOMPARE(node.buy(u"paying"_qs, 3), 3);
        const auto act = [&](const QString &user, const char *verb) {
            const qint64 orderId = node.orderOf(u"paying"_qs, user).value(u"orderId"_qs).toInteger();
            return node.api().admin("POST", QStringLiteral("/api/v1/admin/events/paying/orders/%1/%2").arg(orderId).arg(QLatin1String(verb))).status;
        };
        QCOMPARE(act(u"user-0"_qs, "paid"), 200);
        QCOMPARE(act(u"user-1"_qs, "cancel"), 200); // no lead lost for sold out: back to stock
        const auto expectTiles = [&] {
            QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"paidConversion"_qs), u"33.3%"_qs, 5000);
            QCOMPARE(page.tileNote(u"paidConversion"_qs), u"paid 1 of 3 units"_qs);
            QCOMPARE(page.tileText(u"pendingPayments"_qs), u"1"_qs);
            QCOMPARE(page.tileNote(u"pendingPayments"_qs), u"units awaiting payment: 1"_qs);
            QCOMPARE(page.tileText(u"freedUnits"_qs), u"1 / 0"_qs);
            QCOMPARE(page.tileNote(u"freedUnits"_qs), u"cancelled 1 · expired 0"_qs);
        };
        expectTiles();
        const OrderCounts counts = node.eventIn(u"paying"_qs)->orders;
        QCOMPARE(counts.paidUnits, std::int64_t(1));
        QCOMPARE(counts.cancelledUnits, std::int64_t(1));
        QCOMPARE(counts.pendingOrders, std::int64_t(1));
        QCOMPARE(counts.needingPaymentUnits(), std::int64_t(3));

        // All events: the event without a window adds nothing to these tiles.
        QCOMPARE(node.buy(u"final"_qs, 2, u"final-"_qs), 2);
        page.setEventFilter(QString());
        QTRY_COMPARE(page.tileText(u"wonUnits"_qs), u"5"_qs);
        QCOMPARE(page.tileText(u"paidConversion"_qs), u"33.3%"_qs);
        page.setEventFilter(u"final"_qs);
        QTRY_COMPARE(page.tileText(u"paidConversion"_qs), u"—"_qs);
        QCOMPARE(page.tileText(u"pendingPayments"_qs), u"—"_qs);
        QCOMPARE(page.tileText(u"freedUnits"_qs), u"—"_qs);
        QCOMPARE(page.tileNote(u"freedUnits"_qs), u"no payment window: orders are final"_qs);

        if (backend == test::BackendUnderTest::Remote) {
            // Restarted, the node counts the orders from its store.
            QVERIFY(node.process()->stop());
            QVERIFY(node.process()->start());
            QTRY_VERIFY_WITH_TIMEOUT(node.backend().linkState() == LinkState::Connected, 20000);
            const ApiReply event = node.api().admin("GET", u"/api/v1/admin/events/paying"_qs);
            const QJsonObject orders = event.json.value(u"orders"_qs).toObject();
            QCOMPARE(orders.value(u"paidUnits"_qs).toInteger(), qint64(1));
            QCOMPARE(orders.value(u"cancelledUnits"_qs).toInteger(), qint64(1));
            QCOMPARE(orders.value(u"freedUnits"_qs).toInteger(), qint64(1));
            QCOMPARE(orders.value(u"pendingOrders"_qs).toInteger(), qint64(1));
            QCOMPARE(orders.value(u"pendingUnits"_qs).toInteger(), qint64(1));
            page.setEventFilter(u"paying"_qs);
            expectTiles();
        }
    }

    void tooltipsDefineTheFigures_data()
    {
        QTest::addColumn<QString>("tile");
        QTest::addColumn<QString>("definition");
        QTest::newRow("p50") << u"p50"_qs << u"half of the requests"_qs;
        QTest::newRow("p99") << u"p99"_qs << u"99 of every 100"_qs;
        QTest::newRow("conversion") << u"conversion"_qs << u"divided by accepted requests"_qs;
        QTest::newRow("leads") << u"leads"_qs << u"did not get the item"_qs;
        QTest::newRow("rejected by rate") << u"rejectedRate"_qs << u"rate limit"_qs;
        QTest::newRow("paid conversion") << u"paidConversion"_qs << u"units of paid orders divided by"_qs;
        QTest::newRow("pending payments") << u"pendingPayments"_qs << u"awaiting payment now"_qs;
        QTest::newRow("freed units") << u"freedUnits"_qs << u"offered to leads"_qs;
    }

    void tooltipsDefineTheFigures()
    {
        QFETCH(QString, tile);
        QFETCH(QString, definition);
        test::TestServer node;
        QVERIFY(node.started());
        DashboardPage page(node.backend());
        auto *value = page.findChild<QLabel *>(tile);
        QVERIFY(value);
        QVERIFY2(value->toolTip().contains(definition), qPrintable(value->toolTip()));
        QCOMPARE(value->parentWidget()->toolTip(), value->toolTip()); // the whole tile explains itself
    }

    void savesPngAndPdf()
    {
        test::TestServer node;
        QVERIFY(node.started());
        DashboardPage page(node.backend());
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
