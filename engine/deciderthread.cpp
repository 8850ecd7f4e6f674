#include "engine/deciderthread.h"

#include <chrono>

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

void DeciderThread::enqueue(PurchaseRequest request)
{
    bool wasEmpty = false;
    {
        std::lock_guard lock(m_mutex);
        wasEmpty = m_inbox.empty();
        m_inbox.push_back(std::move(request));
    }
    if (wasEmpty)
        m_wake.notify_one();
}

std::size_t DeciderThread::depth() const
{
    std::lock_guard lock(m_mutex);
    return m_inbox.size();
}

void DeciderThread::run()
{
    std::vector<PurchaseRequest> batch;
    std::vector<DecidedRequest> decided;
    auto nextTick = std::chrono::steady_clock::now();
    for (;;) {
        bool stopping = false;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, nextTick, [&] { return m_stopping || !m_inbox.empty(); });
            std::swap(batch, m_inbox);
            stopping = m_stopping;
        }
        if (!batch.empty()) {
            decideBatch(batch, decided);
            m_writer.enqueueDecided(decided);
            batch.clear();
        }
        if (std::chrono::steady_clock::now() >= nextTick) {
            m_events.tick(m_clock());
            nextTick = std::chrono::steady_clock::now() + kTickInterval;
        }
        if (stopping && depth() == 0)
            break;
    }
}

void DeciderThread::decideBatch(std::vector<PurchaseRequest> &batch, std::vector<DecidedRequest> &decided)
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
            Decision decision = m_decider.decide(slot->runtime, request, nowMs);
            if (slot->runtime.state != before)
                m_events.persistLocked(*slot, nowMs);
            decided.push_back(DecidedRequest{std::move(request), decision});
        }
        for (EventBook::Slot *s : touched)
            m_events.publishLocked(*s);
    });
}

} // namespace flashsale
