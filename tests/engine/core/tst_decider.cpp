// The decision rule, table by table: stock, per-user limit, restock, pause, end, schedule.
#include "engine/core/decider.h"
#include "tests/support/enumprinting.h"

#include <QRandomGenerator>

#include <QTest>

using namespace flashsale;

namespace {
constexpr std::int64_t kNow = 1'800'000'000'000;

// A compact script: "user:quantity" requests, with "!restock:N", "!pause", "!open", "!end" steps.
struct Outcome {
    QString script;
    QStringList expected; // per request: "won" or a loss reason
};
} // namespace

// An open event with a one-minute payment window.
EventRuntime windowedEvent(int stock, int perUserLimit, ReleasePolicy policy)
{
    EventRuntime event;
    event.config.id = u"w"_qs;
    event.config.stock = stock;
    event.config.perUserLimit = perUserLimit;
    event.config.paymentWindowSeconds = 60;
    event.config.releasePolicy = policy;
    event.stockTotal = stock;
    event.state = EventState::Open;
    return event;
}

PurchaseRequest purchase(std::uint64_t seq, const QString &userId, int quantity)
{
    PurchaseRequest request;
    request.seq = seq;
    request.userId = userId;
    request.requestId = u"r"_qs + QString::number(seq);
    request.quantity = quantity;
    return request;
}

class TestDecider : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decides_data()
    {
        QTest::addColumn<int>("stock");
        QTest::addColumn<int>("perUserLimit");
        QTest::addColumn<QString>("script");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<int>("remainingAfter");

        QTest::newRow("sells out, then loses") << 2 << 1 << u"a:1 b:1 c:1"_qs
                                               << QStringList{u"won"_qs, u"won"_qs, u"sold_out"_qs} << 0;
        QTest::newRow("limit per user") << 10 << 2 << u"a:1 a:1 a:1 b:2 b:1"_qs
                                        << QStringList{u"won"_qs, u"won"_qs, u"limit_reached"_qs, u"won"_qs, u"limit_reached"_qs} << 6;
        QTest::newRow("quantity over the limit") << 10 << 2 << u"a:3"_qs << QStringList{u"limit_reached"_qs} << 10;
        QTest::newRow("not enough for the quantity") << 3 << 5 << u"a:2 b:2 c:1"_qs
                                                     << QStringList{u"won"_qs, u"sold_out"_qs, u"won"_qs} << 0;
        QTest::newRow("restock reopens") << 1 << 1 << u"a:1 b:1 !restock:2 c:1 d:1 e:1"_qs
                                         << QStringList{u"won"_qs, u"sold_out"_qs, u"won"_qs, u"won"_qs, u"sold_out"_qs} << 0;
        QTest::newRow("pause and reopen") << 5 << 1 << u"a:1 !pause b:1 !open c:1"_qs
                                          << QStringList{u"won"_qs, u"not_open"_qs, u"won"_qs} << 3;
        QTest::newRow("ended") << 5 << 1 << u"a:1 !end b:1"_qs << QStringList{u"won"_qs, u"not_open"_qs} << 4;
        QTest::newRow("past endsAt") << 5 << 1 << u"!endsAtPast a:1"_qs << QStringList{u"not_open"_qs} << 5;
        QTest::newRow("scheduled not yet started") << 5 << 1 << u"!scheduleFuture a:1"_qs << QStringList{u"not_open"_qs} << 5;
        QTest::newRow("scheduled and started") << 5 << 1 << u"!schedulePast a:1"_qs << QStringList{u"won"_qs} << 4;
        QTest::newRow("zero stock") << 0 << 1 << u"a:1"_qs << QStringList{u"sold_out"_qs} << 0;
    }

    void decides()
    {
        QFETCH(int, stock);
        QFETCH(int, perUserLimit);
        QFETCH(QString, script);
        QFETCH(QStringList, expected);
        QFETCH(int, remainingAfter);

        EventRuntime event;
        event.config.id = u"e"_qs;
        event.config.stock = stock;
        event.config.perUserLimit = perUserLimit;
        event.config.priceCents = 1999;
        event.stockTotal = stock;
        event.state = stock > 0 ? EventState::Open : EventState::SoldOut;
        Decider decider(100);

        QStringList outcomes;
        std::uint64_t seq = 0;
        std::int64_t lastOrderId = 99;
        for (const QString &step : script.split(u' ', Qt::SkipEmptyParts)) {
            if (step.startsWith(u"!restock:")) {
                event.stockTotal += step.mid(9).toInt();
                if (event.state == EventState::SoldOut)
                    event.state = EventState::Open;
            } else if (step == u"!pause") {
                event.state = EventState::Paused;
            } else if (step == u"!open") {
                event.state = EventState::Open;
            } else if (step == u"!end") {
                event.state = EventState::Ended;
            } else if (step == u"!endsAtPast") {
                event.config.endsAtMs = kNow - 1;
            } else if (step == u"!scheduleFuture") {
                event.state = EventState::Scheduled;
                event.config.startsAtMs = kNow + 1000;
            } else if (step == u"!schedulePast") {
                event.state = EventState::Scheduled;
                event.config.startsAtMs = kNow - 1000;
            } else {
                const QStringList parts = step.split(u':');
                PurchaseRequest request;
                request.seq = ++seq;
                request.userId = parts[0];
                request.quantity = parts[1].toInt();
                const Decision d = decider.decide(event, request, kNow);
                QCOMPARE(d.seq, seq);
                if (d.outcome == TicketState::Won) {
                    QCOMPARE(d.orderId, lastOrderId + 1); // order ids are gap-free
                    lastOrderId = d.orderId;
                    QCOMPARE(d.unitPriceCents, 1999);
                    QCOMPARE_ENUM(d.reason, LossReason::None);
                    outcomes << u"won"_qs;
                } else {
                    QCOMPARE(d.orderId, 0);
                    outcomes << toString(d.reason);
                }
            }
        }
        QCOMPARE(outcomes, expected);
        QCOMPARE(event.remaining(), remainingAfter);
        QVERIFY(event.remaining() >= 0);
        // The event's counters agree with the decisions handed out.
        QCOMPARE(event.requests.won, std::int64_t(outcomes.count(u"won"_qs)));
        QCOMPARE(event.requests.decided(), std::int64_t(outcomes.size()));
        if (event.remaining() == 0 && event.state == EventState::Open)
            QFAIL("an event with nothing left must be sold out");
    }

    // Every status an order of a windowed event can be in, and what paid/cancel does to it.
    void orderActions_data()
    {
        QTest::addColumn<QString>("before"); // how the order got there: "", "paid", "cancel", "expire"
        QTest::addColumn<int>("action");     // OrderAction
        QTest::addColumn<int>("status");     // Status of the answer
        QTest::addColumn<QString>("after");  // the order's status afterwards
        QTest::addColumn<int>("changes");    // order changes to commit
        QTest::addColumn<int>("remaining");
        const int pay = int(OrderAction::Pay), cancel = int(OrderAction::Cancel);
        const int ok = int(Status::Ok), invalid = int(Status::InvalidState);
        QTest::newRow("pending, paid") << QString() << pay << ok << u"paid"_qs << 1 << 1;
        QTest::newRow("pending, cancelled") << QString() << cancel << ok << u"cancelled"_qs << 1 << 2;
        QTest::newRow("paid, paid again") << u"paid"_qs << pay << ok << u"paid"_qs << 0 << 1;
        QTest::newRow("paid, cancel") << u"paid"_qs << cancel << invalid << u"paid"_qs << 0 << 1;
        QTest::newRow("cancelled, cancel again") << u"cancel"_qs << cancel << ok << u"cancelled"_qs << 0 << 2;
        QTest::newRow("cancelled, paid") << u"cancel"_qs << pay << invalid << u"cancelled"_qs << 0 << 2;
        QTest::newRow("expired, paid") << u"expire"_qs << pay << invalid << u"expired"_qs << 0 << 2;
        QTest::newRow("expired, cancel") << u"expire"_qs << cancel << invalid << u"expired"_qs << 0 << 2;
    }

    void orderActions()
    {
        QFETCH(QString, before);
        QFETCH(int, action);
        QFETCH(int, status);
        QFETCH(QString, after);
        QFETCH(int, changes);
        QFETCH(int, remaining);
        EventRuntime event = windowedEvent(2, 1, ReleasePolicy::Restock);
        Decider decider(1);
        const Decision won = decider.decide(event, purchase(1, u"ann"_qs, 1), kNow);
        QCOMPARE(won.expiresAtMs, kNow + 60'000);
        QCOMPARE(event.remaining(), 1);
        std::vector<OrderChange> pending;
        if (before == u"paid")
            decider.act(event, won.orderId, OrderAction::Pay, kNow, pending);
        else if (before == u"cancel")
            decider.act(event, won.orderId, OrderAction::Cancel, kNow, pending);
        else if (before == u"expire")
            decider.expireDue(event, won.expiresAtMs, pending);
        QCOMPARE(int(pending.size()), before.isEmpty() ? 0 : 1);
        pending.clear();
        const AdminResult result = decider.act(event, won.orderId, OrderAction(action), kNow + 1, pending);
        QCOMPARE(int(result.status), status);
        QCOMPARE(toString(result.order.status), after);
        QCOMPARE(int(pending.size()), changes);
        QCOMPARE(event.remaining(), remaining);
        // Nothing is left to expire once the order is settled.
        decider.expireDue(event, kNow + 3'600'000, pending);
        QCOMPARE(int(pending.size()), changes);
    }

    // Freed units go to the leads in decision order, skipping one who holds an order, capped at
    // the units freed; an expired offer moves on, and with no lead left the unit is back in stock.
    void offersFollowDecisionOrder()
    {
        EventRuntime event = windowedEvent(1, 2, ReleasePolicy::Offer);
        Decider decider(1);
        const Decision ann = decider.decide(event, purchase(1, u"ann"_qs, 1), kNow);
        QCOMPARE_ENUM(ann.outcome, TicketState::Won);
        QCOMPARE_ENUM(decider.decide(event, purchase(2, u"bob"_qs, 2), kNow).reason, LossReason::SoldOut);
        QCOMPARE_ENUM(decider.decide(event, purchase(3, u"cy"_qs, 2), kNow).reason, LossReason::SoldOut);
        QCOMPARE_ENUM(decider.decide(event, purchase(4, u"BOB"_qs, 1), kNow).reason, LossReason::SoldOut); // bob again
        QCOMPARE_ENUM(decider.decide(event, purchase(5, u"dee"_qs, 1), kNow).reason, LossReason::SoldOut);
        QCOMPARE(event.leads.size(), std::size_t(3));
        event.stockTotal += 1; // a restock: bob buys one and holds an order now
        event.state = EventState::Open;
        QCOMPARE_ENUM(decider.decide(event, purchase(6, u"bob"_qs, 1), kNow).outcome, TicketState::Won);

        std::vector<OrderChange> changes;
        QCOMPARE(int(decider.act(event, ann.orderId, OrderAction::Cancel, kNow + 10, changes).status), int(Status::Ok));
        QCOMPARE(changes.size(), std::size_t(2)); // the cancel, then the offer
        const OrderView offer = changes[1].order;
        QVERIFY(changes[1].created);
        QCOMPARE(offer.userId, u"cy"_qs);
        QCOMPARE(offer.quantity, 1); // one unit freed, though cy wanted two
        QCOMPARE(offer.ticketSeq, std::uint64_t(3));
        QCOMPARE_ENUM(offer.source, OrderSource::Offer);
        QCOMPARE(offer.expiresAtMs, kNow + 10 + 60'000);
        QCOMPARE(event.remaining(), 0);
        QCOMPARE_ENUM(event.state, EventState::SoldOut);

        changes.clear();
        decider.expireDue(event, offer.expiresAtMs, changes); // bob's sale is due then too
        QCOMPARE(changes.size(), std::size_t(3)); // bob's order expires and goes to dee; cy's expires, no lead left
        QCOMPARE(changes[1].order.userId, u"dee"_qs);
        QCOMPARE_ENUM(changes[2].order.status, OrderStatus::Expired);
        QCOMPARE(changes[2].order.userId, u"cy"_qs);
        QCOMPARE(event.remaining(), 1);
        QCOMPARE_ENUM(event.state, EventState::Open);
        QCOMPARE(event.heldUnits(), event.requests.wonUnits + event.orderCounts.offeredUnits - event.orderCounts.freedUnits());
        QCOMPARE(event.heldUnits(), 1); // dee's offer
        // ann's sale cancelled, bob's sale and cy's offer expired, dee's offer awaiting payment.
        const OrderCounts counts = event.orderCounts;
        QCOMPARE(counts.pendingOrders, std::int64_t(1));
        QCOMPARE(counts.pendingUnits, std::int64_t(1));
        QCOMPARE(counts.paidUnits, std::int64_t(0));
        QCOMPARE(counts.cancelledUnits, std::int64_t(1));
        QCOMPARE(counts.expiredUnits, std::int64_t(2));
        QCOMPARE(counts.offeredUnits, std::int64_t(2));
        QCOMPARE(counts.freedUnits(), std::int64_t(3));
        QCOMPARE(counts.needingPaymentUnits(), event.requests.wonUnits + counts.offeredUnits);
        changes.clear();
        QCOMPARE(int(decider.act(event, event.awaitingPayment.back(), OrderAction::Pay, kNow + 20, changes).status),
                 int(Status::Ok));
        QCOMPARE(event.orderCounts.pendingOrders, std::int64_t(0));
        QCOMPARE(event.orderCounts.paidUnits, std::int64_t(1));
    }

    // Two users whose ids hash alike are still two users: the table compares the ids.
    void collidingUserHashesStayApart()
    {
        EventRuntime event;
        event.config.perUserLimit = 1;
        event.stockTotal = 10;
        event.state = EventState::Open;
        Decider decider;
        for (int i = 0; i < 3; ++i) {
            PurchaseRequest request;
            request.seq = std::uint64_t(i) + 1;
            request.userId = u"user-"_qs + QString::number(i);
            request.userHash = 42; // forced collision
            request.quantity = 1;
            QCOMPARE_ENUM(decider.decide(event, request, kNow).outcome, TicketState::Won);
        }
        PurchaseRequest again;
        again.seq = 4;
        again.userId = u"user-1"_qs;
        again.userHash = 42;
        again.quantity = 1;
        QCOMPARE_ENUM(decider.decide(event, again, kNow).reason, LossReason::LimitReached);
        QCOMPARE(event.wonUnitsByUser.userCount(), 3u);
        // The table grows past its first size without losing anyone.
        for (int i = 0; i < 1000; ++i)
            event.wonUnitsByUser.add(hashUserId(QString::number(i)), QString::number(i), 1);
        QCOMPARE(event.wonUnitsByUser.unitsOf(42, u"user-2"_qs), 1);
        QCOMPARE(event.wonUnitsByUser.unitsOf(hashUserId(u"999"), u"999"_qs), 1);
        QCOMPARE(event.wonUnitsByUser.unitsOf(hashUserId(u"nobody"), u"nobody"_qs), 0);
    }

    // Many users racing for a little stock: never oversold, never over a user's limit.
    void neverOversellsRandomly()
    {
        EventRuntime event;
        event.config.perUserLimit = 3;
        event.stockTotal = 500;
        event.state = EventState::Open;
        Decider decider;
        QHash<QString, int> wonByUser;
        std::int64_t wonUnits = 0;
        QRandomGenerator random(42);
        for (int i = 0; i < 20000; ++i) {
            PurchaseRequest request;
            request.seq = i + 1;
            request.userId = QString::number(random.bounded(2000));
            request.quantity = 1 + random.bounded(3);
            const Decision d = decider.decide(event, request, kNow);
            if (d.outcome == TicketState::Won) {
                wonByUser[request.userId] += request.quantity;
                wonUnits += request.quantity;
            }
        }
        QVERIFY(wonUnits <= 500);
        QCOMPARE(event.remaining(), 500 - wonUnits);
        for (int units : std::as_const(wonByUser))
            QVERIFY(units <= 3);
        QCOMPARE_ENUM(event.state, EventState::SoldOut); // 20,000 requests for 500 units sell it out
    }
};

QTEST_GUILESS_MAIN(TestDecider)
#include "tst_decider.moc"
