#include "engine/core/decider.h"

#include <algorithm>

namespace flashsale {

namespace {

// The counter of an order status in counts (null for Final: those orders need no payment).
std::int64_t *unitsIn(OrderCounts &counts, OrderStatus status)
{
    switch (status) {
    case OrderStatus::Final: return nullptr;
    case OrderStatus::PendingPayment: return &counts.pendingUnits;
    case OrderStatus::Paid: return &counts.paidUnits;
    case OrderStatus::Cancelled: return &counts.cancelledUnits;
    case OrderStatus::Expired: return &counts.expiredUnits;
    }
    return nullptr;
}

// Counts a new order of an event with a payment window in its status.
void countNew(OrderCounts &counts, const OrderView &order)
{
    if (std::int64_t *units = unitsIn(counts, order.status))
        *units += order.quantity;
    if (order.status == OrderStatus::PendingPayment)
        ++counts.pendingOrders;
}

// Moves an order to status, its units with it.
void moveOrder(OrderCounts &counts, OrderView &order, OrderStatus status)
{
    if (std::int64_t *units = unitsIn(counts, order.status))
        *units -= order.quantity;
    if (order.status == OrderStatus::PendingPayment)
        --counts.pendingOrders;
    order.status = status;
    countNew(counts, order);
}

} // namespace

std::size_t UserUnits::slotOf(std::uint64_t hash, const QString &userId) const
{
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot &slot = m_slots[i];
        if (slot.hash == 0 || (slot.hash == hash && m_keys[slot.key] == userId))
            return i;
    }
}

std::int32_t UserUnits::unitsOf(std::uint64_t hash, const QString &userId) const
{
    if (m_slots.empty())
        return 0;
    return m_slots[slotOf(hash, userId)].units;
}

void UserUnits::add(std::uint64_t hash, const QString &userId, std::int32_t units)
{
    if ((m_keys.size() + 1) * 2 > m_slots.size())
        grow();
    Slot &slot = m_slots[slotOf(hash, userId)];
    if (slot.hash == 0) {
        slot.hash = hash;
        slot.key = std::int32_t(m_keys.size());
        m_keys.push_back(userId);
    }
    slot.units += units;
}

void UserUnits::reserve(std::size_t users)
{
    std::size_t size = 16;
    while (size < users * 2)
        size *= 2;
    if (size <= m_slots.size())
        return;
    std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(size));
    for (const Slot &slot : old) {
        if (slot.hash != 0)
            m_slots[slotOf(slot.hash, m_keys[slot.key])] = slot;
    }
}

void UserUnits::grow()
{
    reserve(std::max<std::size_t>(8, m_keys.size() * 2));
}

EventState effectiveState(const EventRuntime &event, std::int64_t nowMs)
{
    const EventState stored = event.state;
    if (stored == EventState::Draft || stored == EventState::Ended)
        return stored;
    if (event.config.endsAtMs > 0 && nowMs >= event.config.endsAtMs)
        return EventState::Ended;
    if (stored == EventState::Scheduled && nowMs >= event.config.startsAtMs)
        return event.remaining() > 0 ? EventState::Open : EventState::SoldOut;
    return stored;
}

Decision Decider::decide(EventRuntime &event, const PurchaseRequest &request, std::int64_t nowMs)
{
    Decision decision;
    decision.seq = request.seq;
    decision.eventIndex = request.eventIndex;
    decision.decidedAtMs = nowMs;
    decision.unitPriceCents = event.config.priceCents;

    // Fronts fill in userKey and userHash; requests built elsewhere (tests, tools) get them here.
    QString computedKey;
    const QString &userKey = request.userKey.isEmpty() ? (computedKey = userKeyOf(request.userId)) : request.userKey;
    const std::uint64_t userHash = request.userHash ? request.userHash : hashUserId(userKey);

    const auto lose = [&](LossReason reason) {
        decision.outcome = TicketState::Lost;
        decision.reason = reason;
        ++event.requests.lost;
        if (reason == LossReason::SoldOut && event.config.paymentWindowSeconds > 0
            && event.config.releasePolicy == ReleasePolicy::Offer && event.leads.size() < limits::maxLeadsPerEvent
            && !event.leadKeys.contains(userKey)) {
            event.leadKeys.insert(userKey);
            event.leads.push_back(Lead{request.userId, userKey, userHash, request.quantity, request.requestId,
                                       request.seq, request.contact, request.simulated});
        }
        return decision;
    };

    const EventState state = effectiveState(event, nowMs);
    if (state != EventState::Open && state != EventState::SoldOut)
        return lose(LossReason::NotOpen);
    if (request.quantity < 1 || request.quantity > event.config.perUserLimit)
        return lose(LossReason::LimitReached);

    if (event.wonUnitsByUser.unitsOf(userHash, userKey) + request.quantity > event.config.perUserLimit)
        return lose(LossReason::LimitReached);
    if (event.remaining() < request.quantity)
        return lose(LossReason::SoldOut);

    event.wonUnitsByUser.add(userHash, userKey, request.quantity);
    event.requests.wonUnits += request.quantity;
    ++event.requests.won;
    if (event.state == EventState::Scheduled)
        event.state = EventState::Open;
    if (event.remaining() == 0)
        event.state = EventState::SoldOut;

    decision.outcome = TicketState::Won;
    decision.orderId = m_orderIdsFromSeq ? std::int64_t(request.seq) : m_nextOrderId++;
    if (event.config.paymentWindowSeconds > 0) {
        decision.expiresAtMs = nowMs + std::int64_t(event.config.paymentWindowSeconds) * 1000;
        const OrderView &order = *event.orders.insert(
            decision.orderId, OrderView{decision.orderId, event.config.id, request.userId, request.quantity,
                                        event.config.priceCents, request.requestId, request.seq, request.contact,
                                        request.simulated, nowMs, OrderStatus::PendingPayment, OrderSource::Sale,
                                        decision.expiresAtMs, 0});
        countNew(event.orderCounts, order);
        event.awaitingPayment.push_back(decision.orderId);
    }
    return decision;
}

AdminResult Decider::act(EventRuntime &event, std::int64_t orderId, OrderAction action, std::int64_t nowMs,
                         std::vector<OrderChange> &changes)
{
    AdminResult result;
    if (event.config.paymentWindowSeconds == 0) {
        result.status = Status::InvalidState;
        result.message = QStringLiteral("event \"%1\" has no payment window: its orders are final").arg(event.config.id);
        return result;
    }
    auto it = event.orders.find(orderId);
    if (it == event.orders.end()) {
        result.status = Status::NotFound;
        result.message = QStringLiteral("no order %1 in event \"%2\"").arg(orderId).arg(event.config.id);
        return result;
    }
    OrderView &order = *it;
    const OrderStatus wanted = action == OrderAction::Pay ? OrderStatus::Paid : OrderStatus::Cancelled;
    if (order.status == OrderStatus::PendingPayment) {
        moveOrder(event.orderCounts, order, wanted);
        if (wanted == OrderStatus::Paid)
            order.paidAtMs = nowMs;
        changes.push_back(OrderChange{order, false, event.deciderEpoch});
        if (wanted == OrderStatus::Cancelled)
            release(event, order, nowMs, changes);
    } else if (order.status != wanted) {
        result.status = Status::InvalidState;
        result.message = QStringLiteral("order %1 is %2; it cannot be %3")
                             .arg(orderId)
                             .arg(toString(order.status), action == OrderAction::Pay ? u"paid"_qs : u"cancelled"_qs);
        result.order = order;
        return result;
    }
    result.status = Status::Ok;
    result.order = event.orders.value(orderId);
    return result;
}

void Decider::expireDue(EventRuntime &event, std::int64_t nowMs, std::vector<OrderChange> &changes)
{
    while (!event.awaitingPayment.empty()) {
        auto it = event.orders.find(event.awaitingPayment.front());
        if (it != event.orders.end() && it->status == OrderStatus::PendingPayment) {
            if (it->expiresAtMs > nowMs)
                return;
            moveOrder(event.orderCounts, *it, OrderStatus::Expired);
            changes.push_back(OrderChange{*it, false, event.deciderEpoch});
            const OrderView expired = *it;
            event.awaitingPayment.pop_front();
            release(event, expired, nowMs, changes);
            continue;
        }
        event.awaitingPayment.pop_front(); // paid or cancelled meanwhile
    }
}

void Decider::release(EventRuntime &event, const OrderView &freed, std::int64_t nowMs, std::vector<OrderChange> &changes)
{
    const QString key = userKeyOf(freed.userId);
    event.wonUnitsByUser.add(hashUserId(key), key, -freed.quantity);
    std::int64_t units = freed.quantity;
    while (units > 0 && event.config.releasePolicy == ReleasePolicy::Offer && event.nextLead < event.leads.size()) {
        const Lead &lead = event.leads[event.nextLead++];
        // Only a lead who holds no order of their own now, within the per-user limit.
        if (event.wonUnitsByUser.unitsOf(lead.userHash, lead.userKey) > 0)
            continue;
        const std::int32_t quantity =
            std::int32_t(std::min<std::int64_t>({units, lead.quantity, event.config.perUserLimit}));
        // Cluster mode: the lead's lost ticket's seq, unique across nodes and never a won order's id.
        const std::int64_t orderId = m_orderIdsFromSeq ? std::int64_t(lead.ticketSeq) : m_nextOrderId++;
        OrderView offer{orderId, event.config.id, lead.userId, quantity, event.config.priceCents, lead.requestId,
                        lead.ticketSeq, lead.contact, lead.simulated, nowMs, OrderStatus::PendingPayment,
                        OrderSource::Offer, nowMs + std::int64_t(event.config.paymentWindowSeconds) * 1000, 0};
        event.wonUnitsByUser.add(lead.userHash, lead.userKey, quantity);
        event.orderCounts.offeredUnits += quantity;
        countNew(event.orderCounts, offer);
        units -= quantity;
        event.orders.insert(orderId, offer);
        event.awaitingPayment.push_back(orderId);
        changes.push_back(OrderChange{std::move(offer), true, event.deciderEpoch});
    }
    if (event.state == EventState::SoldOut && event.remaining() > 0)
        event.state = EventState::Open;
}

} // namespace flashsale
