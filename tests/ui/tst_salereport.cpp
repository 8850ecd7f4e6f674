// The post-sale report against a real sale run through the engine: exact totals from the stored
// journal (also after the node stopped), the same through the admin API, and in the console.
#include "knownsale.h"
#include "testserver.h"

#include "engine/storage/salereport.h"
#include "ui/widgets/labels.h"
#include "ui/dialogs/salereportdialog.h"
#include "ui/widgets/salereportview.h"

#include <QImage>
#include <QTest>

using namespace flashsale;
using flashsale::test::TestServer;

// Thread: the test's main thread (the engine runs its own threads inside TestServer).
class TestSaleReport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void totalsOfAKnownSale_data();
    void totalsOfAKnownSale();
    void unknownEventIsNotFound();
};

void TestSaleReport::totalsOfAKnownSale_data()
{
    QTest::addColumn<int>("stock");
    QTest::addColumn<int>("shoppers");
    QTest::addColumn<int>("contactEvery");
    QTest::newRow("sold out, leads with and without contact") << 5 << 12 << 2;
    QTest::newRow("sold out exactly, no leads") << 4 << 4 << 3;
    QTest::newRow("not sold out") << 20 << 6 << 2;
}

void TestSaleReport::totalsOfAKnownSale()
{
    QFETCH(int, stock);
    QFETCH(int, shoppers);
    QFETCH(int, contactEvery);
    TestServer node;
    QVERIFY(node.started());
    const KnownSale sale{u"report-sale"_qs, u"Report Sale 报告"_qs, 1999, stock, shoppers, contactEvery};
    ApiClient client(node.server().baseUrl(), "test-admin-token", 4);
    QCOMPARE(sale.run(client), shoppers);

    SaleReport report;
    QString error;
    const StoreLocation store = node.engine().storeLocation();
    QCOMPARE(int(salereport::computeAt(store, sale.eventId, &report, &error)), int(salereport::Failure::None));
    QVERIFY2(error.isEmpty(), qPrintable(error));

    QCOMPARE(report.name, sale.name);
    QCOMPARE(report.requests, shoppers);
    QCOMPARE(report.wonRequests, sale.won());
    QCOMPARE(report.lostRequests, sale.lost());
    QCOMPARE(report.undecidedRequests, 0);
    QCOMPARE(report.simulatedRequests, 0);
    QCOMPARE(report.unitsSold, sale.won());
    QCOMPARE(report.revenueCents, qint64(sale.won()) * sale.priceCents);
    QCOMPARE(report.leads, sale.lost());
    QCOMPARE(report.leadsWithContact, sale.leadsWithContact());
    QCOMPARE(report.conversion(), double(sale.won()) / double(shoppers));
    QCOMPARE(report.soldOutAtMs > 0, sale.soldOut());
    if (sale.soldOut()) {
        QVERIFY(report.soldOutAtMs >= report.firstRequestAtMs);
        QVERIFY(report.soldOutAtMs <= report.lastDecisionAtMs);
        QVERIFY(report.timeToSellOutMs() >= 0);
    } else {
        QCOMPARE(report.timeToSellOutMs(), -1);
    }
    QVERIFY(report.peakRequestsPerSecond >= 1 && report.peakRequestsPerSecond <= shoppers);
    QVERIFY(report.decisionP50Ms >= 0);
    QVERIFY(report.decisionP50Ms <= report.decisionP99Ms);

    // The timeline adds up to the totals and ends with nothing waiting and the stock left.
    QVERIFY(!report.timeline.isEmpty());
    QCOMPARE(report.stepMs, 1000);
    qint64 requests = 0, wins = 0, decided = 0;
    for (qsizetype i = 0; i < report.timeline.size(); ++i) {
        const SaleReportStep &s = report.timeline[i];
        QCOMPARE(s.startMs, report.timeline.front().startMs + i * report.stepMs);
        QVERIFY(s.queueDepth >= 0);
        requests += s.requests;
        wins += s.wins;
        decided += s.decided;
    }
    QCOMPARE(requests, shoppers);
    QCOMPARE(wins, sale.won());
    QCOMPARE(decided, shoppers);
    QCOMPARE(report.timeline.back().queueDepth, 0);
    QCOMPARE(report.timeline.back().remaining, stock - sale.won());

    // The admin API answers the same report, and its JSON reads back whole.
    const ApiReply answer = client.admin("GET", u"/api/v1/admin/events/report-sale/report"_qs);
    QCOMPARE(answer.status, 200);
    const QJsonObject json = QJsonDocument::fromJson(answer.body).object();
    QCOMPARE(salereport::fromJson(json), report);
    QCOMPARE(json.value(u"leadsWithContact"_qs).toInteger(), sale.leadsWithContact());
    QCOMPARE(client.call("GET", u"/api/v1/admin/events/report-sale/report"_qs).status, 401);

    // The console's dialog shows it, computed off the GUI thread, and the page renders.
    SaleReportDialog dialog(node.backend(), sale.eventId);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isReady(), 10000);
    QCOMPARE(dialog.view()->report(), report);
    QCOMPARE(dialog.view()->totalText(u"requests"_qs), Labels::count(shoppers));
    QCOMPARE(dialog.view()->totalText(u"unitsSold"_qs), Labels::count(sale.won()));
    QCOMPARE(dialog.view()->totalText(u"leads"_qs), Labels::count(sale.lost()));
    QCOMPARE(dialog.view()->totalText(u"leadsWithContact"_qs), Labels::count(sale.leadsWithContact()));
    QCOMPARE(dialog.view()->totalText(u"timeToSellOut"_qs) == SaleReportView::tr("not sold out"), !sale.soldOut());
    QTemporaryDir out;
    const QString png = out.filePath(u"report.png"_qs);
    QVERIFY2(dialog.view()->saveTo(png, &error), qPrintable(error));
    QCOMPARE(QImage(png).size(), SaleReportView::pageSize());

    // The report comes from the journal alone: the same once the node has stopped.
    node.server().stop(5000);
    SaleReport afterStop;
    QCOMPARE(int(salereport::computeAt(store, sale.eventId, &afterStop, &error)), int(salereport::Failure::None));
    QCOMPARE(afterStop, report);
}

void TestSaleReport::unknownEventIsNotFound()
{
    TestServer node;
    QVERIFY(node.started());
    SaleReport report;
    QString error;
    QCOMPARE(int(salereport::computeAt(node.engine().storeLocation(), u"no-such-sale"_qs, &report, &error)),
             int(salereport::Failure::NoSuchEvent));
    ApiClient client(node.server().baseUrl(), "test-admin-token", 1);
    QCOMPARE(client.admin("GET", u"/api/v1/admin/events/no-such-sale/report"_qs).status, 404);
}

QTEST_MAIN(TestSaleReport)
#include "tst_salereport.moc"
