#include "engine/api/waitertable.h"

namespace flashsale {

WaiterTable::WaiterTable(Engine &engine, int durableGraceMs, Hooks hooks)
    : m_engine(engine)
    , m_durableGraceUs(std::int64_t(durableGraceMs) * 1000)
    , m_hooks(std::move(hooks))
{
    m_listenerId = m_engine.addListener(this);
}

WaiterTable::~WaiterTable()
{
    m_engine.removeListener(m_listenerId);
}

bool WaiterTable::watchOffer(std::uint64_t seq, Wait &wait)
{
    const auto view = m_engine.watchOffer(seq, wait.tag, m_listenerId);
    return !view || (view->offerOrderId > 0 && wait.waiter->update(seq, *view, false));
}

void WaiterTable::add(std::uint64_t seq, Wait wait)
{
    if (wait.waiter->waitsForOffer() && watchOffer(seq, wait))
        return;
    const bool wasEmpty = m_waits.empty();
    m_waits.emplace(seq, std::move(wait));
    if (wasEmpty)
        m_hooks.armSweep();
}

void WaiterTable::ticketsChanged(std::vector<std::uint64_t> &seqs)
{
    if (m_inbox.push(seqs))
        m_hooks.wake();
}

void WaiterTable::drain()
{
    m_inbox.takeAll(m_draining);
    const std::int64_t nowUs = m_draining.empty() ? 0 : Engine::steadyMicros();
    for (const std::uint64_t seq : m_draining) {
        auto [begin, end] = m_waits.equal_range(seq);
        for (auto it = begin; it != end;) {
            Wait &w = it->second;
            const bool forOffer = w.waiter->waitsForOffer();
            std::optional<TicketView> view;
            if (w.waiter->connected())
                view = forOffer ? m_engine.watchOffer(seq, w.tag, m_listenerId) : m_engine.watchTicket(seq, w.tag, m_listenerId, w.until);
            if (!view || w.waiter->update(seq, *view, w.deadlineUs != 0 && w.deadlineUs <= nowUs)
                || (!forOffer && w.waiter->waitsForOffer() && watchOffer(seq, w)))
                it = m_waits.erase(it);
            else
                ++it;
        }
    }
    m_draining.clear();
}

void WaiterTable::sweep(std::int64_t nowUs)
{
    for (auto it = m_waits.begin(); it != m_waits.end();) {
        Wait &w = it->second;
        const bool deadlineDue = w.deadlineUs != 0 && w.deadlineUs <= nowUs;
        const bool giveUpDue = w.giveUpAtUs != 0 && w.giveUpAtUs <= nowUs;
        if (!w.waiter->connected()) {
            it = m_waits.erase(it);
            continue;
        }
        if (!deadlineDue && !giveUpDue) {
            ++it;
            continue;
        }
        const auto view = m_engine.ticket(it->first, w.tag);
        if (!view) {
            it = m_waits.erase(it);
        } else if (view->state >= TicketState::Queued) {
            // Durable: the give-up no longer applies; a deadline answers with what is known.
            w.giveUpAtUs = 0;
            if (deadlineDue) {
                w.deadlineUs = 0;
                if (w.waiter->update(it->first, *view, true)) {
                    it = m_waits.erase(it);
                    continue;
                }
            }
            ++it;
        } else if (!giveUpDue) {
            // Never say "queued" before the commit: wait for it a while longer.
            w.until = TicketState::Queued;
            m_engine.watchTicket(it->first, w.tag, m_listenerId, TicketState::Queued);
            ++it;
        } else {
            w.waiter->giveUp(it->first, w.tag);
            it = m_waits.erase(it);
        }
    }
}

void WaiterTable::finish()
{
    drain();
    for (auto &[seq, w] : m_waits) {
        if (w.waiter->connected())
            w.waiter->giveUp(seq, w.tag);
    }
    m_waits.clear();
}

} // namespace flashsale
