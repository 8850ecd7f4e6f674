// A snapshot of a node's totals and events, as the console and the admin API show them: plain values.
#pragma once

#include "engine/core/latencyhistogram.h"
#include "engine/core/types.h"

#include <QList>

#include <cstdint>

namespace flashsale {

// Totals since start plus every event's snapshot; cheap enough to take a few times a second.
// The totals leave rehearsal copies out (their snapshots are in events, marked); the queue
// depth and the latency histogram are the node's and include them.
struct EngineStats {
    std::int64_t atMs = 0;
    RequestCounts requests;            // accepted into the decider's queue (cluster: by every node), and decided
    std::int64_t queueDepth = 0;       // accepted, not yet decided and committed (cluster: ready in the broker + unconfirmed)
    std::int64_t rejectedOverload = 0; // 429 overloaded: the queue was full
    std::int64_t rejectedRate = 0;     // 429 rate_limited: over a client address's or signed user's rate
    std::int64_t rejectedPass = 0;     // 401 invalid_pass on signed events
    std::uint64_t commits = 0;
    bool storeFailing = false;
    bool clustered = false;            // a scale-out node
    bool brokerConnected = false;      // cluster: the publisher's broker connection is up
    bool storeReachable = true;        // cluster: the shared database answers
    std::int64_t webSocketClients = 0; // open WebSocket connections, shoppers and admins
    LatencyHistogram::Counts latency{}; // accept → decision committed, µs
    QList<EventSnapshot> events;
};

} // namespace flashsale
