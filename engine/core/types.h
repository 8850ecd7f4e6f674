// Value types shared by every layer of the sale engine: events, purchase requests, decisions.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>

namespace flashsale {

// Life cycle of a sale event. Zero is never a valid value.
enum class EventState : std::uint8_t {
    Draft = 1,     // being configured; shoppers get 409 not_open
    Scheduled = 2, // launched, opens by itself at startsAt
    Open = 3,      // taking purchases
    Paused = 4,    // temporarily closed; requests are decided lost (not_open)
    SoldOut = 5,   // no stock left; a restock reopens it
    Ended = 6,     // closed for good (by staff or at endsAt)
};

// Why a request lost. Zero means "did not lose".
enum class LossReason : std::uint8_t {
    None = 0,
    SoldOut = 1,
    LimitReached = 2,
    NotOpen = 3,
};

// Where a ticket is in its life. Pending tickets are accepted but not yet durable.
enum class TicketState : std::uint8_t {
    Pending = 1, // accepted, the journal commit has not finished
    Queued = 2,  // durably journaled, waiting for the decider
    Won = 3,
    Lost = 4,
};

// Won or lost: the ticket has its final answer.
inline bool isDecided(TicketState state)
{
    return state == TicketState::Won || state == TicketState::Lost;
}

// Where an order is in its life. An event without a payment window makes Final orders (a win
// is the sale); with one, an order awaits payment until the shop marks it paid or cancelled,
// or its deadline passes. Zero is never a valid value.
enum class OrderStatus : std::uint8_t {
    Final = 1,
    PendingPayment = 2,
    Paid = 3,
    Cancelled = 4,
    Expired = 5,
};

// How an order came about: a won purchase, or freed units offered to a lead.
enum class OrderSource : std::uint8_t { Sale = 1, Offer = 2 };

// Where the units of a cancelled or expired order go: back to stock, or offered to the leads.
enum class ReleasePolicy : std::uint8_t { Restock = 1, Offer = 2 };

// What the shop does with an order awaiting payment.
enum class OrderAction : std::uint8_t { Pay = 1, Cancel = 2 };

// Units still held by an order in this status (a cancelled or expired one freed them).
inline bool holdsUnits(OrderStatus status)
{
    return status == OrderStatus::Final || status == OrderStatus::PendingPayment || status == OrderStatus::Paid;
}

// Who the buyer of an event is: the body's userId (open), or the `sub` of a pass the shop's
// backend signed (signed; engine/api/shoppass.h).
enum class ShopperIdentity : std::uint8_t {
    Open = 1,
    Signed = 2,
};

QString toString(EventState state);
QString toString(OrderStatus status);
QString toString(OrderSource source);
QString toString(ReleasePolicy policy);
std::optional<OrderStatus> orderStatusFromString(QStringView text);
std::optional<OrderSource> orderSourceFromString(QStringView text);
std::optional<ReleasePolicy> releasePolicyFromString(QStringView text);
QString toString(LossReason reason);
QString toString(TicketState state);
QString toString(ShopperIdentity identity);
std::optional<EventState> eventStateFromString(QStringView text);
std::optional<LossReason> lossReasonFromString(QStringView text);
std::optional<ShopperIdentity> shopperIdentityFromString(QStringView text);

// What staff configure for an event. Times are Unix epoch milliseconds, 0 = not set.
struct EventConfig {
    QString id;   // slug, [a-z0-9-]{1,64}
    QString name; // any Unicode
    std::int64_t priceCents = 0;
    QString currency = QStringLiteral("CNY");
    std::int64_t stock = 0; // initial units
    std::int32_t perUserLimit = 1;
    std::int64_t startsAtMs = 0;
    std::int64_t endsAtMs = 0;
    // Seconds a winner has to pay (0: orders are final, no payment step) and where the units of
    // an unpaid order go. Both are fixed once the event is launched.
    std::int32_t paymentWindowSeconds = 0;
    ReleasePolicy releasePolicy = ReleasePolicy::Restock;
    ShopperIdentity shopperIdentity = ShopperIdentity::Open;
    // Requests reaching the decider within this long after the event opens are decided together
    // in a random order (engine/core/fairstart.h); 0 = first come, first served.
    std::int32_t fairStartMs = 0;
    // A copy made for a simulated rehearsal: never shown to shoppers, left out of exports,
    // records and totals unless asked for. Set only by Engine::createRehearsal.
    bool rehearsal = false;
};

// How many purchase requests an event took in and how they ended (or a node's sum over its
// events): the one declaration of the per-event counters, held by the decider's runtime, the
// snapshots, a cluster take-over and the node's totals. A value.
struct RequestCounts {
    std::int64_t accepted = 0; // taken into the queue (journaled or confirmed by the broker)
    std::int64_t won = 0;      // requests decided won
    std::int64_t lost = 0;     // requests decided lost
    std::int64_t wonUnits = 0; // units the won requests bought

    std::int64_t decided() const { return won + lost; }
    // Accepted and not decided yet (never negative).
    std::int64_t waiting() const { return accepted > decided() ? accepted - decided() : 0; }
    RequestCounts &operator+=(const RequestCounts &other);
    RequestCounts &operator-=(const RequestCounts &other);
    bool operator==(const RequestCounts &) const = default;
};

// Where the units of an event's orders stand (events with a payment window; all zero without
// one, whose orders are final): held by the decider's runtime, published in the snapshots (and
// summed by the console). Every unit of an order is in exactly one status, so pending + paid +
// cancelled + expired units are the units of every order that needed payment (won + offered).
struct OrderCounts {
    std::int64_t pendingOrders = 0;  // orders awaiting payment
    std::int64_t pendingUnits = 0;   // their units
    std::int64_t paidUnits = 0;
    std::int64_t cancelledUnits = 0;
    std::int64_t expiredUnits = 0;
    std::int64_t offeredUnits = 0;   // units of the offers made to leads (any status now)

    // Units of cancelled and expired orders: restocked or offered on.
    std::int64_t freedUnits() const { return cancelledUnits + expiredUnits; }
    // The units of every order that needed payment: what paid conversion divides by.
    std::int64_t needingPaymentUnits() const { return pendingUnits + paidUnits + cancelledUnits + expiredUnits; }
    OrderCounts &operator+=(const OrderCounts &other);
    bool operator==(const OrderCounts &) const = default;
};

// A point-in-time copy of one event, safe to hand to any thread.
struct EventSnapshot {
    EventConfig config;
    EventState state = EventState::Draft;
    std::int64_t stockTotal = 0; // initial stock + all restocks
    std::int64_t remaining = 0;  // stockTotal - requests.wonUnits
    RequestCounts requests;
    OrderCounts orders;
    std::int64_t createdAtMs = 0;
    std::int64_t updatedAtMs = 0;
    std::int64_t deciderEpoch = 0; // cluster: the fencing epoch of the decider that wrote it (0: embedded)
};

// One shopper's purchase request as accepted by a front end. Strings are validated lengths.
struct PurchaseRequest {
    std::uint64_t seq = 0;    // ticket sequence number, global and gap-free in acceptance order
    std::uint64_t ticketTag = 0; // random part of the public ticket id (64 CSPRNG bits; 32 before 0.2)
    std::int32_t eventIndex = -1;
    std::int32_t quantity = 0;
    std::int64_t acceptedAtMs = 0;     // wall clock, stored
    std::int64_t acceptedSteadyUs = 0; // monotonic, for latency; 0 after a restart
    QString eventId;
    QString requestId;
    QString userId;  // as the shopper sent it; stored so
    QString userKey; // userKeyOf(userId): what the per-user limit compares; computed by the front end off the decider thread
    std::uint64_t userHash = 0; // hashUserId(userKey), likewise
    QString contact;
    bool simulated = false; // sent by the sale simulator; exports can leave these out
};

// The key under which a user id counts towards the per-user limit and owns its requestIds:
// NFKC-normalised, case-folded, leading and trailing whitespace removed, so "alice", "Alice",
// "ALICE", "ａｌｉｃｅ" (full width) and "alice " are one shopper. Ids are stored as sent; every
// reader (decider, start-up load, cluster intake) derives the key with this one function.
QString userKeyOf(QStringView userId);

// A 64-bit hash of a user key (userKeyOf), never 0; the decider's per-user table is keyed by it.
// Qt seeds it per process (hash-flooding defence): never send it to another node or store it.
std::uint64_t hashUserId(QStringView userKey);

// The decider's verdict on one request.
struct Decision {
    std::uint64_t seq = 0;
    std::int32_t eventIndex = -1;
    TicketState outcome = TicketState::Lost; // Won or Lost
    LossReason reason = LossReason::None;
    std::int64_t orderId = 0; // > 0 when won
    std::int64_t decidedAtMs = 0;
    std::int64_t unitPriceCents = 0;
    std::int64_t expiresAtMs = 0;  // > 0: the order awaits payment until then; 0: the order is final
    std::int64_t deciderEpoch = 0; // cluster: the epoch it was decided under; commits check it (0: embedded)
};

// One order as the decider keeps it (orders of events with a payment window) and the store writes it.
struct OrderView {
    std::int64_t orderId = 0;
    QString eventId;
    QString userId; // as sent
    std::int32_t quantity = 0;
    std::int64_t priceCents = 0; // per unit
    QString requestId;           // the request it was won by (an offer: the lead's lost request)
    std::uint64_t ticketSeq = 0; // likewise
    QString contact;
    bool simulated = false;
    std::int64_t decidedAtMs = 0; // when it was made
    OrderStatus status = OrderStatus::Final;
    OrderSource source = OrderSource::Sale;
    std::int64_t expiresAtMs = 0; // payment deadline (0: final)
    std::int64_t paidAtMs = 0;
};

// An order the decider made (an offer) or moved to another status, to be committed.
struct OrderChange {
    OrderView order; // as it is after the change
    bool created = false; // an offer: a new row; else the row's status changes
    std::int64_t deciderEpoch = 0; // cluster: the epoch it was decided under; commits check it (0: embedded)
};

// The outcome of a decided request, kept by a cluster decider to recognise redeliveries.
struct DecidedOutcome {
    TicketState state = TicketState::Lost;
    LossReason reason = LossReason::None;
    std::int64_t orderId = 0;
};

// Limits enforced on input, in one place so every front end agrees.
namespace limits {
inline constexpr int maxEventIdLength = 64;
inline constexpr int maxRequestIdLength = 128;
inline constexpr int maxUserIdLength = 128;
inline constexpr int maxContactLength = 256;
inline constexpr int maxNameLength = 200;
inline constexpr std::int64_t maxPriceCents = 1'000'000'000'000;
inline constexpr std::int64_t maxStock = 1'000'000'000; // initial stock, a restock's units, and their total
inline constexpr std::int32_t maxPerUserLimit = 1'000'000;
inline constexpr qsizetype maxBodyBytes = 64 * 1024;
inline constexpr int maxWaitMs = 10000;
inline constexpr std::int32_t maxPaymentWindowSeconds = 7 * 24 * 3600;
// ReleasePolicy::Offer: the sold_out losers an event keeps, in decision order, to offer freed units to.
inline constexpr std::size_t maxLeadsPerEvent = 100'000;
// A fair start holds answers until it ends: a minute at most keeps shoppers' connections short.
inline constexpr std::int32_t maxFairStartMs = 60'000;
} // namespace limits

bool isValidEventId(QStringView id);

// Public ticket text: "<seq>-<tag in hex>", the tag at least 8 digits (tickets of 0.1.0 have 8,
// newer ones up to 16). The tag makes tickets unguessable.
QString formatTicket(std::uint64_t seq, std::uint64_t tag);
bool parseTicket(QStringView text, std::uint64_t *seq, std::uint64_t *tag);

// A fresh ticket tag: 64 bits from the kernel's CSPRNG (getrandom), drawn in batches per thread
// so a purchase does not make a system call. Any thread.
std::uint64_t newTicketTag();

} // namespace flashsale
