#include "engine/storage/webhooks.h"

#include "engine/storage/records.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QUrl>
#include <QVariant>

#include <algorithm>
#include <array>

namespace flashsale::webhooks {

namespace {

constexpr std::array<std::pair<WebhookStatus, const char16_t *>, 5> kStatusNames{{
    {WebhookStatus::Pending, u"pending"},
    {WebhookStatus::Retrying, u"retrying"},
    {WebhookStatus::Delivered, u"delivered"},
    {WebhookStatus::Failed, u"failed"},
    {WebhookStatus::Skipped, u"skipped"},
}};

bool fail(const QSqlQuery &query, QString *error)
{
    *error = query.lastError().text();
    return false;
}

// Hex of 64-bit CSPRNG draws (newTicketTag reads getrandom).
QString randomHex(int words)
{
    QString text;
    for (int i = 0; i < words; ++i)
        text += QStringLiteral("%1").arg(newTicketTag(), 16, 16, QLatin1Char('0'));
    return text;
}

const char kDeliveryColumns[] = "id, type, event_id, created_at_ms, status, attempts, last_http_status, last_error,"
                                " last_attempt_at_ms, next_attempt_at_ms, delivered_at_ms";

} // namespace

QString toString(WebhookStatus status)
{
    for (const auto &[value, name] : kStatusNames) {
        if (value == status)
            return QString::fromUtf16(name);
    }
    return QString();
}

std::optional<WebhookStatus> statusFromString(QStringView text)
{
    for (const auto &[value, name] : kStatusNames) {
        if (text == QStringView(name))
            return value;
    }
    return std::nullopt;
}

OutboxEntry orderEntry(QStringView type, const OrderView &order, const QString &currency, std::int64_t nowMs)
{
    const QJsonObject data{{u"orderId"_qs, qint64(order.orderId)},
                           {u"eventId"_qs, order.eventId},
                           {u"userId"_qs, order.userId},
                           {u"quantity"_qs, order.quantity},
                           {u"priceCents"_qs, qint64(order.priceCents)},
                           {u"totalCents"_qs, qint64(order.priceCents * order.quantity)},
                           {u"currency"_qs, currency},
                           {u"status"_qs, toString(order.status)},
                           {u"source"_qs, toString(order.source)},
                           {u"requestId"_qs, order.requestId},
                           {u"contact"_qs, order.contact},
                           {u"decidedAt"_qs, formatIsoTime(order.decidedAtMs)},
                           {u"expiresAt"_qs, isoOrNull(order.expiresAtMs)},
                           {u"paidAt"_qs, isoOrNull(order.paidAtMs)}};
    return OutboxEntry{u"wh_"_qs + randomHex(2), type.toString(), order.eventId, nowMs,
                       QJsonDocument(data).toJson(QJsonDocument::Compact)};
}

OutboxEntry eventEntry(QStringView type, const EventSnapshot &event, std::int64_t nowMs)
{
    const QJsonObject data{{u"eventId"_qs, event.config.id},
                           {u"name"_qs, event.config.name},
                           {u"state"_qs, toString(event.state)},
                           {u"stock"_qs, qint64(event.stockTotal)},
                           {u"remaining"_qs, qint64(event.remaining)},
                           {u"priceCents"_qs, qint64(event.config.priceCents)},
                           {u"currency"_qs, event.config.currency},
                           {u"startsAt"_qs, isoOrNull(event.config.startsAtMs)},
                           {u"endsAt"_qs, isoOrNull(event.config.endsAtMs)}};
    return OutboxEntry{u"wh_"_qs + randomHex(2), type.toString(), event.config.id, nowMs,
                       QJsonDocument(data).toJson(QJsonDocument::Compact)};
}

QStringView typeOfOrderChange(const OrderChange &change)
{
    if (change.created)
        return kOrderWon;
    switch (change.order.status) {
    case OrderStatus::Paid:
        return kOrderPaid;
    case OrderStatus::Cancelled:
        return kOrderCancelled;
    case OrderStatus::Expired:
        return kOrderExpired;
    case OrderStatus::Final:
    case OrderStatus::PendingPayment:
        break;
    }
    return {};
}

QStringView typeOfEventState(EventState state)
{
    switch (state) {
    case EventState::Open:
        return kEventOpened;
    case EventState::SoldOut:
        return kEventSoldOut;
    case EventState::Ended:
        return kEventEnded;
    case EventState::Draft:
    case EventState::Scheduled:
    case EventState::Paused:
        break;
    }
    return {};
}

QString checkEndpointUrl(const QString &url)
{
    if (url.size() > kMaxUrlLength)
        return QStringLiteral("url is longer than %1 characters").arg(kMaxUrlLength);
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.isRelative())
        return QStringLiteral("url must be an absolute http:// or https:// URL");
    if (parsed.scheme() != u"http" && parsed.scheme() != u"https")
        return QStringLiteral("url must use http or https, not \"%1\"").arg(parsed.scheme());
    if (parsed.host().isEmpty())
        return QStringLiteral("url has no host");
    if (!parsed.userInfo().isEmpty())
        return QStringLiteral("url must not carry a user name or password: the signature authenticates the engine");
    if (parsed.hasFragment())
        return QStringLiteral("url must not have a #fragment");
    return QString();
}

QString checkSecret(const QString &secret)
{
    if (secret.size() < kMinSecretLength || secret.size() > kMaxSecretLength)
        return QStringLiteral("secret must be %1 to %2 characters long").arg(kMinSecretLength).arg(kMaxSecretLength);
    const bool printable = std::all_of(secret.begin(), secret.end(), [](QChar c) { return c.unicode() > 0x20 && c.unicode() < 0x7f; });
    if (!printable)
        return QStringLiteral("secret must be printable ASCII without spaces");
    return QString();
}

QString newSecret()
{
    QByteArray bytes;
    for (int i = 0; i < 4; ++i) {
        const std::uint64_t word = newTicketTag();
        bytes.append(reinterpret_cast<const char *>(&word), sizeof word);
    }
    return u"whsec_"_qs + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool readEndpoint(QSqlDatabase &db, WebhookEndpoint *endpoint, QString *secret, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT url, secret, configured_at_ms FROM webhook_endpoint WHERE id = 1")))
        return fail(query, error);
    *endpoint = WebhookEndpoint();
    if (secret)
        secret->clear();
    if (query.next()) {
        endpoint->url = query.value(0).toString();
        endpoint->configuredAtMs = query.value(2).toLongLong();
        if (secret)
            *secret = query.value(1).toString();
    }
    return true;
}

bool setEndpoint(QSqlDatabase &db, const QString &url, const QString &secret, std::int64_t nowMs, QString *error)
{
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery query(db);
    bool ok = query.exec(QStringLiteral("SELECT COUNT(*) FROM webhook_endpoint"));
    const bool hadOne = ok && query.next() && query.value(0).toInt() > 0;
    if (ok && !hadOne) {
        ok = query.prepare(QStringLiteral("UPDATE webhook_outbox SET status = 'skipped', next_attempt_at_ms = 0"
                                          " WHERE status IN ('pending', 'retrying')"))
            && query.exec();
    }
    if (ok) {
        ok = query.prepare(QStringLiteral("INSERT INTO webhook_endpoint (id, url, secret, configured_at_ms) VALUES (1, ?, ?, ?)"
                                          " ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret,"
                                          " configured_at_ms = excluded.configured_at_ms"));
        query.addBindValue(url);
        query.addBindValue(secret);
        query.addBindValue(qint64(nowMs));
        ok = ok && query.exec();
    }
    if (ok && db.commit())
        return true;
    *error = query.lastError().isValid() ? query.lastError().text() : db.lastError().text();
    db.rollback();
    return false;
}

bool clearEndpoint(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    return query.exec(QStringLiteral("DELETE FROM webhook_endpoint")) || fail(query, error);
}

bool listDeliveries(QSqlDatabase &db, const WebhookDeliveryQuery &request, std::vector<WebhookDeliveryRow> *rows,
                    QString *error)
{
    QSqlQuery query(db);
    QString sql = QStringLiteral("SELECT %1 FROM webhook_outbox").arg(QLatin1String(kDeliveryColumns));
    if (request.status)
        sql += QStringLiteral(" WHERE status = ?");
    sql += QStringLiteral(" ORDER BY seq DESC LIMIT ?");
    query.prepare(sql);
    if (request.status)
        query.addBindValue(toString(*request.status));
    query.addBindValue(qint64(std::clamp<std::int64_t>(request.limit, 1, 1000)));
    if (!query.exec())
        return fail(query, error);
    rows->clear();
    while (query.next()) {
        WebhookDeliveryRow row;
        row.id = query.value(0).toString();
        row.type = query.value(1).toString();
        row.eventId = query.value(2).toString();
        row.createdAtMs = query.value(3).toLongLong();
        row.status = statusFromString(query.value(4).toString()).value_or(WebhookStatus::Pending);
        row.attempts = query.value(5).toInt();
        row.lastHttpStatus = query.value(6).toInt();
        row.lastError = query.value(7).toString();
        row.lastAttemptAtMs = query.value(8).toLongLong();
        row.nextAttemptAtMs = query.value(9).toLongLong();
        row.deliveredAtMs = query.value(10).toLongLong();
        rows->push_back(std::move(row));
    }
    return true;
}

bool retryNow(QSqlDatabase &db, const QString &id, std::int64_t nowMs, int *count, QString *error)
{
    QSqlQuery query(db);
    if (id.isEmpty()) {
        query.prepare(QStringLiteral("UPDATE webhook_outbox SET status = 'retrying', next_attempt_at_ms = ?"
                                     " WHERE status IN ('failed', 'retrying')"));
        query.addBindValue(qint64(nowMs));
    } else {
        query.prepare(QStringLiteral("UPDATE webhook_outbox SET status = CASE WHEN attempts > 0 THEN 'retrying' ELSE 'pending' END,"
                                     " next_attempt_at_ms = ?, delivered_at_ms = 0 WHERE id = ?"));
        query.addBindValue(qint64(nowMs));
        query.addBindValue(id);
    }
    if (!query.exec())
        return fail(query, error);
    *count = query.numRowsAffected();
    return true;
}

bool dueWebhooks(QSqlDatabase &db, std::int64_t nowMs, const QStringList *eventIds, int limit,
                 std::vector<DueWebhook> *due, QString *error)
{
    due->clear();
    if (eventIds && eventIds->isEmpty())
        return true;
    QString sql = QStringLiteral("SELECT seq, id, type, event_id, created_at_ms, data, attempts FROM webhook_outbox"
                                 " WHERE status IN ('pending', 'retrying') AND next_attempt_at_ms <= ?");
    if (eventIds) {
        QStringList marks;
        marks.fill(u"?"_qs, eventIds->size());
        sql += QStringLiteral(" AND event_id IN (%1)").arg(marks.join(u','));
    }
    sql += QStringLiteral(" ORDER BY seq LIMIT ?");
    QSqlQuery query(db);
    query.prepare(sql);
    query.addBindValue(qint64(nowMs));
    if (eventIds) {
        for (const QString &eventId : *eventIds)
            query.addBindValue(eventId);
    }
    query.addBindValue(limit);
    if (!query.exec())
        return fail(query, error);
    while (query.next()) {
        due->push_back(DueWebhook{query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                                  query.value(3).toString(), query.value(4).toLongLong(), query.value(5).toByteArray(),
                                  query.value(6).toInt()});
    }
    return true;
}

std::int64_t retryDelayMs(std::int32_t attempts)
{
    constexpr std::int64_t kFirstMs = 1000;
    constexpr std::int64_t kLongestMs = 3600 * 1000;
    if (attempts <= 1)
        return kFirstMs;
    if (attempts > 13) // 2^12 s is past an hour
        return kLongestMs;
    return std::min(kLongestMs, kFirstMs << (attempts - 1));
}

bool recordAttempts(QSqlDatabase &db, const std::vector<DeliveryAttempt> &attempts, QString *error)
{
    if (attempts.empty())
        return true;
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery query(db);
    bool ok = query.prepare(QStringLiteral("UPDATE webhook_outbox SET status = ?, attempts = ?, last_http_status = ?,"
                                           " last_error = ?, last_attempt_at_ms = ?, next_attempt_at_ms = ?,"
                                           " delivered_at_ms = ? WHERE seq = ?"));
    for (std::size_t i = 0; ok && i < attempts.size(); ++i) {
        const DeliveryAttempt &a = attempts[i];
        WebhookStatus status = WebhookStatus::Delivered;
        std::int64_t nextMs = 0;
        if (!a.delivered) {
            nextMs = a.atMs + retryDelayMs(a.attempts);
            status = nextMs - a.createdAtMs > kGiveUpAfterMs ? WebhookStatus::Failed : WebhookStatus::Retrying;
            if (status == WebhookStatus::Failed)
                nextMs = 0;
        }
        query.addBindValue(toString(status));
        query.addBindValue(a.attempts);
        query.addBindValue(a.httpStatus);
        query.addBindValue(a.error.isEmpty() ? QStringLiteral("") : a.error.left(500)); // never NULL
        query.addBindValue(qint64(a.atMs));
        query.addBindValue(qint64(nextMs));
        query.addBindValue(qint64(a.delivered ? a.atMs : 0));
        query.addBindValue(qint64(a.seq));
        ok = query.exec();
    }
    if (ok && db.commit())
        return true;
    *error = query.lastError().isValid() ? query.lastError().text() : db.lastError().text();
    db.rollback();
    return false;
}

bool prune(QSqlDatabase &db, std::int64_t cutoffMs, QString *error)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("DELETE FROM webhook_outbox WHERE status IN ('delivered', 'skipped') AND created_at_ms < ?"));
    query.addBindValue(qint64(cutoffMs));
    return query.exec() || fail(query, error);
}

QByteArray envelope(const DueWebhook &webhook)
{
    const QJsonObject body{{u"id"_qs, webhook.id},
                           {u"type"_qs, webhook.type},
                           {u"createdAt"_qs, formatIsoTime(webhook.createdAtMs)},
                           {u"data"_qs, QJsonDocument::fromJson(webhook.data).object()}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace flashsale::webhooks
