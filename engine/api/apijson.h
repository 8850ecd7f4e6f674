// JSON shapes and input rules shared by the HTTP and WebSocket fronts, so both speak alike.
#pragma once

#include "engine/node/engine.h"
#include "engine/storage/records.h"
#include "engine/storage/recordtypes.h"

#include <QJsonObject>
#include <QJsonValue>

#include <optional>

namespace flashsale {

// True while a scheduled event has not reached startsAt: shoppers then see only what the
// countdown needs.
bool showsCountdownOnly(const EventSnapshot &event, std::int64_t nowMs);
// Every field of an event as the admin API starts from (paymentWindowSeconds and releasePolicy
// included: the shopper page counts down a won order's payment and waits for offers).
QJsonObject fullEventJson(const EventSnapshot &event);
// GET /api/v1/events/{id} and the WebSocket `event` message (which adds "op"): fullEventJson,
// or while showsCountdownOnly just id, name, priceCents, currency, state, startsAt,
// shopperIdentity, fairStartMs and serverTime (not stock, remaining, perUserLimit, endsAt).
QJsonObject publicEventJson(const EventSnapshot &event);
// True when two snapshots would give a shopper the same page (serverTime aside).
bool sameForShoppers(const EventSnapshot &a, const EventSnapshot &b);

// One order as the admin API lists it and answers an order action.
QJsonObject orderJson(const OrderRow &order);
// One lead (intents row) as the admin API lists it.
QJsonObject intentJson(const IntentRow &intent);

// GET /api/v1/admin/stats and the admin feed's snapshot.
QJsonObject statsJson(const EngineStats &stats);

// Adds counts as accepted, decided, won, wonUnits and lost to json (events and totals alike).
void insertCounts(QJsonObject &json, const RequestCounts &counts);
// An event's "orders" object: pendingOrders, pendingUnits, paidUnits, cancelledUnits,
// expiredUnits, offeredUnits, freedUnits (all 0 without a payment window).
QJsonObject orderCountsJson(const OrderCounts &counts);

int statusCodeOf(Status status);
const char *errorCodeOf(Status status);

// Reads typed fields out of a JSON object, remembering the first problem by field name.
class FieldReader
{
public:
    explicit FieldReader(const QJsonObject &object) : m_object(object) {}

    std::optional<QString> string(const QString &key, bool required, int maxLength, int minLength = 1);
    // A required id: a string that is not blank and holds no control or format character
    // (Unicode Cc/Cf: NUL, line breaks, U+202E and the like).
    std::optional<QString> identifier(const QString &key, int maxLength);
    std::optional<std::int64_t> integer(const QString &key, bool required, std::int64_t min, std::int64_t max);
    // One of a few names (parse: the enum's fromString; allowed: the names, for the problem
    // text, e.g. "\"open\" or \"signed\""); absent or null: nullopt and no problem.
    template<typename Enum>
    std::optional<Enum> choice(const QString &key, std::optional<Enum> (*parse)(QStringView), const char *allowed)
    {
        const auto text = string(key, false, 32);
        if (!text)
            return std::nullopt;
        const std::optional<Enum> value = parse(*text);
        if (!value)
            fail(key, u"must be "_qs + QLatin1String(allowed));
        return value;
    }
    // ISO 8601; null clears (returns 0).
    std::optional<std::int64_t> time(const QString &key);

    bool ok() const { return m_problem.isEmpty(); }
    const QString &problem() const { return m_problem; }

private:
    void fail(const QString &key, const QString &what);
    const QJsonObject &m_object;
    QString m_problem;
};

// The index of the first control or format character (Unicode Cc/Cf: NUL, line breaks, U+202E
// and the like) in text, or -1: such characters are refused in ids.
qsizetype controlOrFormatCharacterAt(QStringView text);

// A purchase body (requestId, userId, quantity, contact?, simulated?) checked against the
// event's rules; on a signed event userId may be left out (the pass names the user: see
// ShopperAdmission::applyPass). request.simulated mirrors the body: the caller must authorise it.
std::optional<PurchaseRequest> purchaseFromJson(const QJsonObject &body, const EventSnapshot &event, QString *problem);

// {"error", "message"} (plus startsAt/serverTime for not_open) for a refused submit.
QJsonObject submitErrorJson(const SubmitResult &result, QStringView eventId);

} // namespace flashsale
