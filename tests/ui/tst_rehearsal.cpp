// Rehearsals cannot hurt: Tools → Simulate runs against a rehearsal copy of the event, paced,
// with progress counting decided shoppers; the event itself, its stock, orders and leads stay
// as they were, and shoppers, exports and totals never see the copy.
#include "tests/support/apiclient.h"
#include "engine/storage/records.h"
#include "testserver.h"
#include "ui/widgets/labels.h"
#include "ui/dialogs/simulatedialog.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QtTest>

using namespace flashsale;

namespace {

// Orders and leads stored for eventId, rehearsal copies and simulated shoppers included.
struct StoredRecords {
    std::int64_t orders = -1;
    std::int64_t leads = -1;
};

StoredRecords storedRecords(const StoreLocation &location, const QString &eventId, bool includeRehearsals)
{
    StoredRecords counted;
    QString error;
    QSqlDatabase db = readerConnection(location, &error);
    OrderQuery orders;
    orders.eventId = eventId;
    orders.includeRehearsals = includeRehearsals;
    IntentQuery leads;
    leads.eventId = eventId;
    leads.includeRehearsals = includeRehearsals;
    if (!records::countOrders(db, orders, &counted.orders, &error) || !records::countIntents(db, leads, &counted.leads, &error))
        qWarning("records: %s", qPrintable(error));
    return counted;
}

} // namespace

class TestRehearsal : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    // Whatever the event's state, the rehearsal sells out a copy and leaves the event alone.
    void rehearsalLeavesTheEventUntouched_data()
    {
        QTest::addColumn<int>("state");
        QTest::newRow("open") << int(EventState::Open);
        QTest::newRow("scheduled") << int(EventState::Scheduled);
        QTest::newRow("draft") << int(EventState::Draft);
    }
    void rehearsalLeavesTheEventUntouched()
    {
        QFETCH(int, state);
        constexpr int kShoppers = 300;
        constexpr int kPacePerSecond = 200;
        test::TestServer node;
        QVERIFY(node.started());
        EventConfig config;
        config.id = u"launch"_qs;
        config.name = u"Spring launch"_qs;
        config.priceCents = 4900;
        config.stock = 200;
        if (EventState(state) == EventState::Scheduled)
            config.startsAtMs = Engine::nowMs() + 3'600'000;
        QCOMPARE(int(node.engine().createEvent(config).status), int(Status::Ok));
        if (EventState(state) != EventState::Draft)
            QCOMPARE(int(node.engine().actOnEvent(config.id, EventAction::Open).status), int(Status::Ok));
        const EventSnapshot before = *node.engine().event(config.id);
        QCOMPARE(int(before.state), state);

        SimulateDialog dialog(node.backend());
        dialog.show();
        dialog.setEvents(node.engine().events());
        auto *event = dialog.findChild<QComboBox *>(u"simulateEvent"_qs);
        event->setCurrentIndex(event->findData(config.id));
        dialog.findChild<QSpinBox *>(u"simulateShoppers"_qs)->setValue(kShoppers);
        dialog.findChild<QSpinBox *>(u"simulatePace"_qs)->setValue(kPacePerSecond);
        auto *progress = dialog.findChild<QProgressBar *>(u"simulateProgress"_qs);
        auto *summaryLabel = dialog.findChild<QLabel *>(u"simulateSummary"_qs);
        QSignalSpy finished(dialog.rehearsal(), &RehearsalRun::finished);
        QElapsedTimer clock;
        clock.start();
        QTest::mouseClick(dialog.findChild<QPushButton *>(u"simulateStart"_qs), Qt::LeftButton);
        QVERIFY(dialog.rehearsal()->isRunning());

        // Mid-run the bar shows decided shoppers: the figure the summary line starts with, and
        // never more than have been decided.
        QTRY_VERIFY_WITH_TIMEOUT(progress->value() > 0 && progress->value() < kShoppers, 20000);
        const int shown = progress->value();
        QVERIFY2(summaryLabel->text().startsWith(u"Decided %1 of 300"_qs.arg(Labels::count(shown))),
                 qPrintable(summaryLabel->text()));
        QVERIFY(shown <= dialog.rehearsal()->summary().decided());

        QVERIFY(finished.wait(60000));
        const qint64 wallMs = clock.elapsed();
        const SimulationSummary summary = dialog.rehearsal()->summary();
        QCOMPARE(summary.failed, std::int64_t(0));
        QCOMPARE(summary.won, std::int64_t(200));
        QCOMPARE(summary.lost, std::int64_t(kShoppers - 200));
        QCOMPARE(progress->value(), int(summary.decided()));
        // Paced: N shoppers at P per second take at least N / P seconds.
        const qint64 floorMs = qint64(kShoppers) * 1000 / kPacePerSecond;
        QVERIFY2(summary.elapsedMs >= floorMs, qPrintable(QString::number(summary.elapsedMs)));
        QVERIFY2(wallMs >= floorMs, qPrintable(QString::number(wallMs)));

        // The copy: same settings, its own id, marked, sold out, ended afterwards.
        const QString copyId = dialog.rehearsal()->copyId();
        QCOMPARE(copyId, u"launch-rehearsal-1"_qs);
        const std::optional<EventSnapshot> copy = node.engine().event(copyId);
        QVERIFY(copy);
        QVERIFY(copy->config.rehearsal);
        QCOMPARE(copy->config.name, config.name);
        QCOMPARE(copy->config.priceCents, config.priceCents);
        QCOMPARE(copy->config.stock, std::int64_t(200));
        QCOMPARE(copy->remaining, std::int64_t(0));
        QCOMPARE(copy->requests.won, std::int64_t(200));
        // Ended by the backend's staff call after the last shopper, which answers a moment later.
        QTRY_COMPARE(int(node.engine().event(copyId)->state), int(EventState::Ended));
        QVERIFY2(summaryLabel->text().contains(copyId), qPrintable(summaryLabel->text()));

        // The event: same state, stock and counts; no order or lead of its own.
        const EventSnapshot after = *node.engine().event(config.id);
        QCOMPARE(int(after.state), int(before.state));
        QCOMPARE(after.remaining, std::int64_t(200));
        QCOMPARE(after.requests.accepted, std::int64_t(0));
        const StoredRecords real = storedRecords(node.engine().storeLocation(), config.id, true);
        QCOMPARE(real.orders, std::int64_t(0));
        QCOMPARE(real.leads, std::int64_t(0));
        // The copy's records are stored, but left out unless asked for, also of "all events".
        QCOMPARE(storedRecords(node.engine().storeLocation(), copyId, true).orders, std::int64_t(200));
        QCOMPARE(storedRecords(node.engine().storeLocation(), copyId, false).orders, std::int64_t(0));
        QCOMPARE(storedRecords(node.engine().storeLocation(), QString(), false).orders, std::int64_t(0));
        QCOMPARE(storedRecords(node.engine().storeLocation(), QString(), false).leads, std::int64_t(0));
        // Totals leave the copy out.
        QCOMPARE(node.engine().stats().requests.accepted, std::int64_t(0));
        QCOMPARE(node.engine().stats().requests.wonUnits, std::int64_t(0));

        // Shoppers: the copy is as unknown as an event that does not exist.
        ApiClient api(node.server().baseUrl(), node.server().adminToken().toUtf8(), 2);
        QCOMPARE(api.call("GET", u"/api/v1/events/"_qs + copyId).status, 404);
        QCOMPARE(api.call("GET", u"/api/v1/events/launch-rehearsal-2"_qs).status, 404);
        QCOMPARE(api.call("POST", u"/api/v1/events/%1/purchases"_qs.arg(copyId), purchaseBody(u"r1"_qs, u"u1"_qs)).status, 404);
        // The event itself is as visible as before (a draft is staff-only either way).
        QCOMPARE(api.call("GET", u"/api/v1/events/"_qs + config.id).status,
                 node.engine().event(config.id)->state == EventState::Draft ? 404 : 200);
        // Exports: the copy's CSV holds its header only unless rehearsals are asked for.
        const auto csvLines = [&](const QString &query) {
            const ApiReply reply = api.call("GET", u"/api/v1/admin/events/%1/orders.csv%2"_qs.arg(copyId, query), {}, true);
            return reply.status == 200 ? reply.body.trimmed().split('\n').size() : -1;
        };
        QCOMPARE(csvLines(QString()), 1);
        QCOMPARE(csvLines(u"?includeRehearsals=true"_qs), 1 + 200);
        // The admin list and /metrics leave it out.
        QCOMPARE(api.admin("GET", u"/api/v1/admin/events"_qs).json.value(u"total"_qs).toInt(), 1);
        QCOMPARE(api.admin("GET", u"/api/v1/admin/events?includeRehearsals=true"_qs).json.value(u"total"_qs).toInt(), 2);
        const ApiReply metrics = api.call("GET", u"/metrics"_qs, {}, true);
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains("event=\"launch\""));
        QVERIFY(!metrics.body.contains(copyId.toUtf8()));
        // The dialog never offers a copy to rehearse.
        dialog.setEvents(node.engine().events());
        QCOMPARE(event->count(), 1);
    }

    // The dialog's event list follows the events' states while it is open.
    void eventListIsLive()
    {
        test::TestServer node;
        QVERIFY(node.started());
        EventConfig config;
        config.id = u"live"_qs;
        config.name = u"Live list"_qs;
        config.stock = 5;
        QCOMPARE(int(node.engine().createEvent(config).status), int(Status::Ok));
        SimulateDialog dialog(node.backend());
        dialog.show();
        dialog.setEvents(node.engine().events());
        auto *event = dialog.findChild<QComboBox *>(u"simulateEvent"_qs);
        QVERIFY2(event->itemText(0).contains(Labels::state(EventState::Draft)), qPrintable(event->itemText(0)));
        QCOMPARE(int(node.engine().actOnEvent(config.id, EventAction::Open).status), int(Status::Ok));
        dialog.setEvents(node.engine().events());
        QCOMPARE(event->count(), 1);
        QVERIFY2(event->itemText(0).contains(Labels::state(EventState::Open)), qPrintable(event->itemText(0)));
        QCOMPARE(event->currentData().toString(), config.id);
    }
};

QTEST_MAIN(TestRehearsal)
#include "tst_rehearsal.moc"
