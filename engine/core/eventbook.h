// The registry of sale events: their configuration, live state and published snapshots.
#pragma once

#include "engine/core/admintypes.h"
#include "engine/core/decider.h"
#include "engine/core/types.h"

#include <QHash>
#include <QList>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <vector>

namespace flashsale {

// Start-up and cluster take-over: an event's orders as stored, beyond the per-user units they hold.
struct RestoredOrders {
    OrderCounts counts; // as the store's orders add up
    std::vector<OrderView> orders; // events with a payment window: every order, by id
    std::vector<Lead> leads;       // ReleasePolicy::Offer: sold_out losses in decision order, offered ones left out
};

// Cluster mode: what a node loads from the shared store when it becomes an event's decider.
struct EventTakeover {
    EventSnapshot event;     // the stored row
    std::int64_t epoch = 0;  // the new fencing epoch, already written to the store
    QHash<QString, std::int32_t> wonUnitsByUser; // units held (orders neither cancelled nor expired)
    RequestCounts requests; // decided ones (accepted is not loaded); wonUnits: every won request's
    QHash<QString, DecidedOutcome> decidedByRequestId;
    RestoredOrders orders; // awaiting payment, offered and freed units, leads not offered yet
};

// Thread safety: m_mutex guards every EventRuntime (the decider holds it for one batch; staff
// operations hold it for one change). m_directoryMutex guards the id → slot directory. The
// per-slot atomics and published snapshots are read by front-end threads without m_mutex.
class EventBook
{
public:
    // Called with m_mutex held whenever an event row must be persisted; returns nothing, the
    // caller orders rows by calling it under the lock.
    using RowSink = std::function<void(const EventSnapshot &)>;

    struct Slot {
        QString id;                            // set before the slot is published; never changes
        bool rehearsal = false;                // likewise (EventConfig::rehearsal)
        EventRuntime runtime;                  // guarded by EventBook::m_mutex
        std::atomic<EventState> storedState{EventState::Draft};
        std::atomic<std::int64_t> startsAtMs{0};
        std::atomic<std::int64_t> acceptedRequests{0}; // counted by front ends
        std::atomic<std::int64_t> decidedRequests{0};
        mutable std::mutex snapshotMutex;
        std::shared_ptr<const EventSnapshot> snapshot; // guarded by snapshotMutex
    };

    explicit EventBook(RowSink sink);

    // Start-up: installs an event loaded from the store.
    void restore(const EventSnapshot &event, const QHash<QString, std::int32_t> &wonUnitsByUser,
                 const RequestCounts &requests, RestoredOrders orders = {});

    int indexOf(QStringView id) const;
    // The id of the event at index ("" if none); cheap, for answers on the hot path.
    QString idAt(int index) const;
    Slot *slot(int index) const;
    int count() const;

    std::optional<EventSnapshot> snapshot(int index) const;
    QList<EventSnapshot> snapshots() const;

    AdminResult create(const EventConfig &config, std::int64_t nowMs, CreateAs as = CreateAs::Draft);
    AdminResult update(QStringView id, const EventPatch &patch, std::int64_t nowMs);
    AdminResult act(QStringView id, EventAction action, std::int64_t nowMs);
    AdminResult restock(QStringView id, std::int64_t units, std::int64_t nowMs);

    // Applies clock-driven transitions (scheduled → open, → ended). Returns the changed events.
    // In cluster mode only the events this node decides.
    QList<EventSnapshot> tick(std::int64_t nowMs);

    // Cluster mode: events are decided by one node each, and mirrored by the others. What the
    // book needs from the node's intake, set once before start.
    struct ClusterHooks {
        // Requests of the event (by index) accepted somewhere and waiting outside this node:
        // a clustered snapshot counts accepted as decided plus these. Any thread.
        std::function<std::int64_t(int index)> waitingRequests;
        // This node stopped deciding the event (another node took it over, or a commit was
        // fenced); called with the book's lock held, so it must only take note.
        std::function<void(int index)> authorityLost;
    };
    void setClustered(ClusterHooks hooks)
    {
        m_clusterHooks = std::move(hooks);
        m_clustered = true;
    }
    // Mirrors an event as its decider (epoch) broadcast it, adding it if new; ignored while this
    // node decides the event under a newer epoch. Returns the event's index.
    int applyReplica(const EventSnapshot &event, std::int64_t epoch);
    // Makes this node the event's decider with the state loaded from the store (decider thread).
    void takeOver(int index, EventTakeover loaded);
    // The epoch under which this node decides the event (0: it does not).
    std::int64_t deciderEpochOf(int index);
    // Stops deciding the event here if still under epoch (a commit was fenced by a newer decider).
    void loseAuthority(int index, std::int64_t epoch);

    // Runs fn(slots) with m_mutex held, for the decider's batch.
    template<typename Fn>
    void withRuntimesLocked(Fn &&fn)
    {
        std::lock_guard lock(m_mutex);
        fn();
    }
    // Refreshes the published snapshot of a slot; call with m_mutex held (decider, staff).
    void publishLocked(Slot &slot);
    // Persists and publishes a slot after a state change; call with m_mutex held.
    void persistLocked(Slot &slot, std::int64_t nowMs);

    static QString validate(const EventConfig &config);

private:
    Slot *findLocked(QStringView id) const;
    EventSnapshot snapshotLocked(const Slot &slot) const;
    // Launches a draft: scheduled when its start is ahead, else open now (its start then
    // records when it opened). Empty, or why it cannot launch.
    static QString launchLocked(EventRuntime &rt, std::int64_t nowMs);

    RowSink m_sink;
    mutable std::shared_mutex m_directoryMutex;
    QHash<QString, int> m_indexById;           // guarded by m_directoryMutex
    std::vector<std::unique_ptr<Slot>> m_slots; // guarded by m_directoryMutex; slots never move
    std::mutex m_mutex;
    bool m_clustered = false; // set before start
    ClusterHooks m_clusterHooks; // likewise
};

} // namespace flashsale
