// The post-sale report of one event, computed from the stored journal (requests, orders, intents,
// events), so it is the same days later and after restarts; plain values, JSON for the admin API.
#pragma once

#include "engine/storage/salereporttypes.h"
#include "engine/storage/store.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <cstdint>

namespace flashsale {

namespace salereport {

// The timeline has at most this many steps; longer sales get steps of whole seconds.
constexpr int kMaxSteps = 3600;

enum class Failure : std::uint8_t { None = 0, NoSuchEvent = 1, Store };

// Computes the report on the caller's thread with the caller's connection. Every figure is
// aggregated in SQL (per step, per latency millisecond), so memory is bounded by the number of
// steps and distinct latencies, not by the number of requests.
Failure compute(QSqlDatabase db, const QString &eventId, SaleReport *report, QString *error);

// The same on a read-only connection of its own to location (flashsale --report --data-dir).
Failure computeAt(const StoreLocation &location, const QString &eventId, SaleReport *report, QString *error);

// GET /api/v1/admin/events/{id}/report's body, and back. Times are epoch ms and ISO 8601 UTC.
QJsonObject toJson(const SaleReport &report);
SaleReport fromJson(const QJsonObject &object);

} // namespace salereport
} // namespace flashsale
