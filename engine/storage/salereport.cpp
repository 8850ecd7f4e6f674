#include "engine/storage/salereport.h"

#include "engine/storage/records.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <vector>

namespace flashsale::salereport {

namespace {

using records::run;

// Runs sql with values bound in order; false and error on failure.
// The nearest-rank quantile of a latency histogram given as (ms, count) rows in ascending ms.
std::int64_t nearestRank(const QList<std::pair<std::int64_t, std::int64_t>> &histogram, std::int64_t total, double q)
{
    const auto rank = std::max<std::int64_t>(1, std::int64_t(std::ceil(q * double(total))));
    std::int64_t seen = 0;
    for (const auto &[ms, count] : histogram) {
        seen += count;
        if (seen >= rank)
            return ms;
    }
    return -1;
}

bool fillTotals(QSqlDatabase &db, const QString &eventId, SaleReport *r, QString *error)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!run(q, QStringLiteral("SELECT COUNT(*), SUM(simulated), SUM(CASE WHEN state = 'won' THEN 1 ELSE 0 END),"
                               " SUM(CASE WHEN state = 'lost' THEN 1 ELSE 0 END),"
                               " SUM(CASE WHEN decided_at_ms IS NULL THEN 1 ELSE 0 END),"
                               " MIN(accepted_at_ms), MAX(COALESCE(decided_at_ms, accepted_at_ms))"
                               " FROM requests WHERE event_id = ?"),
             {eventId}, error)
        || !q.next())
        return false;
    r->requests = q.value(0).toLongLong();
    r->simulatedRequests = q.value(1).toLongLong();
    r->wonRequests = q.value(2).toLongLong();
    r->lostRequests = q.value(3).toLongLong();
    r->undecidedRequests = q.value(4).toLongLong();
    r->firstRequestAtMs = q.value(5).toLongLong();
    r->lastDecisionAtMs = q.value(6).toLongLong();

    if (!run(q, QStringLiteral("SELECT COALESCE(SUM(quantity), 0), COALESCE(SUM(total_cents), 0) FROM orders WHERE event_id = ?"
                                " AND status IN ('final', 'pending_payment', 'paid')"),
             {eventId}, error)
        || !q.next())
        return false;
    r->unitsSold = q.value(0).toLongLong();
    r->revenueCents = q.value(1).toLongLong();

    // The decision that took the last unit: the first at which the running total reaches the stock.
    if (r->stockTotal > 0 && r->unitsSold >= r->stockTotal) {
        if (!run(q, QStringLiteral("SELECT MIN(decided_at_ms) FROM (SELECT decided_at_ms, SUM(quantity) OVER"
                                   " (ORDER BY decided_at_ms, order_id ROWS UNBOUNDED PRECEDING) AS sold"
                                   " FROM orders WHERE event_id = ?) AS running WHERE sold >= ?"),
                 {eventId, qint64(r->stockTotal)}, error)
            || !q.next())
            return false;
        r->soldOutAtMs = q.value(0).toLongLong();
    }

    if (!run(q, QStringLiteral("SELECT accepted_at_ms / 1000, COUNT(*) AS n FROM requests WHERE event_id = ?"
                               " GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1"),
             {eventId}, error))
        return false;
    if (q.next()) {
        r->peakAtMs = q.value(0).toLongLong() * 1000;
        r->peakRequestsPerSecond = q.value(1).toLongLong();
    }

    if (!run(q, QStringLiteral("SELECT COUNT(*), SUM(CASE WHEN contact <> '' THEN 1 ELSE 0 END) FROM intents"
                               " WHERE event_id = ? AND attempts > 0"),
             {eventId}, error)
        || !q.next())
        return false;
    r->leads = q.value(0).toLongLong();
    r->leadsWithContact = q.value(1).toLongLong();

    // One row per distinct latency in ms: bounded by the longest wait, not by the request count.
    if (!run(q, QStringLiteral("SELECT decided_at_ms - accepted_at_ms, COUNT(*) FROM requests"
                               " WHERE event_id = ? AND decided_at_ms IS NOT NULL GROUP BY 1 ORDER BY 1"),
             {eventId}, error))
        return false;
    QList<std::pair<std::int64_t, std::int64_t>> histogram;
    std::int64_t decided = 0;
    while (q.next()) {
        histogram.append({q.value(0).toLongLong(), q.value(1).toLongLong()});
        decided += histogram.back().second;
    }
    if (decided > 0) {
        r->decisionP50Ms = nearestRank(histogram, decided, 0.50);
        r->decisionP99Ms = nearestRank(histogram, decided, 0.99);
    }
    return true;
}

bool fillTimeline(QSqlDatabase &db, const QString &eventId, SaleReport *r, QString *error)
{
    if (r->requests == 0)
        return true;
    const std::int64_t originMs = r->firstRequestAtMs / 1000 * 1000;
    const std::int64_t spanSeconds = r->lastDecisionAtMs / 1000 - originMs / 1000 + 1;
    r->stepMs = 1000 * ((spanSeconds + kMaxSteps - 1) / kMaxSteps);
    const std::int64_t steps = (r->lastDecisionAtMs - originMs) / r->stepMs + 1;
    r->timeline.resize(steps);
    for (std::int64_t i = 0; i < steps; ++i)
        r->timeline[i].startMs = originMs + i * r->stepMs;

    // Both bounds are integers computed here, so they go into the SQL text (GROUP BY 1 then
    // groups by the same expression on SQLite and PostgreSQL alike).
    const auto step = [&](const char *column) {
        return QStringLiteral("(%1 - %2) / %3").arg(QLatin1String(column)).arg(originMs).arg(r->stepMs);
    };
    std::vector<std::int64_t> acceptedIn(steps, 0), decidedIn(steps, 0), unitsIn(steps, 0);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!run(q, u"SELECT "_qs + step("accepted_at_ms") + u", COUNT(*) FROM requests WHERE event_id = ? GROUP BY 1"_qs,
             {eventId}, error))
        return false;
    while (q.next()) {
        const std::int64_t i = q.value(0).toLongLong();
        if (i >= 0 && i < steps)
            r->timeline[i].requests = acceptedIn[i] = q.value(1).toLongLong();
    }
    if (!run(q, u"SELECT "_qs + step("decided_at_ms")
                 + u", COUNT(*), SUM(CASE WHEN state = 'won' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'won' THEN quantity ELSE 0 END)"
                   " FROM requests WHERE event_id = ? AND decided_at_ms IS NOT NULL GROUP BY 1"_qs,
             {eventId}, error))
        return false;
    while (q.next()) {
        const std::int64_t i = q.value(0).toLongLong();
        if (i < 0 || i >= steps)
            continue;
        r->timeline[i].decided = decidedIn[i] = q.value(1).toLongLong();
        r->timeline[i].wins = q.value(2).toLongLong();
        unitsIn[i] = q.value(3).toLongLong();
    }
    // Running totals: what waited, and what was left, at the end of each step.
    std::int64_t accepted = 0, decided = 0, units = 0;
    for (std::int64_t i = 0; i < steps; ++i) {
        accepted += acceptedIn[i];
        decided += decidedIn[i];
        units += unitsIn[i];
        r->timeline[i].queueDepth = accepted - decided;
        r->timeline[i].remaining = std::max<std::int64_t>(0, r->stockTotal - units);
    }
    return true;
}

} // namespace

namespace {
constexpr int kIntentsWaitMs = 10000;
} // namespace

Failure compute(QSqlDatabase db, const QString &eventId, SaleReport *report, QString *error)
{
    SaleReport r;
    // The leads are the intent projector's list (engine/storage/projector.h): let it catch up
    // with the journal first (the report is read off the commit path and may wait).
    std::int64_t notYetListed = 0;
    if (!records::waitForIntents(db, kIntentsWaitMs, &notYetListed, error))
        return Failure::Store;
    // One read transaction: every figure comes from the same committed state.
    const bool transaction = db.transaction();
    const auto finish = [&](Failure failure) {
        if (transaction)
            db.rollback();
        return failure;
    };
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!run(q, QStringLiteral("SELECT name, currency, price_cents, initial_stock, stock_total, state FROM events WHERE id = ?"),
             {eventId}, error))
        return finish(Failure::Store);
    if (!q.next()) {
        *error = QStringLiteral("no event \"%1\"").arg(eventId);
        return finish(Failure::NoSuchEvent);
    }
    r.eventId = eventId;
    r.name = q.value(0).toString();
    r.currency = q.value(1).toString();
    r.priceCents = q.value(2).toLongLong();
    r.initialStock = q.value(3).toLongLong();
    r.stockTotal = q.value(4).toLongLong();
    r.state = q.value(5).toString();
    q.finish();
    if (!fillTotals(db, eventId, &r, error) || !fillTimeline(db, eventId, &r, error))
        return finish(Failure::Store);
    *report = std::move(r);
    return finish(Failure::None);
}

Failure computeAt(const StoreLocation &location, const QString &eventId, SaleReport *report, QString *error)
{
    if (location.isSqlite() && !QFileInfo(location.databaseName).isFile()) {
        *error = QStringLiteral("no database at %1 (is --data-dir right?)").arg(location.databaseName);
        return Failure::Store;
    }
    const QString name = QStringLiteral("flashsale-report-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
    Failure failure = Failure::Store;
    {
        QSqlDatabase db;
        if (location.isSqlite()) {
            db = QSqlDatabase::addDatabase(location.driver, name);
            db.setDatabaseName(location.databaseName);
            db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000"_qs);
            if (!db.open())
                *error = db.lastError().text();
        } else {
            db = openConnection(location, name, error);
        }
        if (db.isOpen())
            failure = compute(db, eventId, report, error);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return failure;
}

QJsonObject toJson(const SaleReport &r)
{
    QJsonArray timeline;
    for (const SaleReportStep &s : r.timeline) {
        timeline.append(QJsonObject{{u"startMs"_qs, qint64(s.startMs)}, {u"requests"_qs, qint64(s.requests)},
                                    {u"wins"_qs, qint64(s.wins)}, {u"decided"_qs, qint64(s.decided)},
                                    {u"remaining"_qs, qint64(s.remaining)}, {u"queueDepth"_qs, qint64(s.queueDepth)}});
    }
    return QJsonObject{
        {u"eventId"_qs, r.eventId},
        {u"name"_qs, r.name},
        {u"currency"_qs, r.currency},
        {u"state"_qs, r.state},
        {u"priceCents"_qs, qint64(r.priceCents)},
        {u"initialStock"_qs, qint64(r.initialStock)},
        {u"stockTotal"_qs, qint64(r.stockTotal)},
        {u"firstRequestAtMs"_qs, qint64(r.firstRequestAtMs)},
        {u"firstRequestAt"_qs, formatIsoTime(r.firstRequestAtMs)},
        {u"lastDecisionAtMs"_qs, qint64(r.lastDecisionAtMs)},
        {u"lastDecisionAt"_qs, formatIsoTime(r.lastDecisionAtMs)},
        {u"requests"_qs, qint64(r.requests)},
        {u"simulatedRequests"_qs, qint64(r.simulatedRequests)},
        {u"wonRequests"_qs, qint64(r.wonRequests)},
        {u"lostRequests"_qs, qint64(r.lostRequests)},
        {u"undecidedRequests"_qs, qint64(r.undecidedRequests)},
        {u"unitsSold"_qs, qint64(r.unitsSold)},
        {u"revenueCents"_qs, qint64(r.revenueCents)},
        {u"soldOutAtMs"_qs, qint64(r.soldOutAtMs)},
        {u"soldOutAt"_qs, formatIsoTime(r.soldOutAtMs)},
        {u"timeToSellOutMs"_qs, qint64(r.timeToSellOutMs())},
        {u"conversion"_qs, r.conversion()},
        {u"peakRequestsPerSecond"_qs, qint64(r.peakRequestsPerSecond)},
        {u"peakAtMs"_qs, qint64(r.peakAtMs)},
        {u"leads"_qs, qint64(r.leads)},
        {u"leadsWithContact"_qs, qint64(r.leadsWithContact)},
        {u"decisionP50Ms"_qs, qint64(r.decisionP50Ms)},
        {u"decisionP99Ms"_qs, qint64(r.decisionP99Ms)},
        {u"stepMs"_qs, qint64(r.stepMs)},
        {u"timeline"_qs, timeline},
    };
}

SaleReport fromJson(const QJsonObject &o)
{
    const auto integer = [&o](const QString &key) { return std::int64_t(o.value(key).toInteger()); };
    SaleReport r;
    r.eventId = o.value(u"eventId"_qs).toString();
    r.name = o.value(u"name"_qs).toString();
    r.currency = o.value(u"currency"_qs).toString();
    r.state = o.value(u"state"_qs).toString();
    r.priceCents = integer(u"priceCents"_qs);
    r.initialStock = integer(u"initialStock"_qs);
    r.stockTotal = integer(u"stockTotal"_qs);
    r.firstRequestAtMs = integer(u"firstRequestAtMs"_qs);
    r.lastDecisionAtMs = integer(u"lastDecisionAtMs"_qs);
    r.requests = integer(u"requests"_qs);
    r.simulatedRequests = integer(u"simulatedRequests"_qs);
    r.wonRequests = integer(u"wonRequests"_qs);
    r.lostRequests = integer(u"lostRequests"_qs);
    r.undecidedRequests = integer(u"undecidedRequests"_qs);
    r.unitsSold = integer(u"unitsSold"_qs);
    r.revenueCents = integer(u"revenueCents"_qs);
    r.soldOutAtMs = integer(u"soldOutAtMs"_qs);
    r.peakRequestsPerSecond = integer(u"peakRequestsPerSecond"_qs);
    r.peakAtMs = integer(u"peakAtMs"_qs);
    r.leads = integer(u"leads"_qs);
    r.leadsWithContact = integer(u"leadsWithContact"_qs);
    r.decisionP50Ms = integer(u"decisionP50Ms"_qs);
    r.decisionP99Ms = integer(u"decisionP99Ms"_qs);
    r.stepMs = integer(u"stepMs"_qs);
    const QJsonArray timeline = o.value(u"timeline"_qs).toArray();
    r.timeline.reserve(std::min<qsizetype>(timeline.size(), kMaxSteps));
    for (const QJsonValue &value : timeline) {
        if (r.timeline.size() >= kMaxSteps)
            break;
        const QJsonObject s = value.toObject();
        r.timeline.append({s.value(u"startMs"_qs).toInteger(), s.value(u"requests"_qs).toInteger(),
                           s.value(u"wins"_qs).toInteger(), s.value(u"decided"_qs).toInteger(),
                           s.value(u"remaining"_qs).toInteger(), s.value(u"queueDepth"_qs).toInteger()});
    }
    return r;
}

} // namespace flashsale::salereport
