#include "engine/core/fairstart.h"

#include <algorithm>

namespace flashsale {

namespace {

// A UniformRandomBitGenerator over the kernel's CSPRNG (newTicketTag), so the order cannot be
// predicted from anything a shopper sees.
struct SystemRandomBits {
    using result_type = std::uint64_t;
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    result_type operator()() const { return newTicketTag(); }
};

} // namespace

std::int64_t fairStartHoldMs(const EventConfig &config, EventState state, std::int64_t nowMs)
{
    const bool open = state == EventState::Open || (state == EventState::Scheduled && nowMs >= config.startsAtMs);
    if (config.fairStartMs <= 0 || !open)
        return 0;
    return std::max<std::int64_t>(0, config.startsAtMs + config.fairStartMs - nowMs);
}

bool FairStartGate::hold(PurchaseRequest &request, std::int64_t windowEndsAtMs, std::int64_t nowMs)
{
    if (nowMs >= windowEndsAtMs) {
        const auto open = m_windows.find(request.eventIndex);
        if (open == m_windows.end())
            return false;
        open->second.late.push_back(std::move(request));
        return true;
    }
    Window &window = m_windows[request.eventIndex];
    window.endsAtMs = windowEndsAtMs;
    window.held.push_back(std::move(request));
    return true;
}

void FairStartGate::shuffleInto(Window &window, std::vector<PurchaseRequest> &out)
{
    // std::shuffle is Fisher–Yates with uniform draws: every order equally likely.
    std::shuffle(window.held.begin(), window.held.end(), SystemRandomBits());
    out.insert(out.end(), std::make_move_iterator(window.held.begin()), std::make_move_iterator(window.held.end()));
    out.insert(out.end(), std::make_move_iterator(window.late.begin()), std::make_move_iterator(window.late.end()));
}

void FairStartGate::releaseDue(std::int64_t nowMs, std::vector<PurchaseRequest> &out)
{
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        if (it->second.endsAtMs > nowMs) {
            ++it;
            continue;
        }
        shuffleInto(it->second, out);
        it = m_windows.erase(it);
    }
}

void FairStartGate::releaseAll(std::vector<PurchaseRequest> &out)
{
    for (auto &[eventIndex, window] : m_windows)
        shuffleInto(window, out);
    m_windows.clear();
}

std::int64_t FairStartGate::nextReleaseAtMs() const
{
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    for (const auto &[eventIndex, window] : m_windows)
        next = std::min(next, window.endsAtMs);
    return next;
}

std::size_t FairStartGate::heldCount() const
{
    std::size_t count = 0;
    for (const auto &[eventIndex, window] : m_windows)
        count += window.held.size() + window.late.size();
    return count;
}

} // namespace flashsale
