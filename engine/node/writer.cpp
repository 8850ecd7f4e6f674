#include "engine/node/writer.h"

#include <QDebug>

#include <algorithm>
#include <chrono>
#include <future>

namespace flashsale {

Writer::Writer(SqlStore &store, PublishFn publish, FencedFn fenced)
    : m_store(store)
    , m_publish(std::move(publish))
    , m_fenced(std::move(fenced))
{
}

Writer::~Writer()
{
    stop();
}

bool Writer::start(const std::function<bool()> &init)
{
    std::promise<bool> initialised;
    std::future<bool> result = initialised.get_future();
    m_thread = std::thread([this, &init, &initialised] {
        const bool ok = init();
        initialised.set_value(ok);
        if (ok)
            run();
        m_store.close();
    });
    if (result.get())
        return true;
    m_thread.join();
    return false;
}

void Writer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wakeWriter.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

std::uint64_t Writer::enqueueDecided(std::vector<DecidedRequest> &decided)
{
    std::lock_guard lock(m_mutex);
    const bool wasEmpty = m_pending.isEmpty();
    if (m_pending.decided.empty()) {
        m_pending.decided.swap(decided);
    } else {
        m_pending.decided.insert(m_pending.decided.end(), std::make_move_iterator(decided.begin()),
                                 std::make_move_iterator(decided.end()));
    }
    decided.clear();
    if (wasEmpty)
        m_wakeWriter.notify_one();
    return m_openGeneration;
}

std::uint64_t Writer::enqueueEventRow(const EventSnapshot &row)
{
    std::lock_guard lock(m_mutex);
    const bool wasEmpty = m_pending.isEmpty();
    m_pending.eventRows.push_back(row);
    if (wasEmpty)
        m_wakeWriter.notify_one();
    return m_openGeneration;
}

std::uint64_t Writer::enqueueCommand(CommandDone done)
{
    std::lock_guard lock(m_mutex);
    const bool wasEmpty = m_pending.isEmpty();
    m_pending.commands.push_back(std::move(done));
    if (wasEmpty)
        m_wakeWriter.notify_one();
    return m_openGeneration;
}

std::uint64_t Writer::lastGeneration() const
{
    std::lock_guard lock(m_mutex);
    return m_pending.isEmpty() ? m_openGeneration - 1 : m_openGeneration;
}

std::uint64_t Writer::enqueueOrderChanges(std::vector<OrderChange> &changes)
{
    std::lock_guard lock(m_mutex);
    const bool wasEmpty = m_pending.isEmpty();
    m_pending.orderChanges.insert(m_pending.orderChanges.end(), std::make_move_iterator(changes.begin()),
                                  std::make_move_iterator(changes.end()));
    changes.clear();
    if (wasEmpty)
        m_wakeWriter.notify_one();
    return m_openGeneration;
}

void Writer::takeFenced(WriterBatch &batch, const std::vector<FencedEvent> &fenced, WriterBatch &dropped)
{
    const auto isFenced = [&fenced](const QString &eventId, std::int64_t epoch) {
        return std::any_of(fenced.begin(), fenced.end(),
                           [&](const FencedEvent &f) { return f.eventId == eventId && f.epoch == epoch; });
    };
    const auto split = [](auto &from, auto &to, auto &&predicate) {
        auto kept = std::stable_partition(from.begin(), from.end(), [&](const auto &e) { return !predicate(e); });
        to.insert(to.end(), std::make_move_iterator(kept), std::make_move_iterator(from.end()));
        from.erase(kept, from.end());
    };
    // Repeats go too: the decision they repeat may be one of the dropped ones.
    split(batch.decided, dropped.decided, [&](const DecidedRequest &d) {
        return d.disposition != DecidedRequest::Disposition::Returned && isFenced(d.request.eventId, d.decision.deciderEpoch);
    });
    split(batch.eventRows, dropped.eventRows, [&](const EventSnapshot &e) { return isFenced(e.config.id, e.deciderEpoch); });
    split(batch.orderChanges, dropped.orderChanges,
          [&](const OrderChange &c) { return isFenced(c.order.eventId, c.deciderEpoch); });
    split(batch.commands, dropped.commands, [&](const CommandDone &c) { return !c.returned && isFenced(c.eventId, c.epoch); });
}

bool Writer::waitCommitted(std::uint64_t generation, int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_committed.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                [&] { return m_committedGeneration >= generation; });
}

bool Writer::stopping() const
{
    std::lock_guard lock(m_mutex);
    return m_stopping;
}

std::uint64_t Writer::commitCount() const
{
    std::lock_guard lock(m_mutex);
    return m_commits;
}

void Writer::run()
{
    WriterBatch batch;
    for (;;) {
        std::uint64_t generation = 0;
        {
            std::unique_lock lock(m_mutex);
            m_wakeWriter.wait(lock, [&] { return m_stopping || !m_pending.isEmpty(); });
            if (m_pending.isEmpty())
                break; // stopping and drained
            std::swap(batch, m_pending); // keeps both vectors' capacity across cycles
            generation = m_openGeneration++;
        }
        QString error;
        int attempt = 0;
        std::chrono::steady_clock::time_point firstFailure;
        bool committed = false;
        std::vector<FencedEvent> fenced;
        while (!(committed = m_store.commit(batch, &error, &fenced))) {
            if (!fenced.empty()) {
                qWarning("%s; dropping its uncommitted decisions", qPrintable(error));
                WriterBatch dropped;
                takeFenced(batch, fenced, dropped);
                if (m_fenced)
                    m_fenced(fenced, dropped);
                fenced.clear();
                continue;
            }
            // Keep the batch and retry until the store is back: nobody has been told "queued"
            // or a result for anything in it yet. Give up only when stopping, after 10 s of
            // failures (by the clock: one attempt on a locked SQLite file takes its busy timeout).
            if (++attempt == 1)
                firstFailure = std::chrono::steady_clock::now();
            if (!m_failing.exchange(true, std::memory_order_relaxed) || attempt % 50 == 0)
                qWarning("store commit failed, retrying: %s", qPrintable(error));
            // A server that restarted leaves the connection dead: open a new one every second.
            if (attempt % 10 == 0 && !m_store.reconnect(&error))
                qWarning("store reconnect failed: %s", qPrintable(error));
            if (std::chrono::steady_clock::now() - firstFailure >= std::chrono::seconds(10) && stopping()) {
                qCritical("store still failing at shutdown; %zu uncommitted entries dropped (none was acknowledged)",
                          batch.decided.size());
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (!committed)
            break;
        m_failing.store(false, std::memory_order_relaxed);
        m_publish(batch);
        batch.clear();
        {
            std::lock_guard lock(m_mutex);
            m_committedGeneration = generation;
            ++m_commits;
        }
        m_committed.notify_all();
    }
}

} // namespace flashsale
