// The one decider thread: takes accepted requests in arrival order, decides each, and hands
// the decisions to the writer, which makes request and decision durable in one commit. Requests
// within an event's fair-start window wait and are decided together in a random order.
// In cluster mode it decides only the events this node took over (their purchases, order
// actions and expiries), recognises requests already decided, and runs tasks (take-overs, staff
// commands) in order with the requests.
#pragma once

#include "engine/core/decider.h"
#include "engine/core/eventbook.h"
#include "engine/core/fairstart.h"
#include "engine/node/writer.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace flashsale {

// Thread safety: enqueue and depth may be called from any thread (m_mutex guards the inbox).
// The Decider and every EventRuntime are touched only on the decider thread, with
// EventBook's mutex held for the whole batch.
class DeciderThread
{
public:
    using Clock = std::int64_t (*)();

    DeciderThread(EventBook &events, Writer &writer, std::int64_t nextOrderId, Clock clock);
    // Cluster mode: order ids are ticket seqs, and decisions carry the event's epoch.
    DeciderThread(EventBook &events, Writer &writer, Clock clock);
    ~DeciderThread();

    void start();
    // Decides everything already enqueued, then stops.
    void stop();

    // Hands over one accepted request; requests are decided in the order they are enqueued.
    void enqueue(PurchaseRequest request);
    void enqueue(std::vector<PurchaseRequest> &requests);
    // Runs task on the decider thread after everything enqueued before it.
    void enqueueTask(std::function<void()> task);
    // The shop's action on an order, decided on the decider thread in order with the purchases
    // enqueued before it; done gets the result and the writer generation that commits it (0:
    // nothing to commit), on the decider thread.
    void enqueueOrderAction(QString eventId, std::int64_t orderId, OrderAction action,
                            std::function<void(AdminResult, std::uint64_t generation)> done);

    // Decider thread only (a task, or a command run as one): the same as enqueueOrderAction's
    // task, for the caller to answer; generation gets the writer generation that commits it.
    AdminResult actOnOrder(const QString &eventId, std::int64_t orderId, OrderAction action, std::uint64_t *generation);

    std::size_t depth() const;

private:
    // A request, or a task when task is set.
    struct Item {
        PurchaseRequest request;
        std::function<void()> task;
    };

    // Appends to the inbox under its lock and wakes the thread if it was idle.
    template<typename AppendFn>
    void push(AppendFn &&append);
    void run();
    // Expires the unpaid orders whose deadline passed (on the clock tick) and commits the changes;
    // in cluster mode those of the events this node decides.
    void expireOrders(std::int64_t nowMs);
    // After order changes to slot's event (book lock held): persists the event if its state
    // changed, else publishes it, and hands the changes to the writer. Returns its generation.
    std::uint64_t commitOrderChanges(EventBook::Slot &slot, EventState before, std::int64_t nowMs);
    // gated: requests may be held for a fair start (false for the ones a window released).
    void decideBatch(std::vector<PurchaseRequest> &batch, std::vector<DecidedRequest> &decided, bool gated);
    // Takes request into the event's fair-start window while it is open (or closed and not yet
    // released); false: decide it now.
    bool holdForFairStart(const EventRuntime &event, PurchaseRequest &request, std::int64_t nowMs);
    // Cluster mode: the disposition of one request of an event this node may no longer decide.
    DecidedRequest decideClustered(EventRuntime &event, PurchaseRequest &request, std::int64_t nowMs);

    EventBook &m_events;
    Writer &m_writer;
    Decider m_decider; // decider thread only
    FairStartGate m_fairStart; // decider thread only: requests held in events' fair-start windows
    bool m_clustered = false;
    Clock m_clock;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<Item> m_inbox; // guarded by m_mutex
    std::vector<OrderChange> m_orderChanges; // decider thread only: scratch, reused
    bool m_stopping = false;
};

} // namespace flashsale
