// The console's pages over both backends: the embedded engine and a remote headless node, one
// test body each (data rows "in-process" and "remote"), driven through real widgets; plus what
// only a remote console has: no local database, and a dropped node shown and reconnected.
#include "messageboxanswer.h"
#include "testserver.h"
#include "ui/dialogs/connectdialog.h"
#include "ui/dialogs/salereportdialog.h"
#include "ui/dialogs/simulatedialog.h"
#include "ui/mainwindow.h"
#include "ui/models/eventsmodel.h"
#include "ui/models/leadsmodel.h"
#include "ui/models/ordersmodel.h"
#include "ui/pages/dashboardpage.h"
#include "ui/pages/eventspage.h"
#include "ui/pages/leadspage.h"
#include "ui/pages/orderspage.h"
#include "ui/widgets/exportbar.h"
#include "ui/widgets/labels.h"
#include "ui/widgets/language.h"
#include "ui/widgets/salereportview.h"

#include <QAction>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QComboBox>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTcpSocket>
#include <QtTest>

using namespace flashsale;
using flashsale::test::BackendUnderTest;
using flashsale::test::ConsoleNode;

namespace {

// The rows of a CSV export without its byte-order mark and header, split naively (the test
// data has no commas or quotes).
QList<QStringList> csvRows(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(file.readAll().mid(3));
    QList<QStringList> rows;
    for (const QString &line : text.split(u"\r\n"_qs, Qt::SkipEmptyParts))
        rows << line.split(u',');
    return rows.mid(1);
}

} // namespace

// Thread: the test's main thread; each backend answers on it.
class TestConsolePages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(Language::apply(u"en"_qs));
    }

    // The Events page's staff actions (Open, Pause, End after a confirmation) reach the node,
    // and its list follows the node's snapshots.
    void eventsPageRunsTheSale_data() { test::addBackendRows(); }
    void eventsPageRunsTheSale()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QCOMPARE(node.api().admin("POST", u"/api/v1/admin/events"_qs,
                                  {{u"id"_qs, u"spring"_qs}, {u"name"_qs, u"Spring"_qs}, {u"priceCents"_qs, 1999},
                                   {u"stock"_qs, 3}}).status,
                 201);
        QVERIFY(node.waitForEvent(u"spring"_qs));
        EventsPage page(node.backend());
        connect(&node.backend(), &ConsoleBackend::statsChanged, &page, [&] { page.refresh(node.backend().stats().events); });
        page.show();
        QTRY_VERIFY(page.model()->rowOf(u"spring"_qs) >= 0);
        page.select(u"spring"_qs);

        const auto press = [&](const char *button, EventState expected) {
            test::MessageBoxAnswer yes(QString(), [](QMessageBox &box) { return box.button(QMessageBox::Yes); });
            QTest::mouseClick(page.findChild<QPushButton *>(QLatin1String(button)), Qt::LeftButton);
            QVERIFY(yes.seen());
            QTRY_VERIFY(node.eventIn(u"spring"_qs) && node.eventIn(u"spring"_qs)->state == expected);
            const ApiReply stored = node.api().admin("GET", u"/api/v1/admin/events/spring"_qs);
            QCOMPARE(stored.json.value(u"state"_qs).toString(), toString(expected));
            QTRY_COMPARE(page.model()->index(page.model()->rowOf(u"spring"_qs), EventsModel::State).data().toString(),
                         Labels::state(expected));
        };
        press("openButton", EventState::Open);
        QCOMPARE(node.buy(u"spring"_qs, 2), 2);
        QTRY_COMPARE(node.eventIn(u"spring"_qs)->remaining, std::int64_t(1));
        press("pauseButton", EventState::Paused);

        // Restock through the backend's call (the page's own asks for a number in a dialog).
        bool answered = false;
        node.backend().restockEvent(u"spring"_qs, 4, this, [&](const AdminResult &result) {
            QCOMPARE(int(result.status), int(Status::Ok));
            QCOMPARE(result.event.stockTotal, std::int64_t(7));
            answered = true;
        });
        QTRY_VERIFY(answered);
        QTRY_COMPARE(node.eventIn(u"spring"_qs)->remaining, std::int64_t(5));
        press("endButton", EventState::Ended);

        // A refusal comes back as the engine's status with its message.
        AdminResult refused;
        node.backend().actOnEvent(u"no-such-sale"_qs, EventAction::Open, this, [&](const AdminResult &r) { refused = r; });
        QTRY_COMPARE(int(refused.status), int(Status::NotFound));
        QVERIFY2(refused.message.contains(u"no-such-sale"), qPrintable(refused.message));
    }

    // The dashboard's tiles follow the backend's snapshots (twice a second) and its lead counts.
    void dashboardShowsTheLiveFigures_data() { test::addBackendRows(); }
    void dashboardShowsTheLiveFigures()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"dash"_qs, 4));
        DashboardPage page(node.backend());
        connect(&node.backend(), &ConsoleBackend::statsChanged, &page, [&] { page.addSample(node.backend().stats()); });
        page.resize(1200, 800);
        page.show();
        QTRY_VERIFY(page.findChild<QComboBox *>(u"dashboardEvent"_qs)->findData(u"dash"_qs) >= 0);
        page.setEventFilter(u"dash"_qs);

        QCOMPARE(node.buy(u"dash"_qs, 10), 10); // 4 win, 6 lose; users 0, 3, 6, 9 leave a contact
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"accepted"_qs), u"10"_qs, 5000);
        QTRY_COMPARE(page.tileText(u"wonUnits"_qs), u"4"_qs);
        QTRY_COMPARE(page.tileText(u"conversion"_qs), u"40.0%"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(page.tileText(u"leads"_qs), u"6"_qs, 5000);
        QTRY_COMPARE(page.tileText(u"withContact"_qs), u"2"_qs); // users 6 and 9 lost
        QVERIFY2(page.tileText(u"p50"_qs).endsWith(u" ms"), qPrintable(page.tileText(u"p50"_qs)));
    }

    // Orders and leads page through the backend with the pages' filters; the two pages share the
    // paged model, so one body checks both.
    void recordsPagesPageAndFilter_data() { test::addBackendRows(); }
    void recordsPagesPageAndFilter()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"records"_qs, 300));
        QVERIFY(node.openSale(u"other"_qs, 0));
        QCOMPARE(node.buy(u"records"_qs, 300), 300);
        QCOMPARE(node.buy(u"other"_qs, 12, u"late-"_qs), 12);

        OrdersPage orders(node.backend());
        orders.setEvents(node.backend().stats().events);
        orders.show();
        // More than one model page (256 rows): the second comes when the view asks for it.
        QTRY_COMPARE(orders.model()->totalRows(), std::int64_t(300));
        QTRY_VERIFY(!orders.model()->index(299, 2).data().toString().isEmpty());
        QVERIFY(orders.model()->pagesFetched() >= 2);
        orders.findChild<QLineEdit *>(u"ordersSearch"_qs)->setText(u"user-42"_qs);
        orders.apply();
        QTRY_COMPARE(orders.model()->totalRows(), std::int64_t(1));
        QTRY_COMPARE(orders.model()->index(0, 2).data().toString(), u"user-42"_qs);

        LeadsPage leads(node.backend());
        leads.setEvents(node.backend().stats().events);
        leads.show();
        QTRY_COMPARE(leads.model()->totalRows(), std::int64_t(12)); // all events: the sold-out one's
        auto *event = leads.findChild<QComboBox *>(u"leadsEvent"_qs);
        event->setCurrentIndex(event->findData(u"records"_qs));
        QTRY_COMPARE(leads.model()->totalRows(), std::int64_t(0));
        event->setCurrentIndex(event->findData(u"other"_qs));
        QTRY_COMPARE(leads.model()->totalRows(), std::int64_t(12));
        leads.findChild<QCheckBox *>(u"leadsContactOnly"_qs)->setChecked(true);
        QTRY_COMPARE(leads.model()->totalRows(), std::int64_t(4)); // late-0, 3, 6, 9
        QTRY_COMPARE(leads.model()->index(0, LeadsModel::Reason).data().toString(), Labels::reason(LossReason::SoldOut));
        QVERIFY(leads.model()->lastError().isEmpty());
    }

    // A unit freed by a cancelled order goes to the first lead who lost for sold out: the Leads
    // page shows when it was offered and what became of it, and can list offered leads only.
    void leadsPageShowsOffers_data() { test::addBackendRows(); }
    void leadsPageShowsOffers()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openWindowSale(u"offers"_qs, 1, 600, ReleasePolicy::Offer));
        QCOMPARE(node.buy(u"offers"_qs, 3), 3); // user-0 wins; user-1 and user-2 lose for sold out
        const qint64 won = node.orderOf(u"offers"_qs, u"user-0"_qs).value(u"orderId"_qs).toInteger();
        QCOMPARE(node.api().admin("POST", QStringLiteral("/api/v1/admin/events/offers/orders/%1/cancel").arg(won)).status, 200);
        const QJsonObject offer = node.orderOf(u"offers"_qs, u"user-1"_qs);
        QCOMPARE(offer.value(u"source"_qs).toString(), u"offer"_qs);

        LeadsPage leads(node.backend());
        leads.setEvents(node.backend().stats().events);
        leads.show();
        QTRY_COMPARE(leads.model()->totalRows(), std::int64_t(2));
        auto *offeredOnly = leads.findChild<QCheckBox *>(u"leadsOfferedOnly"_qs);
        QVERIFY(offeredOnly);
        offeredOnly->setChecked(true);
        QTRY_COMPARE(leads.model()->totalRows(), std::int64_t(1));
        QTRY_COMPARE(leads.model()->index(0, LeadsModel::User).data().toString(), u"user-1"_qs);
        QVERIFY(leads.model()->index(0, LeadsModel::OfferedAt).data().toString().contains(u':'));
        QCOMPARE(leads.model()->index(0, LeadsModel::OfferOutcome).data().toString(), u"Offered"_qs);
        QCOMPARE(leads.model()->headerData(LeadsModel::OfferOutcome, Qt::Horizontal, Qt::DisplayRole).toString(),
                 u"Offer outcome"_qs);

        QCOMPARE(node.api().admin("POST", QStringLiteral("/api/v1/admin/events/offers/orders/%1/paid")
                                              .arg(offer.value(u"orderId"_qs).toInteger())).status, 200);
        leads.apply();
        QTRY_COMPARE(leads.model()->index(0, LeadsModel::OfferOutcome).data().toString(), u"Paid"_qs);
        offeredOnly->setChecked(false);
        QTRY_COMPARE(leads.model()->totalRows(), std::int64_t(2));
        QVERIFY(leads.model()->lastError().isEmpty());
    }

    // Exports stream every matching row to a file (CSV and .xlsx) with progress, on both
    // backends; Cancel leaves no file.
    void exportsWriteEveryRow_data() { test::addBackendRows(); }
    void exportsWriteEveryRow()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"export"_qs, 1200));
        constexpr int kOrders = 1100; // more than one API page (1,000 rows)
        QCOMPARE(node.buy(u"export"_qs, kOrders), kOrders);
        OrdersPage page(node.backend());
        page.setEvents(node.backend().stats().events);
        QTemporaryDir out;

        ExportBar *bar = page.exportBar();
        QSignalSpy progressed(bar->findChild<QProgressBar *>(u"exportProgress"_qs), &QProgressBar::valueChanged);
        QSignalSpy finished(bar, &ExportBar::finished);
        const QString csv = out.filePath(u"orders.csv"_qs);
        QVERIFY(bar->exportTo(csv, page.query()));
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(finished.first().at(1).value<std::int64_t>(), std::int64_t(kOrders));
        const QList<QStringList> rows = csvRows(csv);
        QCOMPARE(rows.size(), kOrders);
        QSet<QString> users;
        for (const QStringList &row : rows)
            users.insert(row.value(2));
        QCOMPARE(users.size(), kOrders); // every order once, none twice across the API's pages

        finished.clear();
        const QString workbook = out.filePath(u"orders.xlsx"_qs);
        QVERIFY(bar->exportTo(workbook, page.query()));
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(finished.first().at(1).value<std::int64_t>(), std::int64_t(kOrders));
        QFile book(workbook);
        QVERIFY(book.open(QIODevice::ReadOnly));
        QCOMPARE(book.read(2), QByteArray("PK")); // a zip: the workbook

        // Cancel at once: no file, and the bar says so.
        finished.clear();
        const QString cancelled = out.filePath(u"cancelled.csv"_qs);
        QVERIFY(bar->exportTo(cancelled, page.query()));
        QTest::mouseClick(bar->findChild<QPushButton *>(u"exportCancel"_qs), Qt::LeftButton);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QTest::qWait(300); // the worker notices the cancel at its next row
        QVERIFY(!QFile::exists(cancelled));
        QVERIFY(bar->findChild<QLabel *>(u"exportResult"_qs)->text().contains(u"cancelled"));
    }

    // The post-sale report comes from the node's journal on both backends.
    void saleReportFromTheNode_data() { test::addBackendRows(); }
    void saleReportFromTheNode()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"report"_qs, 2));
        QCOMPARE(node.buy(u"report"_qs, 5), 5);
        SaleReportDialog dialog(node.backend(), u"report"_qs);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.isReady(), 10000);
        QCOMPARE(dialog.view()->report().requests, std::int64_t(5));
        QCOMPARE(dialog.view()->report().unitsSold, std::int64_t(2));
        QCOMPARE(dialog.view()->report().leads, std::int64_t(3));
    }

    // Simulate a sale rehearses on a copy made on the node, from wherever the console runs; the
    // event itself keeps its stock and the copy is ended afterwards.
    void rehearsalLeavesTheEventAlone_data() { test::addBackendRows(); }
    void rehearsalLeavesTheEventAlone()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"launch"_qs, 10));
        SimulateDialog dialog(node.backend());
        dialog.setEvents(node.backend().stats().events);
        QSignalSpy finished(dialog.rehearsal(), &RehearsalRun::finished);
        dialog.start(u"launch"_qs, 30);
        QVERIFY(finished.wait(30000));
        const SimulationSummary run = dialog.rehearsal()->summary();
        QCOMPARE(run.won, std::int64_t(10));
        QCOMPARE(run.lost, std::int64_t(20));
        QCOMPARE(run.failed, std::int64_t(0));
        const QString copyId = dialog.rehearsal()->copyId();
        QVERIFY2(copyId.startsWith(u"launch-rehearsal-"), qPrintable(copyId));

        const ApiReply real = node.api().admin("GET", u"/api/v1/admin/events/launch"_qs);
        QCOMPARE(real.json.value(u"remaining"_qs).toInteger(), qint64(10));
        QCOMPARE(real.json.value(u"accepted"_qs).toInteger(), qint64(0));
        QTRY_COMPARE(node.api().admin("GET", u"/api/v1/admin/events/"_qs + copyId).json.value(u"state"_qs).toString(),
                     u"ended"_qs);
        QTRY_VERIFY(node.eventIn(copyId) && node.eventIn(copyId)->state == EventState::Ended);
    }

    // `flashsale --connect`: the console's window on a remote node shows its events, names it in
    // the status bar, and opens no database of its own.
    void remoteConsoleKeepsNoDatabase()
    {
        ConsoleNode node(BackendUnderTest::Remote);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"far-away"_qs, 5));
        // The console's own data dir: where an embedded engine would keep flashsale.sqlite.
        QTemporaryDir consoleData;
        ServerOptions options = test::nodeOptions(consoleData.path());
        const BackendServices services = backendServices(options, true, true);
        {
            MainWindow window(services,
                              services.makeBackend(node.backend().baseUrl(), node.backend().adminToken()));
            window.show();
            QTRY_VERIFY(window.eventsPage() && window.eventsPage()->model()->rowOf(u"far-away"_qs) >= 0);
            const QString host = QUrl(node.backend().baseUrl()).authority();
            QTRY_VERIFY(window.findChild<QLabel *>(u"engineState"_qs)->text().contains(host));
            QVERIFY(window.findChild<QLabel *>(u"shopperUrl"_qs)->text().contains(node.backend().baseUrl()));
            QVERIFY(window.windowTitle().contains(host));
            QCOMPARE(window.liveEventCount(), 0); // closing a remote console takes no shop offline
            // Open an event from the remote console.
            QVERIFY(node.api().admin("POST", u"/api/v1/admin/events"_qs,
                                     {{u"id"_qs, u"later"_qs}, {u"name"_qs, u"Later"_qs}, {u"priceCents"_qs, 100},
                                      {u"stock"_qs, 1}}).status == 201);
            QTRY_VERIFY(window.eventsPage()->model()->rowOf(u"later"_qs) >= 0);
            window.eventsPage()->select(u"later"_qs);
            test::MessageBoxAnswer yes(QString(), [](QMessageBox &box) { return box.button(QMessageBox::Yes); });
            window.eventsPage()->openEvent();
            QTRY_COMPARE(node.api().call("GET", u"/api/v1/events/later"_qs).json.value(u"state"_qs).toString(), u"open"_qs);
            QVERIFY(window.close());
        }
        QStringList found;
        for (const QString &root : {consoleData.path(), QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)}) {
            QDirIterator it(root, {u"*.sqlite"_qs, u"*.sqlite-wal"_qs}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                found << it.next();
        }
        QVERIFY2(found.isEmpty(), qPrintable(found.join(u", "_qs)));
    }

    // File → Connect to server… and back: the pages are rebuilt for each backend; the embedded
    // engine stops when the console leaves it (its port closes) and starts again on return.
    void switchesBetweenEmbeddedAndRemote()
    {
        ConsoleNode node(BackendUnderTest::Remote);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"remote-only"_qs, 5));
        QTemporaryDir consoleData;
        const BackendServices services = backendServices(test::nodeOptions(consoleData.path()), true, true);
        MainWindow window(services, services.makeBackend(QString(), QString()));
        window.show();
        QCOMPARE(int(window.backend()->kind()), int(BackendKind::InProcess));
        const QUrl embeddedUrl(window.backend()->baseUrl());
        QVERIFY(!window.findChild<QAction *>(u"embeddedAction"_qs)->isEnabled());

        QVERIFY(window.attachTo(node.backend().baseUrl(), node.backend().adminToken()));
        QCOMPARE(int(window.backend()->kind()), int(BackendKind::Remote));
        QTRY_VERIFY(window.eventsPage()->model()->rowOf(u"remote-only"_qs) >= 0);
        QVERIFY(window.findChild<QAction *>(u"embeddedAction"_qs)->isEnabled());
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, quint16(embeddedUrl.port()));
        QVERIFY(!probe.waitForConnected(1000)); // the embedded engine stopped

        window.findChild<QAction *>(u"embeddedAction"_qs)->trigger();
        QCOMPARE(int(window.backend()->kind()), int(BackendKind::InProcess));
        QCOMPARE(window.backend()->linkState(), LinkState::Connected);
        QTRY_COMPARE(window.eventsPage()->model()->rowOf(u"remote-only"_qs), -1);
        QVERIFY(window.findChild<QLabel *>(u"shopperUrl"_qs)->text().contains(u"Shoppers' API"));
    }

    // A wrong token is said as such in the status bar (and retried: the node's token may change).
    void wrongTokenIsNamed()
    {
        ConsoleNode node(BackendUnderTest::Remote);
        QVERIFY(node.start());
        QTemporaryDir consoleData;
        const BackendServices services = backendServices(test::nodeOptions(consoleData.path()), true, true);
        MainWindow window(services, services.makeBackend(node.backend().baseUrl(), u"not-the-token"_qs));
        QTRY_COMPARE(int(window.backend()->linkState()), int(LinkState::Reconnecting));
        QCOMPARE(window.backend()->linkError(), u"the node refused the admin token"_qs);
        QTRY_VERIFY(window.findChild<QLabel *>(u"engineState"_qs)->text().contains(u"refused the admin token"));
        QVERIFY(window.backend()->stats().events.isEmpty());
    }

    // What File → Connect to server… and --connect accept as a node's address.
    void connectAddressIsChecked_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("used");
        QTest::newRow("host and port") << u"http://shop.example:8080"_qs << u"http://shop.example:8080"_qs;
        QTest::newRow("trailing slash") << u" http://127.0.0.1:8080/ "_qs << u"http://127.0.0.1:8080"_qs;
        QTest::newRow("https") << u"https://shop.example"_qs << u"https://shop.example"_qs;
        QTest::newRow("ipv6") << u"http://[::1]:8080"_qs << u"http://[::1]:8080"_qs;
        QTest::newRow("no scheme") << u"shop.example:8080"_qs << QString();
        QTest::newRow("other scheme") << u"ftp://shop.example"_qs << QString();
        QTest::newRow("a path") << u"http://shop.example/api/v1"_qs << QString();
        QTest::newRow("a query") << u"http://shop.example?token=x"_qs << QString();
        QTest::newRow("credentials") << u"http://admin:secret@shop.example"_qs << QString();
        QTest::newRow("empty") << QString() << QString();
    }
    void connectAddressIsChecked()
    {
        QFETCH(QString, typed);
        QFETCH(QString, used);
        QCOMPARE(ConnectDialog::normalizedUrl(typed), used);
        ConnectDialog dialog(typed, u"token"_qs);
        QCOMPARE(dialog.url(), used);
        QCOMPARE(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled(), !used.isEmpty());
        QCOMPARE(dialog.findChild<QLabel *>(u"connectProblem"_qs)->text().isEmpty(), !used.isEmpty() || typed.trimmed().isEmpty());
    }

    // A node that goes away is shown in the status bar and retried with backoff; the window keeps
    // answering; when the node is back (same port and data) the console picks up where it was.
    void droppedNodeIsShownAndReconnects()
    {
        ConsoleNode node(BackendUnderTest::Remote);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"steady"_qs, 5));
        QTemporaryDir consoleData;
        const BackendServices services = backendServices(test::nodeOptions(consoleData.path()), true, true);
        MainWindow window(services, services.makeBackend(node.backend().baseUrl(), node.backend().adminToken()));
        window.show();
        auto *state = window.findChild<QLabel *>(u"engineState"_qs);
        QTRY_VERIFY(state->text().startsWith(u"●"));

        QVERIFY(node.process()->stop());
        QTRY_COMPARE_WITH_TIMEOUT(int(window.backend()->linkState()), int(LinkState::Reconnecting), 5000);
        QTRY_VERIFY(state->text().contains(u"lost"));
        QVERIFY2(state->text().contains(u"retrying"), qPrintable(state->text()));
        // Not frozen: the window still handles events while the link is down.
        window.tabs()->setCurrentIndex(1);
        QCOMPARE(window.tabs()->currentIndex(), 1);
        QCOMPARE(window.eventsPage()->model()->rowOf(u"steady"_qs) >= 0, true); // the last known list stays

        QVERIFY(node.process()->start());
        QTRY_COMPARE_WITH_TIMEOUT(int(window.backend()->linkState()), int(LinkState::Connected),
                                  RemoteBackend::kMaxRetryMs + 5000);
        QTRY_VERIFY(state->text().startsWith(u"●"));
        QCOMPARE(node.buy(u"steady"_qs, 1), 1);
        QTRY_COMPARE(window.eventsPage()->model()
                         ->index(window.eventsPage()->model()->rowOf(u"steady"_qs), EventsModel::Remaining)
                         .data()
                         .toString(),
                     u"4"_qs);
    }
};

QTEST_MAIN(TestConsolePages)
#include "tst_consolepages.moc"
