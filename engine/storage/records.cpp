#include "engine/storage/records.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace flashsale {

QString formatIsoTime(std::int64_t epochMs)
{
    if (epochMs <= 0)
        return QString();
    return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonValue isoOrNull(std::int64_t epochMs)
{
    return epochMs > 0 ? QJsonValue(formatIsoTime(epochMs)) : QJsonValue(QJsonValue::Null);
}

namespace records {
namespace {

struct Where {
    QStringList clauses;
    QVariantList values;
    void add(const QString &clause, const QVariant &value)
    {
        clauses << clause;
        values << value;
    }
    QString sql() const { return clauses.isEmpty() ? QString() : QStringLiteral(" WHERE ") + clauses.join(QStringLiteral(" AND ")); }
};

// LIKE with the user's text taken literally.
QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'%', QStringLiteral("\\%")).replace(u'_', QStringLiteral("\\_"));
    return u'%' + escaped + u'%';
}

Where orderWhere(const OrderQuery &q)
{
    Where w;
    if (!q.eventId.isEmpty())
        w.add(QStringLiteral("event_id = ?"), q.eventId);
    if (!q.userContains.isEmpty())
        w.add(QStringLiteral("user_id LIKE ? ESCAPE '\\'"), likePattern(q.userContains));
    if (q.status)
        w.add(QStringLiteral("status = ?"), toString(*q.status));
    if (!q.includeSimulated)
        w.add(QStringLiteral("simulated = ?"), 0);
    if (!q.includeRehearsals)
        w.add(QStringLiteral("event_id NOT IN (SELECT id FROM events WHERE rehearsal <> ?)"), 0);
    return w;
}

Where intentWhere(const IntentQuery &q)
{
    Where w;
    // A row an offer made before the projector folded its lead's losses (engine/storage/projector.h).
    w.add(QStringLiteral("attempts > ?"), 0);
    if (!q.eventId.isEmpty())
        w.add(QStringLiteral("event_id = ?"), q.eventId);
    if (q.reason)
        w.add(QStringLiteral("last_reason = ?"), toString(*q.reason));
    if (q.fromMs > 0)
        w.add(QStringLiteral("last_at_ms >= ?"), qint64(q.fromMs));
    if (q.toMs > 0)
        w.add(QStringLiteral("last_at_ms < ?"), qint64(q.toMs));
    if (q.withContactOnly)
        w.add(QStringLiteral("contact <> ?"), QString(u""_qs));
    if (q.offeredOnly)
        w.add(QStringLiteral("offered_at_ms > ?"), 0);
    if (!q.includeSimulated)
        w.add(QStringLiteral("simulated = ?"), 0);
    if (!q.includeRehearsals)
        w.add(QStringLiteral("event_id NOT IN (SELECT id FROM events WHERE rehearsal <> ?)"), 0);
    return w;
}


QString page(std::int64_t offset, std::int64_t limit)
{
    if (limit <= 0)
        return QString(); // exports: everything
    return QStringLiteral(" LIMIT %1 OFFSET %2").arg(limit).arg(offset);
}

bool count(QSqlDatabase db, const QString &table, const Where &w, std::int64_t *total, QString *error)
{
    QSqlQuery query(db);
    if (!run(query, QStringLiteral("SELECT COUNT(*) FROM ") + table + w.sql(), w.values, error))
        return false;
    *total = query.next() ? query.value(0).toLongLong() : 0;
    return true;
}

} // namespace

bool run(QSqlQuery &query, const QString &sql, const QVariantList &values, QString *error)
{
    query.setForwardOnly(true);
    if (!query.prepare(sql)) {
        *error = query.lastError().text();
        return false;
    }
    for (int i = 0; i < values.size(); ++i)
        query.bindValue(i, values[i]);
    if (!query.exec()) {
        *error = query.lastError().text();
        return false;
    }
    return true;
}

bool countOrders(QSqlDatabase db, const OrderQuery &q, std::int64_t *total, QString *error)
{
    return count(db, QStringLiteral("orders"), orderWhere(q), total, error);
}

bool listOrders(QSqlDatabase db, const OrderQuery &q, const std::function<bool(const OrderRow &)> &row, QString *error)
{
    const Where w = orderWhere(q);
    QSqlQuery query(db);
    const QString sql = QStringLiteral("SELECT order_id, event_id, user_id, quantity, price_cents, total_cents, request_id,"
                                       " contact, simulated, decided_at_ms, status, source, expires_at_ms, paid_at_ms"
                                       " FROM orders")
        + w.sql() + QStringLiteral(" ORDER BY order_id") + page(q.offset, q.limit);
    if (!run(query, sql, w.values, error))
        return false;
    while (query.next()) {
        OrderRow r;
        r.orderId = query.value(0).toLongLong();
        r.eventId = query.value(1).toString();
        r.userId = query.value(2).toString();
        r.quantity = query.value(3).toInt();
        r.priceCents = query.value(4).toLongLong();
        r.totalCents = query.value(5).toLongLong();
        r.requestId = query.value(6).toString();
        r.contact = query.value(7).toString();
        r.simulated = query.value(8).toBool();
        r.decidedAtMs = query.value(9).toLongLong();
        r.status = orderStatusFromString(query.value(10).toString()).value_or(OrderStatus::Final);
        r.source = orderSourceFromString(query.value(11).toString()).value_or(OrderSource::Sale);
        r.expiresAtMs = query.value(12).toLongLong();
        r.paidAtMs = query.value(13).toLongLong();
        if (!row(r))
            break;
    }
    return true;
}

bool countIntents(QSqlDatabase db, const IntentQuery &q, std::int64_t *total, QString *error)
{
    return count(db, QStringLiteral("intents"), intentWhere(q), total, error);
}

bool countLeads(QSqlDatabase db, const QString &eventId, bool includeSimulated, std::int64_t sinceMs, LeadCounts *counts,
                QString *error)
{
    IntentQuery q;
    q.eventId = eventId;
    q.includeSimulated = includeSimulated;
    q.includeRehearsals = !eventId.isEmpty(); // a rehearsal copy picked to watch: its own leads
    const Where w = intentWhere(q);
    QVariantList values{qint64(sinceMs), qint64(sinceMs)};
    values << w.values;
    QSqlQuery query(db);
    const QString sql = QStringLiteral("SELECT COUNT(*),"
                                       " COALESCE(SUM(CASE WHEN contact <> '' THEN 1 ELSE 0 END), 0),"
                                       " COALESCE(SUM(CASE WHEN last_at_ms >= ? THEN 1 ELSE 0 END), 0),"
                                       " COALESCE(SUM(CASE WHEN last_at_ms >= ? AND contact <> '' THEN 1 ELSE 0 END), 0)"
                                       " FROM intents")
        + w.sql();
    if (!run(query, sql, values, error))
        return false;
    *counts = LeadCounts();
    if (query.next()) {
        counts->leads = query.value(0).toLongLong();
        counts->withContact = query.value(1).toLongLong();
        counts->leadsSince = query.value(2).toLongLong();
        counts->withContactSince = query.value(3).toLongLong();
    }
    return true;
}

bool listIntents(QSqlDatabase db, const IntentQuery &q, const std::function<bool(const IntentRow &)> &row, QString *error)
{
    const Where w = intentWhere(q);
    QString order;
    switch (q.sort) {
    case IntentSort::LastAt: order = QStringLiteral("last_at_ms"); break;
    case IntentSort::FirstAt: order = QStringLiteral("first_at_ms"); break;
    case IntentSort::Attempts: order = QStringLiteral("attempts"); break;
    case IntentSort::Quantity: order = QStringLiteral("quantity"); break;
    case IntentSort::UserId: order = QStringLiteral("user_id"); break;
    }
    const QString direction = q.descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
    QSqlQuery query(db);
    const QString sql = QStringLiteral("SELECT event_id, user_id, contact, quantity, last_reason, attempts, first_at_ms,"
                                       " last_at_ms, simulated, offered_at_ms, offer_order_id,"
                                       " (SELECT status FROM orders WHERE orders.order_id = intents.offer_order_id)"
                                       " FROM intents")
        + w.sql() + QStringLiteral(" ORDER BY ") + order + direction + QStringLiteral(", event_id, user_id")
        + page(q.offset, q.limit);
    if (!run(query, sql, w.values, error))
        return false;
    while (query.next()) {
        IntentRow r;
        r.eventId = query.value(0).toString();
        r.userId = query.value(1).toString();
        r.contact = query.value(2).toString();
        r.quantity = query.value(3).toInt();
        r.lastReason = lossReasonFromString(query.value(4).toString()).value_or(LossReason::SoldOut);
        r.attempts = query.value(5).toInt();
        r.firstAtMs = query.value(6).toLongLong();
        r.lastAtMs = query.value(7).toLongLong();
        r.simulated = query.value(8).toBool();
        r.offeredAtMs = query.value(9).toLongLong();
        r.offerOrderId = query.value(10).toLongLong();
        r.offerOutcome = orderStatusFromString(query.value(11).toString());
        if (!row(r))
            break;
    }
    return true;
}

OrderRow orderRowOf(const OrderView &o)
{
    return OrderRow{o.orderId, o.eventId, o.userId, o.quantity, o.priceCents, o.priceCents * o.quantity,
                    o.requestId, o.contact, o.simulated, o.decidedAtMs, o.status, o.source, o.expiresAtMs, o.paidAtMs};
}

QVariantList csvHeader(const OrderRow *)
{
    return {u"orderId"_qs, u"eventId"_qs, u"userId"_qs, u"quantity"_qs, u"priceCents"_qs, u"totalCents"_qs,
            u"requestId"_qs, u"contact"_qs, u"simulated"_qs, u"decidedAt"_qs, u"status"_qs, u"expiresAt"_qs,
            u"paidAt"_qs, u"source"_qs};
}

QVariantList csvCells(const OrderRow &r)
{
    return {qint64(r.orderId), r.eventId, r.userId, r.quantity, qint64(r.priceCents), qint64(r.totalCents),
            r.requestId, r.contact, int(r.simulated), formatIsoTime(r.decidedAtMs), toString(r.status),
            formatIsoTime(r.expiresAtMs), formatIsoTime(r.paidAtMs), toString(r.source)};
}

QVariantList csvHeader(const IntentRow *)
{
    return {u"eventId"_qs, u"userId"_qs, u"contact"_qs, u"quantity"_qs, u"lastReason"_qs, u"attempts"_qs,
            u"firstAt"_qs, u"lastAt"_qs, u"simulated"_qs, u"offeredAt"_qs, u"offerOrderId"_qs, u"offerOutcome"_qs};
}

QVariantList csvCells(const IntentRow &r)
{
    return {r.eventId, r.userId, r.contact, r.quantity, toString(r.lastReason), r.attempts,
            formatIsoTime(r.firstAtMs), formatIsoTime(r.lastAtMs), int(r.simulated), formatIsoTime(r.offeredAtMs),
            r.offerOrderId > 0 ? QVariant(qint64(r.offerOrderId)) : QVariant(QString()),
            r.offerOutcome ? toString(*r.offerOutcome) : QString()};
}

} // namespace records
} // namespace flashsale
