// The post-sale report of one event as plain values (see engine/salereport.h for how it is made).
#pragma once

#include <QList>
#include <QString>

#include <cstdint>

namespace flashsale {

// One step of the timeline: what happened in [startMs, startMs + SaleReport::stepMs).
struct SaleReportStep {
    std::int64_t startMs = 0;
    std::int64_t requests = 0;   // journaled requests accepted in the step
    std::int64_t wins = 0;       // requests decided as won in the step
    std::int64_t decided = 0;    // requests decided (won or lost) in the step
    std::int64_t remaining = 0;  // stock left at the end of the step (stockTotal − units won so far)
    std::int64_t queueDepth = 0; // accepted but not yet decided at the end of the step

    bool operator==(const SaleReportStep &) const = default;
};

// Thread: a value; made on whichever thread computes it, then handed anywhere.
struct SaleReport {
    QString eventId;
    QString name;
    QString currency;
    QString state;              // the event's state when the report was made ("ended", ...)
    std::int64_t priceCents = 0;
    std::int64_t initialStock = 0;
    std::int64_t stockTotal = 0; // initial stock + restocks (the journal does not say when)
    std::int64_t firstRequestAtMs = 0; // 0: no request journaled
    std::int64_t lastDecisionAtMs = 0;

    std::int64_t requests = 0;          // journaled purchase requests
    std::int64_t simulatedRequests = 0; // of which from the simulator
    std::int64_t wonRequests = 0;
    std::int64_t lostRequests = 0;
    std::int64_t undecidedRequests = 0; // journaled without a decision
    std::int64_t unitsSold = 0;
    std::int64_t revenueCents = 0;
    std::int64_t soldOutAtMs = 0;     // when the last unit was won; 0: not sold out
    std::int64_t peakRequestsPerSecond = 0;
    std::int64_t peakAtMs = 0;        // start of that second
    std::int64_t leads = 0;           // every shopper who did not get (all of) it
    std::int64_t leadsWithContact = 0;
    std::int64_t decisionP50Ms = -1;  // decided_at − accepted_at, nearest rank; -1: no decision
    std::int64_t decisionP99Ms = -1;

    std::int64_t stepMs = 1000; // timeline resolution: 1 s, coarser for long sales
    QList<SaleReportStep> timeline; // firstRequestAtMs's second to lastDecisionAtMs's, no gaps

    // Time from the first request to the last unit won; -1 when not sold out.
    std::int64_t timeToSellOutMs() const { return soldOutAtMs > 0 ? soldOutAtMs - firstRequestAtMs : -1; }
    // Won ÷ journaled requests, 0..1; 0 without requests.
    double conversion() const { return requests > 0 ? double(wonRequests) / double(requests) : 0.0; }

    bool operator==(const SaleReport &) const = default;
};

} // namespace flashsale
