#include "engine/api/apijson.h"

#include "engine/storage/records.h"

#include <QDateTime>
#include <QJsonArray>

#include <cmath>

namespace flashsale {

bool showsCountdownOnly(const EventSnapshot &event, std::int64_t nowMs)
{
    return event.state == EventState::Scheduled && nowMs < event.config.startsAtMs;
}

QJsonObject publicEventJson(const EventSnapshot &e)
{
    const std::int64_t nowMs = Engine::nowMs();
    if (!showsCountdownOnly(e, nowMs))
        return fullEventJson(e);
    return QJsonObject{
        {u"id"_qs, e.config.id},
        {u"name"_qs, e.config.name},
        {u"priceCents"_qs, qint64(e.config.priceCents)},
        {u"currency"_qs, e.config.currency},
        {u"startsAt"_qs, isoOrNull(e.config.startsAtMs)},
        {u"state"_qs, toString(e.state)},
        {u"shopperIdentity"_qs, toString(e.config.shopperIdentity)},
        {u"fairStartMs"_qs, e.config.fairStartMs},
        {u"serverTime"_qs, formatIsoTime(nowMs)},
    };
}

QJsonObject fullEventJson(const EventSnapshot &e)
{
    return QJsonObject{
        {u"id"_qs, e.config.id},
        {u"name"_qs, e.config.name},
        {u"priceCents"_qs, qint64(e.config.priceCents)},
        {u"currency"_qs, e.config.currency},
        {u"stock"_qs, qint64(e.stockTotal)},
        {u"remaining"_qs, qint64(e.remaining)},
        {u"perUserLimit"_qs, e.config.perUserLimit},
        {u"startsAt"_qs, isoOrNull(e.config.startsAtMs)},
        {u"endsAt"_qs, isoOrNull(e.config.endsAtMs)},
        {u"state"_qs, toString(e.state)},
        {u"shopperIdentity"_qs, toString(e.config.shopperIdentity)},
        {u"fairStartMs"_qs, e.config.fairStartMs},
        {u"paymentWindowSeconds"_qs, e.config.paymentWindowSeconds},
        {u"releasePolicy"_qs, toString(e.config.releasePolicy)},
        {u"serverTime"_qs, formatIsoTime(Engine::nowMs())},
    };
}

bool sameForShoppers(const EventSnapshot &a, const EventSnapshot &b)
{
    return a.state == b.state && a.stockTotal == b.stockTotal && a.remaining == b.remaining
        && a.config.name == b.config.name && a.config.priceCents == b.config.priceCents
        && a.config.currency == b.config.currency && a.config.perUserLimit == b.config.perUserLimit
        && a.config.startsAtMs == b.config.startsAtMs && a.config.endsAtMs == b.config.endsAtMs
        && a.config.shopperIdentity == b.config.shopperIdentity && a.config.fairStartMs == b.config.fairStartMs
        && a.config.paymentWindowSeconds == b.config.paymentWindowSeconds
        && a.config.releasePolicy == b.config.releasePolicy;
}

QJsonObject orderJson(const OrderRow &r)
{
    return QJsonObject{{u"orderId"_qs, qint64(r.orderId)},   {u"eventId"_qs, r.eventId},
                       {u"userId"_qs, r.userId},             {u"quantity"_qs, r.quantity},
                       {u"priceCents"_qs, qint64(r.priceCents)}, {u"totalCents"_qs, qint64(r.totalCents)},
                       {u"requestId"_qs, r.requestId},       {u"contact"_qs, r.contact},
                       {u"simulated"_qs, r.simulated},       {u"decidedAt"_qs, formatIsoTime(r.decidedAtMs)},
                       {u"status"_qs, toString(r.status)},   {u"expiresAt"_qs, isoOrNull(r.expiresAtMs)},
                       {u"paidAt"_qs, isoOrNull(r.paidAtMs)}, {u"source"_qs, toString(r.source)}};
}

QJsonObject intentJson(const IntentRow &r)
{
    return QJsonObject{{u"eventId"_qs, r.eventId},
                       {u"userId"_qs, r.userId},
                       {u"contact"_qs, r.contact},
                       {u"quantity"_qs, r.quantity},
                       {u"lastReason"_qs, toString(r.lastReason)},
                       {u"attempts"_qs, r.attempts},
                       {u"firstAt"_qs, formatIsoTime(r.firstAtMs)},
                       {u"lastAt"_qs, formatIsoTime(r.lastAtMs)},
                       {u"simulated"_qs, r.simulated},
                       {u"offeredAt"_qs, isoOrNull(r.offeredAtMs)},
                       {u"offerOrderId"_qs, r.offerOrderId > 0 ? QJsonValue(qint64(r.offerOrderId)) : QJsonValue()},
                       {u"offerOutcome"_qs, r.offerOutcome ? QJsonValue(toString(*r.offerOutcome)) : QJsonValue()}};
}

QJsonObject statsJson(const EngineStats &stats)
{
    QJsonArray events;
    for (const EventSnapshot &e : stats.events) {
        QJsonObject event{{u"id"_qs, e.config.id},
                          {u"state"_qs, toString(e.state)},
                          {u"rehearsal"_qs, e.config.rehearsal},
                          {u"queueDepth"_qs, qint64(e.requests.accepted - e.requests.decided())},
                          {u"remaining"_qs, qint64(e.remaining)}};
        insertCounts(event, e.requests);
        event.insert(u"orders"_qs, orderCountsJson(e.orders));
        events.append(event);
    }
    // The decision latency histogram, sparse: [[bucket, count], ...] (LatencyHistogram's buckets),
    // so a remote console computes a window's p50/p99 as the embedded one does.
    QJsonArray latencyBuckets;
    for (int i = 0; i < LatencyHistogram::kBuckets; ++i) {
        if (stats.latency[i] > 0)
            latencyBuckets.append(QJsonArray{i, qint64(stats.latency[i])});
    }
    QJsonObject totals{
        {u"queueDepth"_qs, qint64(stats.queueDepth)},
        {u"rejectedOverload"_qs, qint64(stats.rejectedOverload)},
        {u"rejectedRate"_qs, qint64(stats.rejectedRate)},
        {u"rejectedPass"_qs, qint64(stats.rejectedPass)},
        {u"commits"_qs, qint64(stats.commits)},
        {u"storeFailing"_qs, stats.storeFailing},
        {u"webSocketClients"_qs, qint64(stats.webSocketClients)},
        {u"latencyMs"_qs,
         QJsonObject{{u"p50"_qs, LatencyHistogram::quantile(stats.latency, 0.5) / 1000.0},
                     {u"p99"_qs, LatencyHistogram::quantile(stats.latency, 0.99) / 1000.0}}},
        {u"events"_qs, events},
        {u"serverTime"_qs, formatIsoTime(stats.atMs)},
        {u"clustered"_qs, stats.clustered},
        {u"brokerConnected"_qs, stats.brokerConnected},
        {u"storeReachable"_qs, stats.storeReachable},
        {u"latencyBuckets"_qs, latencyBuckets},
    };
    insertCounts(totals, stats.requests);
    return totals;
}

void insertCounts(QJsonObject &json, const RequestCounts &counts)
{
    json.insert(u"accepted"_qs, qint64(counts.accepted));
    json.insert(u"decided"_qs, qint64(counts.decided()));
    json.insert(u"won"_qs, qint64(counts.won));
    json.insert(u"wonUnits"_qs, qint64(counts.wonUnits));
    json.insert(u"lost"_qs, qint64(counts.lost));
}

QJsonObject orderCountsJson(const OrderCounts &counts)
{
    return QJsonObject{{u"pendingOrders"_qs, qint64(counts.pendingOrders)},
                       {u"pendingUnits"_qs, qint64(counts.pendingUnits)},
                       {u"paidUnits"_qs, qint64(counts.paidUnits)},
                       {u"cancelledUnits"_qs, qint64(counts.cancelledUnits)},
                       {u"expiredUnits"_qs, qint64(counts.expiredUnits)},
                       {u"offeredUnits"_qs, qint64(counts.offeredUnits)},
                       {u"freedUnits"_qs, qint64(counts.freedUnits())}};
}

int statusCodeOf(Status status)
{
    switch (status) {
    case Status::Ok: return 200;
    case Status::NotFound: return 404;
    case Status::Invalid: return 400;
    case Status::Exists: return 409;
    case Status::InvalidState: return 409;
    case Status::NotOpen: return 409;
    case Status::Overloaded: return 429;
    case Status::Unavailable: return 503;
    case Status::IdempotencyConflict: return 409;
    }
    return 500;
}

const char *errorCodeOf(Status status)
{
    switch (status) {
    case Status::Ok: return "ok";
    case Status::NotFound: return "not_found";
    case Status::Invalid: return "invalid_field";
    case Status::Exists: return "exists";
    case Status::InvalidState: return "invalid_state";
    case Status::NotOpen: return "not_open";
    case Status::Overloaded: return "overloaded";
    case Status::Unavailable: return "unavailable";
    case Status::IdempotencyConflict: return "idempotency_conflict";
    }
    return "internal";
}

std::optional<QString> FieldReader::string(const QString &key, bool required, int maxLength, int minLength)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() || v.isNull()) {
        if (required)
            fail(key, u"is required"_qs);
        return std::nullopt;
    }
    if (!v.isString())
        return fail(key, u"must be a string"_qs), std::nullopt;
    const QString s = v.toString();
    if (s.size() < minLength || s.size() > maxLength)
        return fail(key, QStringLiteral("must be %1-%2 characters").arg(minLength).arg(maxLength)), std::nullopt;
    return s;
}

std::optional<std::int64_t> FieldReader::integer(const QString &key, bool required, std::int64_t min, std::int64_t max)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() || v.isNull()) {
        if (required)
            fail(key, u"is required"_qs);
        return std::nullopt;
    }
    const double d = v.toDouble();
    if (!v.isDouble() || d != std::floor(d) || d < double(min) || d > double(max))
        return fail(key, QStringLiteral("must be an integer from %1 to %2").arg(min).arg(max)), std::nullopt;
    return std::int64_t(d);
}

std::optional<std::int64_t> FieldReader::time(const QString &key)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined())
        return std::nullopt;
    if (v.isNull())
        return 0;
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    if (!v.isString() || !t.isValid())
        return fail(key, u"must be an ISO 8601 time such as 2026-11-11T20:00:00+08:00"_qs), std::nullopt;
    return t.toMSecsSinceEpoch();
}

std::optional<QString> FieldReader::identifier(const QString &key, int maxLength)
{
    auto id = string(key, true, maxLength);
    if (!id)
        return std::nullopt;
    if (const qsizetype i = controlOrFormatCharacterAt(*id); i >= 0) {
        fail(key, QStringLiteral("must not contain control or format characters (U+%1 at position %2)")
                      .arg(id->at(i).unicode(), 4, 16, QLatin1Char('0'))
                      .arg(i));
        return std::nullopt;
    }
    if (id->trimmed().isEmpty())
        return fail(key, u"must not be blank"_qs), std::nullopt;
    return id;
}

qsizetype controlOrFormatCharacterAt(QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar::Category category = text.at(i).category();
        if (category == QChar::Other_Control || category == QChar::Other_Format)
            return i;
    }
    return -1;
}

void FieldReader::fail(const QString &key, const QString &what)
{
    if (m_problem.isEmpty())
        m_problem = key + u' ' + what;
}

std::optional<PurchaseRequest> purchaseFromJson(const QJsonObject &body, const EventSnapshot &event, QString *problem)
{
    FieldReader fields(body);
    PurchaseRequest purchase;
    purchase.requestId = fields.identifier(u"requestId"_qs, limits::maxRequestIdLength).value_or(QString());
    if (event.config.shopperIdentity == ShopperIdentity::Open || body.contains(u"userId"_qs))
        purchase.userId = fields.identifier(u"userId"_qs, limits::maxUserIdLength).value_or(QString());
    purchase.quantity = std::int32_t(fields.integer(u"quantity"_qs, true, 1, event.config.perUserLimit).value_or(0));
    purchase.contact = fields.string(u"contact"_qs, false, limits::maxContactLength, 0).value_or(QString());
    if (!fields.ok()) {
        *problem = fields.problem();
        return std::nullopt;
    }
    purchase.simulated = body.value(u"simulated"_qs).toBool();
    return purchase;
}

QJsonObject submitErrorJson(const SubmitResult &result, QStringView eventId)
{
    switch (result.status) {
    case Status::NotOpen:
        return QJsonObject{{u"error"_qs, u"not_open"_qs},
                           {u"message"_qs, u"the event has not opened yet"_qs},
                           {u"startsAt"_qs, isoOrNull(result.startsAtMs)},
                           {u"serverTime"_qs, formatIsoTime(Engine::nowMs())}};
    case Status::Overloaded:
        return QJsonObject{{u"error"_qs, QString::fromLatin1(errorCodeOf(result.status))},
                           {u"message"_qs, u"too many requests are waiting; try again in a moment"_qs}};
    case Status::IdempotencyConflict:
        return QJsonObject{{u"error"_qs, QString::fromLatin1(errorCodeOf(result.status))},
                           {u"message"_qs, u"this requestId was already used by another user; send a new requestId"_qs}};
    case Status::Unavailable:
        return QJsonObject{{u"error"_qs, QString::fromLatin1(errorCodeOf(result.status))},
                           {u"message"_qs, result.message.isEmpty() ? u"the engine is not accepting purchases right now"_qs
                                                                    : result.message}};
    default:
        return QJsonObject{{u"error"_qs, QString::fromLatin1(errorCodeOf(result.status))},
                           {u"message"_qs, QStringLiteral("no event \"%1\"").arg(eventId)}};
    }
}

} // namespace flashsale
