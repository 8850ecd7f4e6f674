// Launching a sale from the console: "Open by itself at" schedules on save, live edits ask first,
// and quitting with a live sale asks before the shop goes offline.
#include "tests/support/apiclient.h"
#include "tests/support/enumprinting.h"
#include "messageboxanswer.h"
#include "testserver.h"
#include "ui/dialogs/eventdialog.h"
#include "ui/models/eventsmodel.h"
#include "ui/pages/eventspage.h"
#include "ui/widgets/labels.h"
#include "ui/pages/leadspage.h"
#include "ui/mainwindow.h"
#include "ui/pages/orderspage.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTcpSocket>
#include <QtTest>

#include <functional>

using namespace flashsale;
using flashsale::test::TestServer;
using flashsale::test::MessageBoxAnswer;
using flashsale::test::acceptOf;
using flashsale::test::cancelOf;

namespace {

// The event's state as the shoppers' API reports it, or with adminToken as the admin API does.
QString apiState(const QString &baseUrl, const QString &id, const QByteArray &adminToken = {})
{
    ApiClient api(baseUrl, adminToken, 1);
    const QString path = (adminToken.isEmpty() ? u"/api/v1/events/"_qs : u"/api/v1/admin/events/"_qs) + id;
    return api.call("GET", path, {}, !adminToken.isEmpty()).json.value(u"state"_qs).toString();
}

EventConfig liveConfig(const QString &id)
{
    EventConfig config;
    config.id = id;
    config.name = u"Live "_qs + id;
    config.priceCents = 1000;
    config.stock = 10;
    config.perUserLimit = 1;
    return config;
}

} // namespace

class TestLaunching : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void savingSchedulesWhenOpenByItselfIsTicked_data()
    {
        QTest::addColumn<bool>("ticked");
        QTest::addColumn<QString>("stateAfterSave");
        QTest::newRow("ticked: scheduled, then open") << true << u"scheduled"_qs;
        QTest::newRow("unticked: a draft") << false << u"draft"_qs;
    }

    // The dialog saved with "Open by itself at" ticked launches the event: the engine and the
    // API say scheduled at once, and at the start time it opens with no traffic and no click.
    void savingSchedulesWhenOpenByItselfIsTicked()
    {
        QFETCH(bool, ticked);
        QFETCH(QString, stateAfterSave);
        TestServer node;
        QVERIFY(node.started());
        EventDialog dialog(node.backend(), EventDialog::Mode::Create, std::nullopt);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.findChild<QLineEdit *>(u"idEdit"_qs)->setText(u"launch"_qs);
        dialog.findChild<QLineEdit *>(u"nameEdit"_qs)->setText(u"Launch day"_qs);
        dialog.findChild<QLineEdit *>(u"priceEdit"_qs)->setText(u"9.90"_qs);
        const std::int64_t startsAtMs = Engine::nowMs() + 2500;
        dialog.findChild<QCheckBox *>(u"startsCheck"_qs)->setChecked(ticked);
        dialog.findChild<QDateTimeEdit *>(u"startsEdit"_qs)->setDateTime(QDateTime::fromMSecsSinceEpoch(startsAtMs));
        QTest::mouseClick(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));

        QCOMPARE(toString(node.engine().event(u"launch")->state), stateAfterSave);
        QCOMPARE(apiState(node.server().baseUrl(), u"launch"_qs, node.server().adminToken().toUtf8()), stateAfterSave);
        if (ticked) // shoppers see the countdown
            QCOMPARE(apiState(node.server().baseUrl(), u"launch"_qs), stateAfterSave);
        EventsPage page(node.backend());
        page.show();
        page.refresh(node.engine().events());
        page.select(u"launch"_qs);
        const QString shownState = page.model()->index(0, EventsModel::State).data().toString();
        auto *openButton = page.findChild<QPushButton *>(u"openButton"_qs);
        if (!ticked) {
            // A draft says so and offers to open it; one with a start ahead offers to schedule it.
            QCOMPARE(shownState, u"Draft"_qs);
            QCOMPARE(openButton->text(), u"&Open"_qs);
            QVERIFY(page.findChild<QLabel *>(u"selectedNote"_qs)->text().contains(u"is a draft"));
            EventConfig later = liveConfig(u"later"_qs);
            later.startsAtMs = Engine::nowMs() + 3'600'000;
            QVERIFY(node.engine().createEvent(later).status == Status::Ok);
            page.refresh(node.engine().events());
            page.select(u"later"_qs);
            QCOMPARE(openButton->text(), u"&Schedule"_qs);
            MessageBoxAnswer yes(QString(), [](QMessageBox &box) { return box.button(QMessageBox::Yes); });
            QTest::mouseClick(openButton, Qt::LeftButton);
            QVERIFY(yes.seen());
            QTRY_VERIFY(node.engine().event(u"later")->state == EventState::Scheduled);
            return;
        }
        QVERIFY2(shownState.startsWith(u"Scheduled · opens in 0:00:0"), qPrintable(shownState));
        QVERIFY(!openButton->isEnabled());
        // Nobody buys, nobody clicks: the clock opens it.
        QTRY_COMPARE_WITH_TIMEOUT(toString(node.engine().event(u"launch")->state), u"open"_qs, 8000);
        QVERIFY(Engine::nowMs() >= startsAtMs);
        QCOMPARE(apiState(node.server().baseUrl(), u"launch"_qs), u"open"_qs);
        QCOMPARE(node.engine().event(u"launch")->requests.accepted, std::int64_t(0));
    }

    // An event opened by hand shows when it opened; an ended one when it ended.
    void showsWhenItOpenedAndEnded()
    {
        TestServer node;
        QVERIFY(node.started());
        EventConfig config = liveConfig(u"timed"_qs);
        config.endsAtMs = Engine::nowMs() + 3'600'000; // planned, an hour away
        QVERIFY(node.engine().createEvent(config).status == Status::Ok);
        EventsPage page(node.backend());
        page.refresh(node.engine().events());
        QCOMPARE(page.model()->index(0, EventsModel::Starts).data().toString(), u"When opened"_qs);

        const std::int64_t beforeOpenMs = Engine::nowMs();
        QVERIFY(node.engine().actOnEvent(u"timed", EventAction::Open).status == Status::Ok);
        const std::int64_t openedAtMs = node.engine().event(u"timed")->config.startsAtMs;
        QVERIFY(openedAtMs >= beforeOpenMs && openedAtMs <= Engine::nowMs());
        page.refresh(node.engine().events());
        QCOMPARE(page.model()->index(0, EventsModel::Starts).data().toString(), Labels::time(openedAtMs));

        const std::int64_t beforeEndMs = Engine::nowMs();
        QVERIFY(node.engine().actOnEvent(u"timed", EventAction::End).status == Status::Ok);
        const std::int64_t endedAtMs = node.engine().event(u"timed")->config.endsAtMs;
        QVERIFY(endedAtMs >= beforeEndMs && endedAtMs < config.endsAtMs);
        page.refresh(node.engine().events());
        QCOMPARE(page.model()->index(0, EventsModel::Ends).data().toString(), Labels::time(endedAtMs));
    }

    // Editing an open event names what shoppers will notice and saves only when confirmed.
    void liveEditAsksFirst()
    {
        TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"live"_qs, 10));
        const QString before = node.engine().event(u"live")->config.name;
        for (const bool confirm : {false, true}) {
            EventDialog dialog(node.backend(), EventDialog::Mode::Edit, node.engine().event(u"live"));
            dialog.show();
            dialog.findChild<QLineEdit *>(u"nameEdit"_qs)->setText(u"Renamed live sale"_qs);
            dialog.findChild<QLineEdit *>(u"limitEdit"_qs)->setText(u"3"_qs);
            MessageBoxAnswer answer(u"liveEditConfirm"_qs, confirm ? acceptOf : cancelOf);
            QTest::mouseClick(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
            QVERIFY(answer.seen());
            QVERIFY2(answer.text().contains(u"Renamed live sale") && answer.text().contains(before)
                         && answer.text().contains(u"up to 3 (was 1)"),
                     qPrintable(answer.text()));
            QTRY_COMPARE(dialog.isVisible(), !confirm); // cancelled: still editing; else closed once saved
            QCOMPARE(node.engine().event(u"live")->config.name, confirm ? u"Renamed live sale"_qs : before);
        }
        // A draft is nobody's business yet: saved without a question.
        QVERIFY(node.engine().createEvent(liveConfig(u"quiet"_qs)).status == Status::Ok);
        EventDialog draft(node.backend(), EventDialog::Mode::Edit, node.engine().event(u"quiet"));
        draft.show();
        draft.findChild<QLineEdit *>(u"nameEdit"_qs)->setText(u"Still quiet"_qs);
        MessageBoxAnswer none(u"liveEditConfirm"_qs, cancelOf);
        QTest::mouseClick(draft.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QVERIFY(!none.seen());
        QTRY_COMPARE(node.engine().event(u"quiet")->config.name, u"Still quiet"_qs);
    }

    // Closing with an open sale asks and says the shop goes offline; Cancel keeps serving; Quit
    // stops the engine (its port closes). Without a system tray only Quit and Cancel are offered.
    void quittingWithALiveSaleAsksFirst()
    {
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(test::serverOf(window));
        const QString baseUrl = test::serverOf(window)->baseUrl();
        const quint16 port = QUrl(baseUrl).port();
        QVERIFY(test::serverOf(window)->engine().createEvent(liveConfig(u"shop"_qs)).status == Status::Ok);
        QVERIFY(test::serverOf(window)->engine().actOnEvent(u"shop", EventAction::Open).status == Status::Ok);
        QTRY_COMPARE(window.liveEventCount(), 1); // from the backend's next snapshot

        {
            MessageBoxAnswer answer(u"quitConfirm"_qs, cancelOf);
            QVERIFY(!window.close());
            QVERIFY(answer.seen());
            QVERIFY2(answer.text().contains(u"goes offline"), qPrintable(answer.text()));
            const bool tray = QSystemTrayIcon::isSystemTrayAvailable();
            QCOMPARE(answer.buttons().size(), tray ? 3 : 2);
            QCOMPARE(answer.buttons().join(u'|').contains(u"background"), tray);
        }
        QVERIFY(window.isVisible());
        QVERIFY(test::serverOf(window));
        QCOMPARE(apiState(baseUrl, u"shop"_qs), u"open"_qs);

        MessageBoxAnswer quit(u"quitConfirm"_qs, [](QMessageBox &box) { return box.findChild<QPushButton *>(u"quitButton"_qs); });
        QVERIFY(window.close());
        QVERIFY(quit.seen());
        QVERIFY(!test::serverOf(window));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!socket.waitForConnected(2000));
    }

    // "Copy shop link" (button and context menu) puts the event's shopper page on this node's
    // address on the clipboard, and that page answers.
    void copiesTheShopLink()
    {
        TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"linked"_qs, 5));
        EventsPage page(node.backend());
        page.show();
        page.refresh(node.engine().events());
        page.select(u"linked"_qs);
        auto *button = page.findChild<QPushButton *>(u"copyLinkButton"_qs);
        QVERIFY(button->isEnabled());
        QGuiApplication::clipboard()->clear();
        QTest::mouseClick(button, Qt::LeftButton);
        const QString link = QGuiApplication::clipboard()->text();
        QCOMPARE(link, node.server().baseUrl() + u"/shop/linked"_qs);
        ApiClient api(node.server().baseUrl(), QByteArray(), 1);
        const ApiReply reply = api.call("GET", u"/shop/linked"_qs);
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("content-type").startsWith("text/html"));
    }

    // Empty pages say what will appear there and how: events, orders and leads.
    void emptyPagesSayWhatToDo()
    {
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(test::serverOf(window));
        auto *eventsEmpty = window.eventsPage()->findChild<QLabel *>(u"eventsEmpty"_qs);
        QVERIFY(eventsEmpty->isVisible());
        QVERIFY(eventsEmpty->text().contains(u"Ctrl+N"));
        for (QWidget *page : {static_cast<QWidget *>(window.ordersPage()), static_cast<QWidget *>(window.leadsPage())}) {
            window.tabs()->setCurrentWidget(page);
            auto *empty = page->findChild<QLabel *>(page == window.ordersPage() ? u"ordersEmpty"_qs : u"leadsEmpty"_qs);
            QTRY_VERIFY(empty->isVisible());
            QVERIFY(!empty->text().isEmpty());
        }
        QVERIFY(test::serverOf(window)->engine().createEvent(liveConfig(u"first"_qs)).status == Status::Ok);
        QTRY_VERIFY(!eventsEmpty->isVisibleTo(window.eventsPage())); // the backend's next snapshot
    }

    // Orders and Leads agree: simulated shoppers are left out by default, under the same words.
    void simulatedShoppersLeftOutOnBothPages()
    {
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        auto *orders = window.ordersPage()->findChild<QCheckBox *>(u"ordersSimulated"_qs);
        auto *leads = window.leadsPage()->findChild<QCheckBox *>(u"leadsSimulated"_qs);
        QVERIFY(orders && leads);
        QVERIFY(!orders->isChecked());
        QVERIFY(!leads->isChecked());
        QCOMPARE(orders->text(), leads->text());
    }

    // A signal (SIGTERM from systemd or a shutdown) and the tray's Quit stop without a question:
    // nobody is at the keyboard to answer it.
    void quitWithoutAskingStopsALiveShop()
    {
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(test::serverOf(window));
        QVERIFY(test::serverOf(window)->engine().createEvent(liveConfig(u"live"_qs)).status == Status::Ok);
        QVERIFY(test::serverOf(window)->engine().actOnEvent(u"live", EventAction::Open).status == Status::Ok);
        MessageBoxAnswer none(u"quitConfirm"_qs, cancelOf);
        window.quitWithoutAsking();
        QVERIFY(!none.seen());
        QVERIFY(!test::serverOf(window));
        QVERIFY(!window.isVisible());
    }

    // Only drafts: nothing to take offline, so no question.
    void quittingWithOnlyDraftsDoesNotAsk()
    {
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(test::serverOf(window));
        QVERIFY(test::serverOf(window)->engine().createEvent(liveConfig(u"draft"_qs)).status == Status::Ok);
        MessageBoxAnswer none(u"quitConfirm"_qs, cancelOf);
        QVERIFY(window.close());
        QVERIFY(!none.seen());
        QVERIFY(!test::serverOf(window));
    }
};

QTEST_MAIN(TestLaunching)
#include "tst_launching.moc"
