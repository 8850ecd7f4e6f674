#include "engine/core/decider.h"

namespace flashsale {

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

    const auto lose = [&](LossReason reason) {
        decision.outcome = TicketState::Lost;
        decision.reason = reason;
        ++event.requests.lost;
        return decision;
    };

    const EventState state = effectiveState(event, nowMs);
    if (state != EventState::Open && state != EventState::SoldOut)
        return lose(LossReason::NotOpen);
    if (request.quantity < 1 || request.quantity > event.config.perUserLimit)
        return lose(LossReason::LimitReached);

    // Fronts fill in userKey and userHash; requests built elsewhere (tests, tools) get them here.
    QString computedKey;
    const QString &userKey = request.userKey.isEmpty() ? (computedKey = userKeyOf(request.userId)) : request.userKey;
    const std::uint64_t userHash = request.userHash ? request.userHash : hashUserId(userKey);
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
    return decision;
}

} // namespace flashsale
