// The store's single writer thread: collects decided requests and event rows, and
// group-commits everything that arrived during the previous commit in one transaction.
#pragma once

#include "engine/node/scaleout.h"
#include "engine/storage/store.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace flashsale {

// Cluster mode: a staff command the decider has applied, to acknowledge and answer after the commit.
struct CommandDone {
    wire::CommandOutcome outcome;
    QString eventId;
    EventSnapshot event; // the event after the command
    std::int64_t epoch = 0;
    bool returned = false; // not applied: this node no longer decides the event
};

// One group commit: everything the writer collected since the previous commit.
struct WriterBatch : CommitBatch {
    std::vector<CommandDone> commands; // not stored: acknowledged and answered after the commit

    bool isEmpty() const { return CommitBatch::isEmpty() && commands.empty(); }
    void clear()
    {
        CommitBatch::clear();
        commands.clear();
    }
};

// Thread safety: enqueue* and waitCommitted may be called from any thread; m_mutex guards the
// pending batch and the generation counters. The store and the publish callback are used only
// on the writer thread.
class Writer
{
public:
    // Called on the writer thread after each successful commit, with the committed batch (which
    // the callback may move from).
    using PublishFn = std::function<void(WriterBatch &committed)>;
    // Cluster mode: called on the writer thread with the entries dropped from a commit because
    // another node decides their events now.
    using FencedFn = std::function<void(const std::vector<FencedEvent> &fenced, WriterBatch &dropped)>;

    Writer(SqlStore &store, PublishFn publish, FencedFn fenced = {});
    ~Writer();

    // Starts the thread and runs init on it first (Qt Sql connections belong to one thread).
    // Returns init's result; on false the thread has already ended.
    bool start(const std::function<bool()> &init);
    // Commits everything still pending, then stops the thread.
    void stop();

    // Each returns the generation that will hold the entry once committed.
    std::uint64_t enqueueDecided(std::vector<DecidedRequest> &decided);
    std::uint64_t enqueueEventRow(const EventSnapshot &row);
    std::uint64_t enqueueCommand(CommandDone done);
    // The generation that holds everything enqueued so far (what a repeated change waits for).
    std::uint64_t lastGeneration() const;
    // Takes the changes (leaves the vector empty).
    std::uint64_t enqueueOrderChanges(std::vector<OrderChange> &changes);

    // Waits until generation is committed. Returns false on timeout.
    bool waitCommitted(std::uint64_t generation, int timeoutMs);

    std::uint64_t commitCount() const;
    bool isFailing() const { return m_failing.load(std::memory_order_relaxed); }

private:
    void run();
    bool stopping() const;
    // Moves every entry of the fenced events out of batch into dropped.
    static void takeFenced(WriterBatch &batch, const std::vector<FencedEvent> &fenced, WriterBatch &dropped);

    SqlStore &m_store;
    PublishFn m_publish;
    FencedFn m_fenced;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wakeWriter;
    std::condition_variable m_committed;
    WriterBatch m_pending;               // guarded by m_mutex
    std::uint64_t m_openGeneration = 1;  // guarded by m_mutex: the batch being filled
    std::uint64_t m_committedGeneration = 0;
    std::uint64_t m_commits = 0;
    bool m_stopping = false;
    std::atomic<bool> m_failing{false};
};

} // namespace flashsale
