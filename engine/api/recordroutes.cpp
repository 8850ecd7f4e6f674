// Staff routes over the stored records: orders and intents (paged JSON, CSV, .xlsx) and the
// post-sale report. Slow reads run on the store job pool and answer through a ReplyHandle.
#include "engine/api/httproutes.h"

#include "engine/api/queryparams.h"
#include "engine/api/apijson.h"
#include "engine/storage/csv.h"
#include "engine/storage/projector.h"
#include "engine/storage/records.h"
#include "engine/storage/salereport.h"
#include "engine/storage/xlsxexport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryFile>
#include <QThread>

namespace flashsale {

using namespace queryparams;

namespace {
// How long intent reads wait for the projector to list what is journaled (engine/storage/projector.h):
// normally it is caught up within a commit or two. Lists answer soon and say what is missing;
// exports wait longer, then say it in a header.
constexpr int kListWaitMs = 250;
constexpr int kExportWaitMs = 2000;
constexpr int kSpreadsheetWaitMs = 10000; // on the store job pool
constexpr char kNotYetListedHeader[] = "Flashsale-Not-Yet-Listed";
} // namespace

void HttpRoutes::adminRecords(const RouteRequest &request, QStringView eventId, QStringView what, RouteReply &reply,
                              Responder &responder)
{
    // An empty eventId: every event's rows (GET /api/v1/admin/orders, /intents; no exports).
    std::optional<EventSnapshot> event;
    if (!eventId.isEmpty()) {
        event = m_engine.event(eventId);
        if (!event)
            return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    }
    const bool csvExport = what.endsWith(u".csv");
    const bool xlsxExport = what.endsWith(u".xlsx");
    const bool orders = what.startsWith(u"orders");
    const QUrlQuery query = request.query;
    QString problem;
    std::int64_t offset = 0;
    std::int64_t limit = 0;
    if (!queryInteger(query, u"offset"_qs, 0, std::numeric_limits<qint32>::max(), &offset, &problem)
        || !queryInteger(query, u"limit"_qs, 100, 1000, &limit, &problem))
        return reply.error(400, "invalid_field", problem);
    if (csvExport || xlsxExport) {
        offset = 0;
        limit = 0;
    }
    OrderQuery orderQuery;
    IntentQuery intentQuery;
    if (orders) {
        orderQuery.eventId = eventId.toString();
        orderQuery.userContains = query.queryItemValue(u"user"_qs, QUrl::FullyDecoded);
        orderQuery.includeSimulated = queryBool(query, u"includeSimulated"_qs, true);
        orderQuery.includeRehearsals = queryBool(query, u"includeRehearsals"_qs, false);
        if (query.hasQueryItem(u"status"_qs)) {
            orderQuery.status = orderStatusFromString(query.queryItemValue(u"status"_qs));
            if (!orderQuery.status)
                return reply.error(400, "invalid_field",
                                   u"status must be final, pending_payment, paid, cancelled or expired"_qs);
        }
        orderQuery.offset = offset;
        orderQuery.limit = limit;
    } else {
        IntentQuery &q = intentQuery;
        q.eventId = eventId.toString();
        if (query.hasQueryItem(u"reason"_qs)) {
            q.reason = lossReasonFromString(query.queryItemValue(u"reason"_qs));
            if (!q.reason)
                return reply.error(400, "invalid_field", u"reason must be sold_out, limit_reached or not_open"_qs);
        }
        if (!queryTime(query, u"from"_qs, &q.fromMs, &problem) || !queryTime(query, u"to"_qs, &q.toMs, &problem))
            return reply.error(400, "invalid_field", problem);
        q.withContactOnly = queryBool(query, u"hasContact"_qs, false);
        q.offeredOnly = queryBool(query, u"offered"_qs, false);
        q.includeSimulated = queryBool(query, u"includeSimulated"_qs, true);
        q.includeRehearsals = queryBool(query, u"includeRehearsals"_qs, false);
        const QString sort = query.queryItemValue(u"sort"_qs);
        if (sort.isEmpty() || sort == u"lastAt")
            q.sort = IntentSort::LastAt;
        else if (sort == u"firstAt")
            q.sort = IntentSort::FirstAt;
        else if (sort == u"attempts")
            q.sort = IntentSort::Attempts;
        else if (sort == u"quantity")
            q.sort = IntentSort::Quantity;
        else if (sort == u"userId")
            q.sort = IntentSort::UserId;
        else
            return reply.error(400, "invalid_field", u"sort must be lastAt, firstAt, attempts, quantity or userId"_qs);
        q.descending = query.queryItemValue(u"order"_qs) != u"asc";
        q.offset = offset;
        q.limit = limit;
    }
    if (xlsxExport && event) {
        const QByteArray fileName = eventId.toLatin1() + '-' + what.toLatin1();
        reply.deferred = true;
        if (orders)
            return spreadsheet(responder, orderQuery, event->config.currency, fileName);
        return spreadsheet(responder, intentQuery, event->config.currency, fileName);
    }

    QString error;
    QSqlDatabase db = readerConnection(m_engine.storeLocation(), &error);
    if (!db.isOpen())
        return reply.error(503, "unavailable", QStringLiteral("cannot read the store: %1").arg(error));

    QByteArray csvOut;
    QJsonArray items;
    std::int64_t total = 0;
    std::int64_t notYetListed = 0;
    bool ok = orders || records::waitForIntents(db, csvExport ? kExportWaitMs : kListWaitMs, &notYetListed, &error);
    if (csvExport)
        csvOut = csv::byteOrderMark();
    if (orders) {
        const OrderQuery &q = orderQuery;
        if (csvExport)
            csv::appendRow(csvOut, records::csvHeader(static_cast<const OrderRow *>(nullptr)));
        ok = ok && (csvExport || records::countOrders(db, q, &total, &error))
            && records::listOrders(db, q, [&](const OrderRow &r) {
                   if (csvExport) {
                       csv::appendRow(csvOut, records::csvCells(r));
                   } else {
                       items.append(orderJson(r));
                   }
                   return true;
               }, &error);
    } else {
        const IntentQuery &q = intentQuery;
        if (csvExport)
            csv::appendRow(csvOut, records::csvHeader(static_cast<const IntentRow *>(nullptr)));
        ok = ok && (csvExport || records::countIntents(db, q, &total, &error))
            && records::listIntents(db, q, [&](const IntentRow &r) {
                   if (csvExport) {
                       csv::appendRow(csvOut, records::csvCells(r));
                   } else {
                       items.append(intentJson(r));
                   }
                   return true;
               }, &error);
    }
    if (!ok)
        return reply.error(503, "unavailable", QStringLiteral("cannot read the store: %1").arg(error));
    if (csvExport) {
        reply.status = 200;
        reply.contentType = "text/csv; charset=utf-8";
        reply.addHeader("Content-Disposition", "attachment; filename=\"" + eventId.toLatin1() + '-' + what.toLatin1() + '"');
        if (!orders)
            reply.addHeader(kNotYetListedHeader, QByteArray::number(notYetListed));
        reply.body = std::move(csvOut);
        return;
    }
    QJsonObject page{{u"items"_qs, items}, {u"total"_qs, qint64(total)}, {u"offset"_qs, qint64(offset)},
                     {u"limit"_qs, qint64(limit)}};
    if (!orders)
        page.insert(u"notYetListed"_qs, qint64(notYetListed)); // losses journaled, not in the list yet
    reply.json(200, page);
}

template<typename Query>
void HttpRoutes::spreadsheet(Responder &responder, const Query &query, const QString &currency, const QByteArray &fileName)
{
    const StoreLocation location = m_engine.storeLocation();
    m_storeJobs.start([this, location, query, currency, fileName, handle = responder.defer()] {
        // A pool thread: a connection of its own; the rows go through libxlsxwriter's temporary
        // files to a temporary .xlsx, so memory stays bounded whatever the row count.
        const QString name = QStringLiteral("flashsale-xlsx-job-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
        QTemporaryFile file(QDir::temp().filePath(u"flashsale-export-XXXXXX.xlsx"_qs)); // removed when the job ends
        std::int64_t notYetListed = 0;
        auto written = std::make_shared<QFile>();
        QString error;
        if (!file.open()) {
            error = file.errorString();
        } else {
            file.close();
            written->setFileName(file.fileName());
            QSqlDatabase db = openConnection(location, name, &error);
            if (db.isOpen()) {
                const SheetWords words = englishSheetWords();
                using Row = std::conditional_t<std::is_same_v<Query, IntentQuery>, IntentRow, OrderRow>;
                XlsxExport sheet(records::xlsxColumns(static_cast<const Row *>(nullptr), words), QTimeZone::utc());
                QString rowError;
                bool ok = sheet.open(file.fileName(), std::is_same_v<Row, OrderRow> ? words.orderSheet : words.intentSheet, &error);
                if constexpr (std::is_same_v<Row, IntentRow>)
                    ok = ok && records::waitForIntents(db, kSpreadsheetWaitMs, &notYetListed, &error);
                const auto add = [&](const Row &row) {
                    if constexpr (std::is_same_v<Row, OrderRow>)
                        ok = sheet.addRow(records::xlsxCells(row, currency, words), &rowError);
                    else
                        ok = sheet.addRow(records::xlsxCells(row, words), &rowError);
                    return ok;
                };
                if (ok) {
                    if constexpr (std::is_same_v<Row, OrderRow>)
                        ok = records::listOrders(db, query, add, &error) && ok;
                    else
                        ok = records::listIntents(db, query, add, &error) && ok;
                }
                if (!rowError.isEmpty())
                    error = rowError;
                if (ok)
                    ok = sheet.finish(&error);
                // The workbook was renamed onto the reserved name: open what is there now.
                if (ok && !written->open(QIODevice::ReadOnly))
                    error = written->errorString();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        RouteReply answer = fileReply(written, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fileName,
                                    error.isEmpty() ? QString() : QStringLiteral("cannot export the records: %1").arg(error));
        if (std::is_same_v<Query, IntentQuery> && error.isEmpty())
            answer.addHeader(kNotYetListedHeader, QByteArray::number(notYetListed));
        m_context.postToFront([handle, answer = std::move(answer)]() mutable { handle->send(std::move(answer)); });
    });
}

void HttpRoutes::leadCounts(const RouteRequest &request, RouteReply &reply)
{
    const QUrlQuery &query = request.query;
    const QString eventId = query.queryItemValue(u"eventId"_qs, QUrl::FullyDecoded);
    if (!eventId.isEmpty() && !m_engine.event(eventId))
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    QString problem;
    std::int64_t sinceMs = 0;
    if (!queryTime(query, u"since"_qs, &sinceMs, &problem))
        return reply.error(400, "invalid_field", problem);
    QString error;
    QSqlDatabase db = readerConnection(m_engine.storeLocation(), &error);
    LeadCounts counts;
    std::int64_t notYetListed = 0;
    if (!db.isOpen() || !records::waitForIntents(db, kListWaitMs, &notYetListed, &error)
        || !records::countLeads(db, eventId, queryBool(query, u"includeSimulated"_qs, true), sinceMs, &counts, &error))
        return reply.error(503, "unavailable", QStringLiteral("cannot read the store: %1").arg(error));
    reply.json(200, QJsonObject{{u"leads"_qs, qint64(counts.leads)}, {u"withContact"_qs, qint64(counts.withContact)},
                                {u"leadsSince"_qs, qint64(counts.leadsSince)},
                                {u"withContactSince"_qs, qint64(counts.withContactSince)},
                                {u"notYetListed"_qs, qint64(notYetListed)}});
}

void HttpRoutes::report(QStringView eventId, RouteReply &reply, Responder &responder)
{
    if (!m_engine.event(eventId))
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    reply.deferred = true;
    m_storeJobs.start([this, location = m_engine.storeLocation(), id = eventId.toString(), handle = responder.defer()] {
        // A pool thread: a connection of its own and one read transaction; the writer goes on.
        const QString name = QStringLiteral("flashsale-report-job-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
        QString error;
        SaleReport report;
        salereport::Failure failure = salereport::Failure::Store;
        {
            QSqlDatabase db = openConnection(location, name, &error);
            if (db.isOpen())
                failure = salereport::compute(db, id, &report, &error);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        RouteReply answer;
        if (failure == salereport::Failure::None)
            answer.json(200, salereport::toJson(report));
        else if (failure == salereport::Failure::NoSuchEvent)
            answer.error(404, "not_found", error);
        else
            answer.error(503, "unavailable", QStringLiteral("cannot read the store: %1").arg(error));
        m_context.postToFront([handle, answer = std::move(answer)]() mutable { handle->send(std::move(answer)); });
    });
}

} // namespace flashsale
