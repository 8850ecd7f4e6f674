// The decision rule of a flash sale: one request at a time, against one event's runtime state.
#pragma once

#include "engine/core/admintypes.h"
#include "engine/core/types.h"

#include <QHash>
#include <QSet>
#include <QString>

#include <deque>
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

// A shopper who lost for sold_out, in the order the loss was decided: who freed units are
// offered to under ReleasePolicy::Offer.
struct Lead {
    QString userId; // as sent
    QString userKey; // userKeyOf(userId)
    std::uint64_t userHash = 0;
    std::int32_t quantity = 0; // what the lost request asked for
    QString requestId;         // the lost request (its ticket shows the offer)
    std::uint64_t ticketSeq = 0;
    QString contact;
    bool simulated = false;
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
    // Orders and payment (events with a payment window): units by order status and the units
    // given to leads as offers, so that the units held by orders are requests.wonUnits +
    // orderCounts.offeredUnits - orderCounts.freedUnits() (cancelled and expired).
    OrderCounts orderCounts;
    // Cluster mode, while another node decides the event: its counts as it broadcast them (shown,
    // never used to count units here).
    OrderCounts mirroredOrderCounts;
    QHash<std::int64_t, OrderView> orders;  // every order of the event, by id (window > 0 only)
    std::deque<std::int64_t> awaitingPayment; // ids of pending orders, by deadline (the window is fixed once launched)
    std::vector<Lead> leads;                // ReleasePolicy::Offer: one per shopper, in decision order (≤ limits::maxLeadsPerEvent)
    std::size_t nextLead = 0;               // the first lead not offered anything yet
    QSet<QString> leadKeys;                 // userKeys in leads

    std::int64_t heldUnits() const { return requests.wonUnits + orderCounts.offeredUnits - orderCounts.freedUnits(); }
    std::int64_t remaining() const { return stockTotal - heldUnits(); }
};

// The state an event is in at nowMs, counting the clock-driven transitions
// (scheduled → open at startsAt, anything live → ended at endsAt).
EventState effectiveState(const EventRuntime &event, std::int64_t nowMs);

// Pure decision logic; the decider thread calls it for each request in arrival order.
class Decider
{
public:
    explicit Decider(std::int64_t nextOrderId = 1) : m_nextOrderId(nextOrderId) {}
    // Cluster mode: a won request's order id is its ticket seq, and an offer's the lead's lost
    // ticket's seq: unique across nodes, so deciders of different events on different nodes never
    // hand out the same order id.
    static Decider withOrderIdsFromSeq()
    {
        Decider decider;
        decider.m_orderIdsFromSeq = true;
        return decider;
    }

    // Decides one request and applies a win to the event (stock, per-user units, sold-out state).
    Decision decide(EventRuntime &event, const PurchaseRequest &request, std::int64_t nowMs);

    // The shop's action on one of the event's orders, with the changes to commit appended to
    // changes (none for a repeat). Status::NotFound, or InvalidState when the order's status
    // does not allow it; the result's order is the order as it now is.
    AdminResult act(EventRuntime &event, std::int64_t orderId, OrderAction action, std::int64_t nowMs,
                    std::vector<OrderChange> &changes);
    // Expires the event's unpaid orders whose deadline is at or before nowMs and hands their
    // units on (the release policy), appending the changes.
    void expireDue(EventRuntime &event, std::int64_t nowMs, std::vector<OrderChange> &changes);

    std::int64_t nextOrderId() const { return m_nextOrderId; }

private:
    // A cancelled or expired order's units: offered to the next eligible leads (ReleasePolicy::
    // Offer), the rest back to stock; a sold-out event with stock again reopens.
    void release(EventRuntime &event, const OrderView &freed, std::int64_t nowMs, std::vector<OrderChange> &changes);

    std::int64_t m_nextOrderId;
    bool m_orderIdsFromSeq = false;
};

} // namespace flashsale
