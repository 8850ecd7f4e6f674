// The shop's webhooks in the store: the one endpoint staff set, the outbox that every commit
// writes in the same transaction as the decisions and order changes that cause its rows, and
// what the delivery thread (engine/api/webhookdelivery.h) reads and records. Plain functions on
// a connection the caller owns, on the caller's thread.
#pragma once

#include "engine/core/types.h"
#include "engine/storage/recordtypes.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace flashsale::webhooks {

QString toString(WebhookStatus status);
std::optional<WebhookStatus> statusFromString(QStringView text);

// The types a shop receives.
inline constexpr auto kOrderWon = u"order.won";
inline constexpr auto kOrderPaid = u"order.paid";
inline constexpr auto kOrderCancelled = u"order.cancelled";
inline constexpr auto kOrderExpired = u"order.expired";
inline constexpr auto kEventOpened = u"event.opened";
inline constexpr auto kEventSoldOut = u"event.sold_out";
inline constexpr auto kEventEnded = u"event.ended";

// One webhook to write to the outbox.
struct OutboxEntry {
    QString id; // "wh_" + 32 hex digits from the CSPRNG: stable once written, unique across databases
    QString type;
    QString eventId;
    std::int64_t createdAtMs = 0;
    QByteArray data; // the payload's "data" object, compact JSON
};

// The webhook for an order that was won (a sale or an offer) or changed status, and for an event
// that opened, sold out or ended. currency: the event's.
OutboxEntry orderEntry(QStringView type, const OrderView &order, const QString &currency, std::int64_t nowMs);
OutboxEntry eventEntry(QStringView type, const EventSnapshot &event, std::int64_t nowMs);
// The webhook type of an order change (an offer made is order.won), or "" when none is sent.
QStringView typeOfOrderChange(const OrderChange &change);
// The webhook type of an event entering state (opened, sold out, ended), or "" when none is sent.
QStringView typeOfEventState(EventState state);

// The endpoint. Only http and https URLs with a host, up to kMaxUrlLength.
inline constexpr int kMaxUrlLength = 2048;
inline constexpr int kMinSecretLength = 16;
inline constexpr int kMaxSecretLength = 256;
// Empty, or why url cannot be an endpoint.
QString checkEndpointUrl(const QString &url);
// Empty, or why secret cannot sign (printable ASCII, kMin..kMaxSecretLength characters).
QString checkSecret(const QString &secret);
// A new secret: "whsec_" and 43 characters of base64url (32 bytes from the CSPRNG).
QString newSecret();
// endpoint.url is empty when none is set; secret (if given) receives the signing secret.
bool readEndpoint(QSqlDatabase &db, WebhookEndpoint *endpoint, QString *secret, QString *error);
// Sets the endpoint. When none was set before, the webhooks not yet sent are marked skipped: a
// shop that connects its backend gets what happens from then on, not a backlog.
bool setEndpoint(QSqlDatabase &db, const QString &url, const QString &secret, std::int64_t nowMs, QString *error);
// Removes the endpoint: nothing is sent until one is set again.
bool clearEndpoint(QSqlDatabase &db, QString *error);

// Staff's view: the newest webhooks first.
bool listDeliveries(QSqlDatabase &db, const WebhookDeliveryQuery &query, std::vector<WebhookDeliveryRow> *rows,
                    QString *error);
// Makes a webhook due now (id), or every failed and retrying one (id empty); count receives how
// many. A delivered or skipped webhook is sent again only when named by id.
bool retryNow(QSqlDatabase &db, const QString &id, std::int64_t nowMs, int *count, QString *error);

// The delivery thread's side.
struct DueWebhook {
    std::int64_t seq = 0; // the outbox row
    QString id;
    QString type;
    QString eventId;
    std::int64_t createdAtMs = 0;
    QByteArray data;
    std::int32_t attempts = 0;
};
struct DeliveryAttempt {
    std::int64_t seq = 0;
    std::int64_t atMs = 0;
    int httpStatus = 0; // 0: no HTTP answer
    QString error;      // empty when delivered
    bool delivered = false;
    std::int32_t attempts = 0;    // including this one
    std::int64_t createdAtMs = 0; // the webhook's, for the give-up rule
};
// Due pending and retrying webhooks, oldest first. eventIds: only these events' (a scale-out
// node delivers the webhooks of the events it decides); null: every event's.
bool dueWebhooks(QSqlDatabase &db, std::int64_t nowMs, const QStringList *eventIds, int limit,
                 std::vector<DueWebhook> *due, QString *error);
// Records attempts in one transaction: delivered, or retried after retryDelayMs, or failed once
// kGiveUpAfterMs have passed since the webhook was made.
bool recordAttempts(QSqlDatabase &db, const std::vector<DeliveryAttempt> &attempts, QString *error);
// Backoff after the attempts-th failed attempt: 1 s, 2 s, 4 s … doubling up to an hour.
std::int64_t retryDelayMs(std::int32_t attempts);
inline constexpr std::int64_t kGiveUpAfterMs = 3ll * 24 * 3600 * 1000;
// Deletes delivered and skipped webhooks made before cutoffMs.
bool prune(QSqlDatabase &db, std::int64_t cutoffMs, QString *error);
inline constexpr std::int64_t kKeepDeliveredMs = 30ll * 24 * 3600 * 1000;

// The JSON a receiver gets: {"id","type","createdAt","data"}.
QByteArray envelope(const DueWebhook &webhook);

} // namespace flashsale::webhooks
