// A fair start: purchases that reach the decider within an event's first fairStartMs are held,
// then decided together in a uniformly random order, so firing at the first microsecond gains a
// bot nothing over a person who clicks within the window.
#pragma once

#include "engine/core/types.h"

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

namespace flashsale {

// How long a request accepted at nowMs may be held in its event's fair-start window before it
// is decided (0 outside the window). Fronts wait that much longer for the journal commit, which
// in the embedded pipeline comes with the decision. Any thread.
std::int64_t fairStartHoldMs(const EventConfig &config, EventState state, std::int64_t nowMs);

// Thread: the decider thread only. Held requests keep their tickets (queued, journalled), so
// decided-once, idempotency and durability are those of any queued request.
class FairStartGate
{
public:
    // Holds request when nowMs is before windowEndsAtMs (its event's open time + fairStartMs), or
    // when its event's window closed but has not been released yet (it then goes after the
    // window's requests, in arrival order); false leaves request untouched for the decider.
    bool hold(PurchaseRequest &request, std::int64_t windowEndsAtMs, std::int64_t nowMs);
    // Appends to out, per event, every request held in a window that closed by nowMs, shuffled,
    // then the ones that came after the window closed, in arrival order.
    void releaseDue(std::int64_t nowMs, std::vector<PurchaseRequest> &out);
    // Appends everything held, windows closed or not (shutdown: nothing is left undecided).
    void releaseAll(std::vector<PurchaseRequest> &out);

    // The earliest window end still holding requests; max() when none.
    std::int64_t nextReleaseAtMs() const;
    std::size_t heldCount() const;

private:
    struct Window {
        std::int64_t endsAtMs = 0;
        std::vector<PurchaseRequest> held; // arrival order until released
        std::vector<PurchaseRequest> late; // arrived after endsAtMs, before the release
    };
    static void shuffleInto(Window &window, std::vector<PurchaseRequest> &out);

    std::unordered_map<std::int32_t, Window> m_windows; // by event index
};

} // namespace flashsale
