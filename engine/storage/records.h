// Read-side queries over orders and intents, for the admin API, the console and exports.
#pragma once

#include "engine/core/types.h"
#include "engine/storage/recordtypes.h"

#include <QJsonValue>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>

class QSqlQuery;

namespace flashsale {

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

// How many journaled losses the intent list does not hold yet (0: the intent projector,
// engine/storage/projector.h, is caught up).
bool intentsNotYetListed(QSqlDatabase db, std::int64_t *count, QString *error);
// Waits up to waitMs for the projector to catch up; count is what is still missing then.
bool waitForIntents(QSqlDatabase db, int waitMs, std::int64_t *count, QString *error);

// The row the store holds for an order the decider knows.
OrderRow orderRowOf(const OrderView &order);

QVariantList csvHeader(const OrderRow *);
QVariantList csvCells(const OrderRow &row);
QVariantList csvHeader(const IntentRow *);
QVariantList csvCells(const IntentRow &row);
} // namespace records

QString formatIsoTime(std::int64_t epochMs); // "" for 0
QJsonValue isoOrNull(std::int64_t epochMs);  // JSON null for 0

} // namespace flashsale
