// The event state machine as one table: every state × every staff action and clock transition →
// the new state, or the refusal (and then nothing changed and nothing was written).
#include "engine/core/eventbook.h"
#include "tests/support/enumprinting.h"

#include <QTest>

using namespace flashsale;

namespace {
constexpr std::int64_t kSetUpMs = 1'800'000'000'000;
constexpr std::int64_t kActMs = kSetUpMs + 1000;              // staff act a second after set-up
constexpr std::int64_t kStartsAtMs = kSetUpMs + 3'600'000;    // a scheduled event opens an hour later
constexpr std::int64_t kEndsAtMs = kSetUpMs + 2 * 3'600'000;  // every event ends two hours later

// What happens to the event: a staff action at kActMs, or the clock reaching a time.
enum class Step : std::uint8_t { Open = 1, Pause, End, Restock, EditName, EditStock, ClockAtStart, ClockAtEnd };

const char *nameOf(Step step)
{
    switch (step) {
    case Step::Open: return "open";
    case Step::Pause: return "pause";
    case Step::End: return "end";
    case Step::Restock: return "restock";
    case Step::EditName: return "edit name";
    case Step::EditStock: return "edit stock";
    case Step::ClockAtStart: return "clock reaches startsAt";
    case Step::ClockAtEnd: return "clock reaches endsAt";
    }
    return "?";
}

// An event config as staff would create it: stock 10 (0 for a sold-out one), ends in two hours.
EventConfig configFor(EventState state)
{
    EventConfig config;
    config.id = u"e"_qs;
    config.name = u"Event"_qs;
    config.priceCents = 990;
    config.stock = state == EventState::SoldOut ? 0 : 10;
    config.startsAtMs = state == EventState::Scheduled ? kStartsAtMs : 0;
    config.endsAtMs = kEndsAtMs;
    return config;
}

// Drives a fresh book's event "e" into state through staff actions only; false if it could not.
bool reach(EventBook &book, EventState state)
{
    const EventConfig config = configFor(state);
    if (state == EventState::Draft)
        return book.create(config, kSetUpMs, CreateAs::Draft).status == Status::Ok;
    if (book.create(config, kSetUpMs, CreateAs::Launched).status != Status::Ok)
        return false;
    if (state == EventState::Paused)
        return book.act(u"e", EventAction::Pause, kSetUpMs).status == Status::Ok;
    if (state == EventState::Ended)
        return book.act(u"e", EventAction::End, kSetUpMs).status == Status::Ok;
    return true;
}
} // namespace

class TestEventStates : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void transitions_data()
    {
        QTest::addColumn<EventState>("from");
        QTest::addColumn<Step>("step");
        QTest::addColumn<bool>("refused");
        QTest::addColumn<EventState>("to"); // the state after the step (refused: unchanged)

        using S = EventState;
        const auto row = [](S from, Step step, bool refused, S to) {
            QTest::addRow("%s, %s", qPrintable(toString(from)), nameOf(step)) << from << step << refused << to;
        };
        const bool ok = false, refused = true;

        // A draft moves only by staff: launched now (no start set) or ended; the clock leaves it.
        row(S::Draft, Step::Open, ok, S::Open);
        row(S::Draft, Step::Pause, refused, S::Draft);
        row(S::Draft, Step::End, ok, S::Ended);
        row(S::Draft, Step::Restock, refused, S::Draft);
        row(S::Draft, Step::EditName, ok, S::Draft);
        row(S::Draft, Step::EditStock, ok, S::Draft);
        row(S::Draft, Step::ClockAtStart, ok, S::Draft);
        row(S::Draft, Step::ClockAtEnd, ok, S::Draft);

        // Scheduled: opening again is a no-op; it opens at startsAt and ends at endsAt by itself.
        row(S::Scheduled, Step::Open, ok, S::Scheduled);
        row(S::Scheduled, Step::Pause, refused, S::Scheduled);
        row(S::Scheduled, Step::End, ok, S::Ended);
        row(S::Scheduled, Step::Restock, refused, S::Scheduled);
        row(S::Scheduled, Step::EditName, ok, S::Scheduled);
        row(S::Scheduled, Step::EditStock, ok, S::Scheduled);
        row(S::Scheduled, Step::ClockAtStart, ok, S::Open);
        row(S::Scheduled, Step::ClockAtEnd, ok, S::Ended);

        // Open: once open, stock changes only by restock.
        row(S::Open, Step::Open, ok, S::Open);
        row(S::Open, Step::Pause, ok, S::Paused);
        row(S::Open, Step::End, ok, S::Ended);
        row(S::Open, Step::Restock, ok, S::Open);
        row(S::Open, Step::EditName, ok, S::Open);
        row(S::Open, Step::EditStock, refused, S::Open);
        row(S::Open, Step::ClockAtStart, ok, S::Open);
        row(S::Open, Step::ClockAtEnd, ok, S::Ended);

        // Paused: pausing again is a no-op; a restock keeps it paused.
        row(S::Paused, Step::Open, ok, S::Open);
        row(S::Paused, Step::Pause, ok, S::Paused);
        row(S::Paused, Step::End, ok, S::Ended);
        row(S::Paused, Step::Restock, ok, S::Paused);
        row(S::Paused, Step::EditName, ok, S::Paused);
        row(S::Paused, Step::EditStock, refused, S::Paused);
        row(S::Paused, Step::ClockAtStart, ok, S::Paused);
        row(S::Paused, Step::ClockAtEnd, ok, S::Ended);

        // Sold out: only a restock reopens it.
        row(S::SoldOut, Step::Open, refused, S::SoldOut);
        row(S::SoldOut, Step::Pause, ok, S::Paused);
        row(S::SoldOut, Step::End, ok, S::Ended);
        row(S::SoldOut, Step::Restock, ok, S::Open);
        row(S::SoldOut, Step::EditName, ok, S::SoldOut);
        row(S::SoldOut, Step::EditStock, refused, S::SoldOut);
        row(S::SoldOut, Step::ClockAtStart, ok, S::SoldOut);
        row(S::SoldOut, Step::ClockAtEnd, ok, S::Ended);

        // Ended is final: ending again is a no-op, everything else is refused.
        row(S::Ended, Step::Open, refused, S::Ended);
        row(S::Ended, Step::Pause, refused, S::Ended);
        row(S::Ended, Step::End, ok, S::Ended);
        row(S::Ended, Step::Restock, refused, S::Ended);
        row(S::Ended, Step::EditName, refused, S::Ended);
        row(S::Ended, Step::EditStock, refused, S::Ended);
        row(S::Ended, Step::ClockAtStart, ok, S::Ended);
        row(S::Ended, Step::ClockAtEnd, ok, S::Ended);
    }

    void transitions()
    {
        QFETCH(EventState, from);
        QFETCH(Step, step);
        QFETCH(bool, refused);
        QFETCH(EventState, to);

        std::vector<EventSnapshot> rows; // what the book asked to persist
        EventBook book([&](const EventSnapshot &row) { rows.push_back(row); });
        QVERIFY(reach(book, from));
        const EventSnapshot before = *book.snapshot(0);
        QCOMPARE_ENUM(before.state, from);
        const std::size_t rowsBefore = rows.size();

        AdminResult result;
        result.status = Status::Ok;
        switch (step) {
        case Step::Open: result = book.act(u"e", EventAction::Open, kActMs); break;
        case Step::Pause: result = book.act(u"e", EventAction::Pause, kActMs); break;
        case Step::End: result = book.act(u"e", EventAction::End, kActMs); break;
        case Step::Restock: result = book.restock(u"e", 5, kActMs); break;
        case Step::EditName: {
            EventPatch patch;
            patch.name = u"Renamed"_qs;
            result = book.update(u"e", patch, kActMs);
            break;
        }
        case Step::EditStock: {
            EventPatch patch;
            patch.stock = 20;
            result = book.update(u"e", patch, kActMs);
            break;
        }
        case Step::ClockAtStart: book.tick(kStartsAtMs); break;
        case Step::ClockAtEnd: book.tick(kEndsAtMs); break;
        }

        const EventSnapshot after = *book.snapshot(0);
        if (refused) {
            QVERIFY2(result.status == Status::InvalidState, "refused as invalid in this state");
            QVERIFY2(!result.message.isEmpty(), "a refusal names the problem");
            QCOMPARE(rows.size(), rowsBefore);
            QCOMPARE_ENUM(after.state, from);
            QCOMPARE(after.stockTotal, before.stockTotal);
            QCOMPARE(after.config.name, before.config.name);
            return;
        }
        QVERIFY2(result.status == Status::Ok, qPrintable(result.message));
        QCOMPARE_ENUM(after.state, to);
        if (to != from) {
            QVERIFY2(rows.size() > rowsBefore, "a change of state is persisted");
            QCOMPARE_ENUM(rows.back().state, to);
        }
        if (step == Step::Restock)
            QCOMPARE(after.stockTotal, before.stockTotal + 5);
        if (step == Step::EditStock)
            QCOMPARE(after.stockTotal, 20);
        if (step == Step::EditName)
            QCOMPARE(after.config.name, u"Renamed"_qs);
        if (step == Step::End && from != EventState::Ended && from != EventState::Scheduled)
            QCOMPARE(after.config.endsAtMs, kActMs); // ended early: endsAt says when
    }
};

QTEST_GUILESS_MAIN(TestEventStates)
#include "tst_eventstates.moc"
