// The one decider thread: takes accepted requests in arrival order, decides each, and hands
// the decisions to the writer, which makes request and decision durable in one commit.
#pragma once

#include "engine/decider.h"
#include "engine/eventbook.h"
#include "engine/writer.h"

#include <condition_variable>
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
    ~DeciderThread();

    void start();
    // Decides everything already enqueued, then stops.
    void stop();

    // Hands over one accepted request; requests are decided in the order they are enqueued.
    void enqueue(PurchaseRequest request);

    std::size_t depth() const;

private:
    void run();
    void decideBatch(std::vector<PurchaseRequest> &batch, std::vector<DecidedRequest> &decided);

    EventBook &m_events;
    Writer &m_writer;
    Decider m_decider; // decider thread only
    Clock m_clock;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<PurchaseRequest> m_inbox; // guarded by m_mutex
    bool m_stopping = false;
};

} // namespace flashsale
