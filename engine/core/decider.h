// The decision rule of a flash sale: one request at a time, against one event's runtime state.
#pragma once

#include "engine/core/types.h"

#include <QHash>
#include <QString>

#include <vector>

namespace flashsale {

// Units won per user in one event: an open-addressing table keyed by the user id's 64-bit hash,
// with the id kept to tell colliding users apart. Faster than QHash<QString, int> on the decider
// thread because the hash is computed by the front end.
class UserUnits
{
public:
    // Units the user with this key (userKeyOf) has won (0 if none).
    std::int32_t unitsOf(std::uint64_t hash, const QString &userKey) const;
    void add(std::uint64_t hash, const QString &userKey, std::int32_t units);
    std::size_t userCount() const { return m_keys.size(); }
    void reserve(std::size_t users);

private:
    struct Slot {
        std::uint64_t hash = 0; // 0: empty
        std::int32_t units = 0;
        std::int32_t key = -1; // index into m_keys
    };
    std::size_t slotOf(std::uint64_t hash, const QString &userId) const;
    void grow();

    std::vector<Slot> m_slots;
    std::vector<QString> m_keys;
};

// Mutable state of one event that decisions read and change.
// Owned by EventBook; only touched while EventBook's mutex is held.
struct EventRuntime {
    EventConfig config;
    EventState state = EventState::Draft;
    std::int64_t stockTotal = 0; // initial stock + restocks
    UserUnits wonUnitsByUser;
    RequestCounts requests;
    std::int64_t createdAtMs = 0;
    std::int64_t updatedAtMs = 0;
    // Cluster mode: the fencing epoch under which this node decides the event (0: another node
    // decides it and this runtime mirrors its broadcasts), and every decided request's outcome by
    // requestId, so that a redelivered or retried request is answered, not decided twice.
    std::int64_t deciderEpoch = 0;
    QHash<QString, DecidedOutcome> decidedByRequestId;

    std::int64_t remaining() const { return stockTotal - requests.wonUnits; }
};

// The state an event is in at nowMs, counting the clock-driven transitions
// (scheduled → open at startsAt, anything live → ended at endsAt).
EventState effectiveState(const EventRuntime &event, std::int64_t nowMs);

// Pure decision logic; the decider thread calls it for each request in arrival order.
class Decider
{
public:
    explicit Decider(std::int64_t nextOrderId = 1) : m_nextOrderId(nextOrderId) {}
    // Cluster mode: a won request's order id is its ticket seq, unique across nodes, so deciders
    // of different events on different nodes never hand out the same order id.
    static Decider withOrderIdsFromSeq()
    {
        Decider decider;
        decider.m_orderIdsFromSeq = true;
        return decider;
    }

    // Decides one request and applies a win to the event (stock, per-user units, sold-out state).
    Decision decide(EventRuntime &event, const PurchaseRequest &request, std::int64_t nowMs);

    std::int64_t nextOrderId() const { return m_nextOrderId; }

private:
    std::int64_t m_nextOrderId;
    bool m_orderIdsFromSeq = false;
};

} // namespace flashsale
