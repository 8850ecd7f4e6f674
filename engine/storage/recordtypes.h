// Rows and filters of the read side (orders, intent leads, lead counts): plain values, Qt Core only.
#pragma once

#include "engine/core/types.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace flashsale {

struct OrderRow {
    std::int64_t orderId = 0;
    QString eventId;
    QString userId;
    std::int32_t quantity = 0;
    std::int64_t priceCents = 0;
    std::int64_t totalCents = 0;
    QString requestId;
    QString contact;
    bool simulated = false;
    std::int64_t decidedAtMs = 0;
    OrderStatus status = OrderStatus::Final;
    OrderSource source = OrderSource::Sale;
    std::int64_t expiresAtMs = 0; // payment deadline; 0: final
    std::int64_t paidAtMs = 0;
};

struct IntentRow {
    QString eventId;
    QString userId;
    QString contact;
    std::int32_t quantity = 0;
    LossReason lastReason = LossReason::SoldOut;
    std::int32_t attempts = 0;
    std::int64_t firstAtMs = 0;
    std::int64_t lastAtMs = 0;
    bool simulated = false;
    std::int64_t offeredAtMs = 0;  // when freed units were offered to this lead (0: never)
    std::int64_t offerOrderId = 0; // the offer's order
    std::optional<OrderStatus> offerOutcome; // its status now
};

struct OrderQuery {
    QString eventId;      // empty: all events
    QString userContains; // empty: all users
    std::optional<OrderStatus> status; // unset: every status
    bool includeSimulated = true;
    bool includeRehearsals = false; // rows of the simulator's rehearsal copies
    std::int64_t offset = 0;
    std::int64_t limit = 100; // <= 0: no limit (exports)
};

enum class IntentSort : std::uint8_t { LastAt = 1, FirstAt, Attempts, Quantity, UserId };

struct IntentQuery {
    QString eventId;
    std::optional<LossReason> reason;
    std::int64_t fromMs = 0; // last attempt at or after; 0: no bound
    std::int64_t toMs = 0;   // last attempt before; 0: no bound
    bool withContactOnly = false;
    bool offeredOnly = false; // only leads freed units were offered to
    bool includeSimulated = true;
    bool includeRehearsals = false; // rows of the simulator's rehearsal copies
    IntentSort sort = IntentSort::LastAt;
    bool descending = true;
    std::int64_t offset = 0;
    std::int64_t limit = 100; // <= 0: no limit (exports)
};

// Leads are every lost shopper (one intents row per event and user); "with contact" is the part
// of them that left a contact. "Since" counts those whose last attempt was at or after sinceMs.
struct LeadCounts {
    std::int64_t leads = 0;
    std::int64_t withContact = 0;
    std::int64_t leadsSince = 0;
    std::int64_t withContactSince = 0;
};

} // namespace flashsale

// Where a webhook is on its way to the shop's endpoint (engine/storage/webhooks.h).
enum class WebhookStatus : std::uint8_t {
    Pending = 1,   // not tried yet
    Retrying = 2,  // tried and failed; tried again at nextAttemptAtMs
    Delivered = 3, // the endpoint answered 2xx
    Failed = 4,    // gave up: still failing three days after it was made (Retry now sends it again)
    Skipped = 5,   // made while no endpoint was set: never sent
};

// The shop's webhook endpoint as staff see it: the secret is shown once, when it is set.
struct WebhookEndpoint {
    QString url;                  // empty: none set
    std::int64_t configuredAtMs = 0;
};

// One webhook and its latest delivery attempt.
struct WebhookDeliveryRow {
    QString id;   // stable: what receivers deduplicate by
    QString type; // "order.won", "event.sold_out", …
    QString eventId;
    std::int64_t createdAtMs = 0;
    WebhookStatus status = WebhookStatus::Pending;
    std::int32_t attempts = 0;
    std::int32_t lastHttpStatus = 0; // 0: no HTTP answer (refused, timed out) or not tried
    QString lastError;
    std::int64_t lastAttemptAtMs = 0;
    std::int64_t nextAttemptAtMs = 0; // Pending/Retrying: when it is tried (next)
    std::int64_t deliveredAtMs = 0;
};

struct WebhookDeliveryQuery {
    std::optional<WebhookStatus> status; // none: every status
    std::int64_t limit = 100;            // newest first
};
