// Read-side queries over orders and intents, for the admin API, the console and exports.
#pragma once

#include "engine/core/types.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>

class QSqlQuery;

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
};

struct OrderQuery {
    QString eventId;      // empty: all events
    QString userContains; // empty: all users
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

// Each runs on the caller's thread with the caller's connection; false and error on failure.
namespace records {

// Prepares sql on query, binds values in order and runs it (forward only); false and error on failure.
bool run(QSqlQuery &query, const QString &sql, const QVariantList &values, QString *error);
bool countOrders(QSqlDatabase db, const OrderQuery &query, std::int64_t *total, QString *error);
bool listOrders(QSqlDatabase db, const OrderQuery &query, const std::function<bool(const OrderRow &)> &row, QString *error);
bool countIntents(QSqlDatabase db, const IntentQuery &query, std::int64_t *total, QString *error);
bool listIntents(QSqlDatabase db, const IntentQuery &query, const std::function<bool(const IntentRow &)> &row, QString *error);
// All four lead figures in one pass over the event's intents (empty eventId: every event but the
// rehearsal copies; a copy named by eventId counts).
bool countLeads(QSqlDatabase db, const QString &eventId, bool includeSimulated, std::int64_t sinceMs, LeadCounts *counts,
                QString *error);

QVariantList csvHeader(const OrderRow *);
QVariantList csvCells(const OrderRow &row);
QVariantList csvHeader(const IntentRow *);
QVariantList csvCells(const IntentRow &row);
} // namespace records

QString formatIsoTime(std::int64_t epochMs); // "" for 0

} // namespace flashsale
