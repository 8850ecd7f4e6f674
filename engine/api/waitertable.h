// The one table of clients waiting for a ticket to change on a front thread, shared by the HTTP
// routes (?wait long polls) and the WebSocket front (purchase and subscribe pushes).
#pragma once

#include "engine/node/engine.h"
#include "engine/core/ticketinbox.h"

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace flashsale {

// One client waiting on a ticket: an HTTP answer held back, or a WebSocket connection's push.
class TicketWaiter
{
public:
    virtual ~TicketWaiter() = default;
    // False once its connection is gone: the waiter is dropped unanswered.
    virtual bool connected() const = 0;
    // The ticket changed, or (deadlinePassed) the waiter's deadline came with the ticket durable.
    // True when this waiter is done and may go.
    virtual bool update(std::uint64_t seq, const TicketView &view, bool deadlinePassed) = 0;
    // Still not journalled at giveUpAtUs: tell the client to retry with the same requestId.
    virtual void giveUp(std::uint64_t seq, std::uint64_t tag) = 0;
    // After update() said "not done" for a decided ticket: the waiter waits for an offer of
    // freed units to the ticket's shopper (Engine::watchOffer) instead of a state change.
    virtual bool waitsForOffer() const { return false; }
};

// Thread: everything on the front thread, except ticketsChanged() (writer thread), which
// touches only m_inbox and calls the wake hook once per batch.
// Grace: a purchase or poll not journalled durableGraceMs after its deadline is given up (503 /
// "unavailable"); the HTTP and WebSocket fronts use the same grace (--durable-grace-ms, 5 s).
class WaiterTable final : public TicketListener
{
public:
    struct Hooks {
        std::function<void()> wake;     // any thread: run drain() on the front thread soon
        std::function<void()> armSweep; // front thread: call sweep() every few ms while !empty()
    };
    struct Wait {
        std::unique_ptr<TicketWaiter> waiter;
        std::uint64_t tag = 0;
        TicketState until = TicketState::Queued; // watched state
        std::int64_t deadlineUs = 0;  // 0: none; then update(…, true) once the ticket is durable
        std::int64_t giveUpAtUs = 0;  // 0: never
    };

    WaiterTable(Engine &engine, int durableGraceMs, Hooks hooks);
    ~WaiterTable() override;

    int listenerId() const { return m_listenerId; }
    std::int64_t durableGraceUs() const { return m_durableGraceUs; }
    // Parks a waiter; the caller has already watched seq for wait.until with listenerId() (a
    // waiter that waitsForOffer() is watched for its offer here, and answered at once if the
    // offer came meanwhile).
    void add(std::uint64_t seq, Wait wait);
    bool empty() const { return m_waits.empty(); }
    std::size_t size() const { return m_waits.size(); }

    void ticketsChanged(std::vector<std::uint64_t> &seqs) override;
    // Front thread: applies the changes pushed since the last drain.
    void drain();
    // Front thread: deadlines and give-ups due by nowUs.
    void sweep(std::int64_t nowUs);
    // Shutdown: what the final commit decided is answered, everyone else is given up.
    void finish();

private:
    // A waiter waiting for an offer: watches for it; true when it came meanwhile and the waiter
    // is done with it.
    bool watchOffer(std::uint64_t seq, Wait &wait);

    Engine &m_engine;
    const std::int64_t m_durableGraceUs;
    Hooks m_hooks;
    int m_listenerId = -1;
    std::unordered_multimap<std::uint64_t, Wait> m_waits; // by ticket seq
    TicketInbox m_inbox;
    std::vector<std::uint64_t> m_draining; // front thread only
};

} // namespace flashsale
