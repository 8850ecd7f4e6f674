// Operations routes: /healthz, /metrics, the SQLite backup stream and admin WebSocket tickets.
#include "engine/api/httproutes.h"

#include "engine/api/adminauth.h"
#include "engine/api/apijson.h"
#include "engine/storage/backup.h"

#include <QFileInfo>
#include <QDir>
#include <QTemporaryFile>
#include <QThread>

#include <unistd.h>

namespace flashsale {

RouteReply HttpRoutes::fileReply(const std::shared_ptr<QFile> &file, const QByteArray &contentType, const QByteArray &fileName,
                               const QString &error)
{
    RouteReply reply;
    reply.closeAfter = true;
    if (!error.isEmpty()) {
        reply.error(503, "unavailable", error);
        return reply;
    }
    // The open file is all that is needed from here on: no copy is left behind on disk.
    ::unlink(QFile::encodeName(file->fileName()).constData());
    reply.contentType = contentType;
    reply.addHeader("Content-Disposition", "attachment; filename=\"" + fileName + '"');
    reply.file = file;
    return reply;
}

void HttpRoutes::healthz(RouteReply &reply)
{
    if (m_engine.isAccepting())
        return reply.json(200, QJsonObject{{u"status"_qs, u"ok"_qs}});
    reply.json(503, QJsonObject{{u"status"_qs, u"unavailable"_qs}, {u"reason"_qs, m_engine.unavailableReason()}});
}

void HttpRoutes::issueWsTicket(RouteReply &reply)
{
    reply.json(201, QJsonObject{{u"ticket"_qs, QString::fromLatin1(m_context.wsTickets.issue())},
                                {u"expiresInMs"_qs, WsTicketBook::kLifetimeMs}});
}

void HttpRoutes::backup(RouteReply &reply, Responder &responder)
{
    const StoreLocation location = m_engine.storeLocation();
    if (!location.isSqlite()) {
        return reply.error(501, "not_supported",
                           u"this node keeps its data in PostgreSQL: back it up with pg_dump (README: Backups and upgrades)"_qs);
    }
    reply.deferred = true;
    m_storeJobs.start([this, location, handle = responder.defer()] {
        // A pool thread: a connection of its own and one read transaction; the writer goes on.
        const QString name = QStringLiteral("flashsale-backup-job-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
        auto snapshot = std::make_shared<QTemporaryFile>(
            QFileInfo(location.databaseName).absoluteDir().filePath(u".backup-XXXXXX.sqlite"_qs));
        QString error;
        if (!snapshot->open()) {
            error = snapshot->errorString();
        } else {
            QSqlDatabase db = openConnection(location, name, &error);
            if (db.isOpen())
                backup::snapshotInto(db, snapshot->fileName(), &error);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        RouteReply answer = fileReply(snapshot, "application/vnd.sqlite3", "flashsale-backup.sqlite",
                                    error.isEmpty() ? QString() : QStringLiteral("cannot copy the store: %1").arg(error));
        m_context.postToFront([handle, answer = std::move(answer)]() mutable { handle->send(std::move(answer)); });
    });
}

void HttpRoutes::metrics(RouteReply &reply)
{
    const EngineStats s = m_engine.stats();
    QByteArray out;
    const auto metric = [&out](const char *name, const char *type, const char *help) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
    };
    metric("flashsale_requests_accepted_total", "counter", "Purchase requests accepted into the queue.");
    out.append("flashsale_requests_accepted_total ").append(QByteArray::number(qint64(s.requests.accepted))).append('\n');
    metric("flashsale_requests_decided_total", "counter", "Purchase requests decided, by outcome.");
    out.append("flashsale_requests_decided_total{outcome=\"won\"} ").append(QByteArray::number(qint64(s.requests.won))).append('\n');
    out.append("flashsale_requests_decided_total{outcome=\"lost\"} ").append(QByteArray::number(qint64(s.requests.lost))).append('\n');
    metric("flashsale_won_units_total", "counter", "Units sold.");
    out.append("flashsale_won_units_total ").append(QByteArray::number(qint64(s.requests.wonUnits))).append('\n');
    metric("flashsale_requests_rejected_total", "counter",
           "Purchase requests refused before the queue: 429 overloaded (queue full), 429 rate_limited, 401 invalid_pass.");
    out.append("flashsale_requests_rejected_total{reason=\"overloaded\"} ").append(QByteArray::number(qint64(s.rejectedOverload))).append('\n');
    out.append("flashsale_requests_rejected_total{reason=\"rate_limited\"} ").append(QByteArray::number(qint64(s.rejectedRate))).append('\n');
    out.append("flashsale_requests_rejected_total{reason=\"invalid_pass\"} ").append(QByteArray::number(qint64(s.rejectedPass))).append('\n');
    metric("flashsale_queue_depth", "gauge",
           "Requests accepted but not yet decided and committed (scale-out: ready in the broker plus unconfirmed here).");
    out.append("flashsale_queue_depth ").append(QByteArray::number(qint64(s.queueDepth))).append('\n');
    metric("flashsale_store_commits_total", "counter", "Group commits to the store.");
    out.append("flashsale_store_commits_total ").append(QByteArray::number(quint64(s.commits))).append('\n');
    metric("flashsale_store_failing", "gauge", "1 while commits to the store fail and are being retried.");
    out.append("flashsale_store_failing ").append(s.storeFailing ? "1\n" : "0\n");
    if (s.clustered) {
        metric("flashsale_node_info", "gauge", "This scale-out node's name.");
        out.append("flashsale_node_info{node=\"").append(m_engine.nodeId().toUtf8()).append("\"} 1\n");
        metric("flashsale_broker_connected", "gauge", "1 while the node can publish to RabbitMQ.");
        out.append("flashsale_broker_connected ").append(s.brokerConnected ? "1\n" : "0\n");
    }
    metric("flashsale_websocket_clients", "gauge", "Open WebSocket connections (shoppers and admin feeds).");
    out.append("flashsale_websocket_clients ").append(QByteArray::number(qint64(s.webSocketClients))).append('\n');

    metric("flashsale_decision_latency_seconds", "histogram", "From accepting a request to its decision being committed.");
    std::uint64_t cumulative = 0;
    std::uint64_t total = 0;
    double sumSeconds = 0;
    for (int i = 0; i < LatencyHistogram::kBuckets; ++i) {
        total += s.latency[i];
        sumSeconds += double(s.latency[i]) * double(LatencyHistogram::upperBoundOf(i)) / 1e6;
    }
    int bucket = 0;
    for (const double le : {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0}) {
        while (bucket < LatencyHistogram::kBuckets && double(LatencyHistogram::upperBoundOf(bucket)) / 1e6 <= le)
            cumulative += s.latency[bucket++];
        out.append("flashsale_decision_latency_seconds_bucket{le=\"").append(QByteArray::number(le)).append("\"} ")
            .append(QByteArray::number(quint64(cumulative))).append('\n');
    }
    out.append("flashsale_decision_latency_seconds_bucket{le=\"+Inf\"} ").append(QByteArray::number(quint64(total))).append('\n');
    out.append("flashsale_decision_latency_seconds_sum ").append(QByteArray::number(sumSeconds)).append('\n');
    out.append("flashsale_decision_latency_seconds_count ").append(QByteArray::number(quint64(total))).append('\n');

    metric("flashsale_event_remaining_units", "gauge", "Units left, per event.");
    for (const EventSnapshot &e : s.events)
        if (!e.config.rehearsal)
            out.append("flashsale_event_remaining_units{event=\"").append(e.config.id.toLatin1()).append("\"} ")
            .append(QByteArray::number(qint64(e.remaining))).append('\n');
    metric("flashsale_event_requests_accepted_total", "counter", "Purchase requests accepted, per event.");
    for (const EventSnapshot &e : s.events)
        if (!e.config.rehearsal)
            out.append("flashsale_event_requests_accepted_total{event=\"").append(e.config.id.toLatin1()).append("\"} ")
            .append(QByteArray::number(qint64(e.requests.accepted))).append('\n');
    reply.status = 200;
    reply.contentType = "text/plain; version=0.0.4; charset=utf-8";
    reply.body = std::move(out);
}


} // namespace flashsale
