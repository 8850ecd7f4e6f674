#include "engine/node/deciderthread.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace flashsale {

namespace {
constexpr auto kTickInterval = std::chrono::milliseconds(100);
}

DeciderThread::DeciderThread(EventBook &events, Writer &writer, std::int64_t nextOrderId, Clock clock)
    : m_events(events)
    , m_writer(writer)
    , m_decider(nextOrderId)
    , m_clock(clock)
{
}

DeciderThread::DeciderThread(EventBook &events, Writer &writer, Clock clock)
    : m_events(events)
    , m_writer(writer)
    , m_decider(Decider::withOrderIdsFromSeq())
    , m_clustered(true)
    , m_clock(clock)
{
}

DeciderThread::~DeciderThread()
{
    stop();
}

void DeciderThread::start()
{
    m_thread = std::thread([this] { run(); });
}

void DeciderThread::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

template<typename AppendFn>
void DeciderThread::push(AppendFn &&append)
{
    bool wasEmpty = false;
    {
        std::lock_guard lock(m_mutex);
        wasEmpty = m_inbox.empty();
        append(m_inbox);
    }
    if (wasEmpty)
        m_wake.notify_one();
}

void DeciderThread::enqueue(PurchaseRequest request)
{
    push([&](std::vector<Item> &inbox) { inbox.push_back(Item{std::move(request), {}}); });
}

void DeciderThread::enqueue(std::vector<PurchaseRequest> &requests)
{
    push([&](std::vector<Item> &inbox) {
        for (PurchaseRequest &request : requests)
            inbox.push_back(Item{std::move(request), {}});
    });
    requests.clear();
}

void DeciderThread::enqueueTask(std::function<void()> task)
{
    push([&](std::vector<Item> &inbox) { inbox.push_back(Item{PurchaseRequest(), std::move(task)}); });
}

void DeciderThread::enqueueOrderAction(QString eventId, std::int64_t orderId, OrderAction action,
                                       std::function<void(AdminResult, std::uint64_t)> done)
{
    enqueueTask([this, eventId = std::move(eventId), orderId, action, done = std::move(done)] {
        std::uint64_t generation = 0;
        AdminResult result = actOnOrder(eventId, orderId, action, &generation);
        done(std::move(result), generation);
    });
}

AdminResult DeciderThread::actOnOrder(const QString &eventId, std::int64_t orderId, OrderAction action,
                                      std::uint64_t *generation)
{
    AdminResult result;
    *generation = 0;
    const std::int64_t nowMs = m_clock();
    m_events.withRuntimesLocked([&] {
        EventBook::Slot *slot = m_events.slot(m_events.indexOf(eventId));
        if (!slot) {
            result.status = Status::NotFound;
            result.message = QStringLiteral("no event \"%1\"").arg(eventId);
            return;
        }
        const EventState before = slot->runtime.state;
        result = m_decider.act(slot->runtime, orderId, action, nowMs, m_orderChanges);
        *generation = commitOrderChanges(*slot, before, nowMs);
        if (*generation == 0 && result.status == Status::Ok)
            *generation = m_writer.lastGeneration(); // a repeat: answered once the first is committed
        result.event = *m_events.snapshot(m_events.indexOf(eventId));
    });
    return result;
}

std::uint64_t DeciderThread::commitOrderChanges(EventBook::Slot &slot, EventState before, std::int64_t nowMs)
{
    if (m_orderChanges.empty())
        return 0;
    if (slot.runtime.state != before)
        m_events.persistLocked(slot, nowMs);
    else
        m_events.publishLocked(slot);
    return m_writer.enqueueOrderChanges(m_orderChanges); // after the event row: its generation covers both
}

void DeciderThread::expireOrders(std::int64_t nowMs)
{
    m_events.withRuntimesLocked([&] {
        const int n = m_events.count();
        for (int i = 0; i < n; ++i) {
            EventBook::Slot *slot = m_events.slot(i);
            // Cluster mode: only the event's decider expires its orders (under its epoch).
            if (slot->runtime.awaitingPayment.empty() || (m_clustered && slot->runtime.deciderEpoch == 0))
                continue;
            const EventState before = slot->runtime.state;
            m_decider.expireDue(slot->runtime, nowMs, m_orderChanges);
            commitOrderChanges(*slot, before, nowMs);
        }
    });
}

std::size_t DeciderThread::depth() const
{
    std::lock_guard lock(m_mutex);
    return m_inbox.size();
}

void DeciderThread::run()
{
    std::vector<Item> items;
    std::vector<PurchaseRequest> batch;
    std::vector<DecidedRequest> decided;
    std::vector<PurchaseRequest> released; // out of closed fair-start windows: decided as they come
    const auto decide = [&](std::vector<PurchaseRequest> &requests, bool gated) {
        if (requests.empty())
            return;
        decideBatch(requests, decided, gated);
        if (!decided.empty()) // all of them may be held for a fair start
            m_writer.enqueueDecided(decided);
        requests.clear();
    };
    const auto flush = [&] { decide(batch, true); };
    auto nextTick = std::chrono::steady_clock::now();
    for (;;) {
        bool stopping = false;
        // Wakes for the earlier of the next tick and the next fair-start window's end.
        auto wakeAt = nextTick;
        if (const std::int64_t releaseAtMs = m_fairStart.nextReleaseAtMs();
            releaseAtMs != std::numeric_limits<std::int64_t>::max())
            wakeAt = std::min(wakeAt, std::chrono::steady_clock::now()
                                          + std::chrono::milliseconds(std::max<std::int64_t>(0, releaseAtMs - m_clock())));
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, wakeAt, [&] { return m_stopping || !m_inbox.empty(); });
            std::swap(items, m_inbox);
            stopping = m_stopping;
        }
        // Windows that closed are decided before anything that arrived after them.
        m_fairStart.releaseDue(m_clock(), released);
        decide(released, false);
        for (Item &item : items) {
            if (item.task) {
                flush();
                item.task();
            } else {
                batch.push_back(std::move(item.request));
            }
        }
        items.clear();
        flush();
        if (stopping && depth() == 0) {
            m_fairStart.releaseAll(released); // nothing accepted is left undecided
            decide(released, false);
        }
        if (std::chrono::steady_clock::now() >= nextTick) {
            const std::int64_t nowMs = m_clock();
            m_events.tick(nowMs);
            expireOrders(nowMs);
            nextTick = std::chrono::steady_clock::now() + kTickInterval;
        }
        if (stopping && depth() == 0)
            break;
    }
}

void DeciderThread::decideBatch(std::vector<PurchaseRequest> &batch, std::vector<DecidedRequest> &decided, bool gated)
{
    decided.reserve(batch.size());
    const std::int64_t nowMs = m_clock();
    m_events.withRuntimesLocked([&] {
        EventBook::Slot *slot = nullptr;
        std::int32_t slotIndex = -1;
        std::vector<EventBook::Slot *> touched;
        for (PurchaseRequest &request : batch) {
            if (request.eventIndex != slotIndex) {
                slotIndex = request.eventIndex;
                slot = m_events.slot(slotIndex);
                if (std::find(touched.begin(), touched.end(), slot) == touched.end())
                    touched.push_back(slot);
            }
            const EventState before = slot->runtime.state;
            if (gated && holdForFairStart(slot->runtime, request, nowMs))
                continue;
            if (m_clustered) {
                decided.push_back(decideClustered(slot->runtime, request, nowMs));
            } else {
                Decision decision = m_decider.decide(slot->runtime, request, nowMs);
                decided.push_back(DecidedRequest{std::move(request), decision});
            }
            if (slot->runtime.state != before)
                m_events.persistLocked(*slot, nowMs);
        }
        for (EventBook::Slot *s : touched)
            m_events.publishLocked(*s);
    });
}

bool DeciderThread::holdForFairStart(const EventRuntime &event, PurchaseRequest &request, std::int64_t nowMs)
{
    if (event.config.fairStartMs <= 0 || (m_clustered && event.deciderEpoch == 0))
        return false;
    if (effectiveState(event, nowMs) != EventState::Open)
        return m_fairStart.hold(request, 0, nowMs); // only a window still waiting for its release takes it
    return m_fairStart.hold(request, event.config.startsAtMs + event.config.fairStartMs, nowMs);
}

DecidedRequest DeciderThread::decideClustered(EventRuntime &event, PurchaseRequest &request, std::int64_t nowMs)
{
    DecidedRequest d{std::move(request), Decision(), DecidedRequest::Disposition::Decided};
    d.decision.seq = d.request.seq;
    d.decision.eventIndex = d.request.eventIndex;
    d.decision.decidedAtMs = nowMs;
    d.decision.unitPriceCents = event.config.priceCents;
    d.decision.deciderEpoch = event.deciderEpoch;
    if (event.deciderEpoch == 0) {
        d.disposition = DecidedRequest::Disposition::Returned;
        return d;
    }
    if (auto it = event.decidedByRequestId.constFind(d.request.requestId); it != event.decidedByRequestId.constEnd()) {
        d.disposition = DecidedRequest::Disposition::Repeat;
        d.decision.outcome = it->state;
        d.decision.reason = it->reason;
        d.decision.orderId = it->orderId;
        return d;
    }
    d.decision = m_decider.decide(event, d.request, nowMs);
    d.decision.deciderEpoch = event.deciderEpoch;
    event.decidedByRequestId.insert(d.request.requestId,
                                    DecidedOutcome{d.decision.outcome, d.decision.reason, d.decision.orderId});
    return d;
}

} // namespace flashsale
