#include "engine/decider.h"

namespace flashsale {

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
    ++event.decidedRequests;

    const auto lose = [&](LossReason reason) {
        decision.outcome = TicketState::Lost;
        decision.reason = reason;
        ++event.lostRequests;
        return decision;
    };

    const EventState state = effectiveState(event, nowMs);
    if (state != EventState::Open && state != EventState::SoldOut)
        return lose(LossReason::NotOpen);
    if (request.quantity < 1 || request.quantity > event.config.perUserLimit)
        return lose(LossReason::LimitReached);

    auto userUnits = event.wonUnitsByUser.find(request.userId);
    const std::int32_t alreadyWon = userUnits == event.wonUnitsByUser.end() ? 0 : *userUnits;
    if (alreadyWon + request.quantity > event.config.perUserLimit)
        return lose(LossReason::LimitReached);
    if (event.remaining() < request.quantity)
        return lose(LossReason::SoldOut);

    if (userUnits == event.wonUnitsByUser.end())
        event.wonUnitsByUser.insert(request.userId, request.quantity);
    else
        *userUnits += request.quantity;
    event.wonUnits += request.quantity;
    ++event.wonRequests;
    if (event.state == EventState::Scheduled)
        event.state = EventState::Open;
    if (event.remaining() == 0)
        event.state = EventState::SoldOut;

    decision.outcome = TicketState::Won;
    decision.orderId = m_nextOrderId++;
    return decision;
}

} // namespace flashsale
