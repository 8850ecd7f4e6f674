// A simulated sale's plan and running summary: plain values shared by the simulator and the console.
#pragma once

#include <QString>

#include <cstdint>

namespace flashsale {

// What a simulation run did so far. Counts are per shopper (a 429 retry is the same shopper).
struct SimulationSummary {
    std::int64_t shoppers = 0;   // planned
    std::int64_t sent = 0;       // shoppers whose first request went out
    std::int64_t accepted = 0;   // got a ticket (200 or 202)
    std::int64_t won = 0;
    std::int64_t lost = 0;       // lost shoppers: the run's leads, as the dashboard counts them
    std::int64_t undecided = 0;  // accepted but not decided within the wait (202)
    std::int64_t withContact = 0; // leads (lost shoppers) who left a contact
    std::int64_t retries = 0;    // 429 answers that were retried
    std::int64_t failed = 0;     // errors other than 429 (bad event, not open, network)
    std::int64_t elapsedMs = 0;
    QString lastError;           // the most recent failure's message, for the operator

    std::int64_t finished() const { return won + lost + undecided + failed; }
    // Shoppers whose request was decided (won or lost): what a progress bar counts.
    std::int64_t decided() const { return won + lost; }
    // Shoppers answered per second since the start.
    double ratePerSecond() const { return elapsedMs > 0 ? finished() * 1000.0 / double(elapsedMs) : 0.0; }
};

// The console's and --simulate's pace: 3,000 shoppers take 30 s, long enough to watch.
inline constexpr int kDefaultShoppersPerSecond = 100;

struct SimulationPlan {
    QString baseUrl;    // http://ADDR:PORT of the API
    QString adminToken; // marks the purchases simulated; the API refuses the flag without it
    QString eventId;
    std::int64_t shoppers = 100;
    int concurrency = 64;      // requests in flight at most
    int contactEveryNth = 3;   // every nth shopper leaves a contact (0: none)
    int waitMs = 5000;         // ?wait= so the answer carries the decision
    int maxRetries = 50;       // per shopper, on 429
    // Shoppers sent per second at most (0: as fast as concurrency allows). Shopper i (from 0)
    // goes out no earlier than (i + 1) / shoppersPerSecond seconds after the start.
    double shoppersPerSecond = 0;
};

} // namespace flashsale
