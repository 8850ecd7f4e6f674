#include "engine/api/httpfront.h"

#include "engine/api/admintoken.h"
#include "engine/api/apijson.h"
#include "engine/storage/backup.h"
#include "engine/storage/salereport.h"
#include "engine/storage/csv.h"
#include "engine/storage/records.h"
#include "engine/api/wsfront.h"
#include "engine/storage/xlsxexport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QThread>
#include <QUrlQuery>

#include <unistd.h>

namespace flashsale {

void SharedToken::set(const QString &token)
{
    std::lock_guard lock(m_mutex);
    m_token = token.toUtf8();
}

QByteArray SharedToken::get() const
{
    std::lock_guard lock(m_mutex);
    return m_token;
}

namespace {

constexpr int kWaitTimerMs = 20;

const char *reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    }
    return "Unknown";
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject adminEventJson(const EventSnapshot &e)
{
    QJsonObject json = fullEventJson(e);
    json.insert(u"initialStock"_qs, qint64(e.config.stock));
    insertCounts(json, e.requests);
    json.insert(u"createdAt"_qs, isoOrNull(e.createdAtMs));
    json.insert(u"updatedAt"_qs, isoOrNull(e.updatedAtMs));
    json.insert(u"rehearsal"_qs, e.config.rehearsal);
    return json;
}

} // namespace

// One response under construction. deferred: a waiter will answer later.
struct HttpFront::Reply {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QByteArray extraHeaders;
    bool closeAfter = false;
    bool deferred = false;
    bool cors = false;
    QTcpSocket *socket = nullptr;

    void json(int code, const QJsonObject &object)
    {
        status = code;
        body = compact(object);
    }
    void error(int code, const char *errorCode, const QString &message)
    {
        json(code, QJsonObject{{u"error"_qs, QString::fromLatin1(errorCode)}, {u"message"_qs, message}});
    }
    void error(Status s, const QString &message) { error(statusCodeOf(s), errorCodeOf(s), message); }
};

namespace {

QByteArray serialise(int status, const QByteArray &contentType, const QByteArray &body, const QByteArray &extraHeaders,
                     bool closeAfter, bool cors)
{
    QByteArray out;
    out.reserve(160 + body.size() + extraHeaders.size());
    out.append("HTTP/1.1 ").append(QByteArray::number(status)).append(' ').append(reasonPhrase(status));
    out.append("\r\nContent-Type: ").append(contentType);
    out.append("\r\nContent-Length: ").append(QByteArray::number(body.size()));
    out.append("\r\nCache-Control: no-store");
    if (cors)
        out.append("\r\nAccess-Control-Allow-Origin: *");
    if (closeAfter)
        out.append("\r\nConnection: close");
    out.append("\r\n").append(extraHeaders).append("\r\n").append(body);
    return out;
}

void send(QTcpSocket *socket, const QByteArray &bytes, bool closeAfter)
{
    socket->write(bytes);
    if (closeAfter)
        socket->disconnectFromHost();
}

// The ticket as JSON, built by hand: this is the hot path and every field is plain ASCII.
QByteArray ticketBody(const TicketView &view, QStringView eventId, std::int64_t position, bool withPosition)
{
    QByteArray body;
    body.reserve(128);
    body.append("{\"ticket\":\"").append(formatTicket(view.seq, view.tag).toLatin1());
    body.append("\",\"eventId\":\"").append(eventId.toLatin1());
    body.append("\",\"state\":\"").append(toString(view.state).toLatin1()).append('"');
    if (view.state == TicketState::Won)
        body.append(",\"orderId\":").append(QByteArray::number(qint64(view.orderId)));
    else if (view.state == TicketState::Lost)
        body.append(",\"reason\":\"").append(toString(view.reason).toLatin1()).append('"');
    else if (withPosition)
        body.append(",\"position\":").append(QByteArray::number(qint64(position)));
    body.append('}');
    return body;
}

} // namespace

HttpFront::HttpFront(Engine &engine, const SharedToken &adminToken, int durableGraceMs, bool publicMetrics, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_engine(engine)
    , m_adminToken(adminToken)
    , m_durableGraceUs(std::int64_t(durableGraceMs) * 1000)
    , m_publicMetrics(publicMetrics)
{
    m_listenerId = m_engine.addListener(this);
    m_waitTimer.setInterval(kWaitTimerMs);
    m_storeJobs.setMaxThreadCount(1);
    m_webSockets = std::make_unique<WsFront>(m_engine, m_adminToken);
    QObject::connect(this, &QAbstractHttpServer::newWebSocketConnection, this, [this] {
        while (hasPendingWebSocketConnections())
            m_webSockets->adopt(nextPendingWebSocketConnection());
    });
    QObject::connect(&m_waitTimer, &QTimer::timeout, this, [this] { expireWaiters(); });
}

HttpFront::~HttpFront()
{
    m_engine.removeListener(m_listenerId);
}

bool HttpFront::serve(qintptr listeningSocket, QString *error)
{
    auto *server = new QTcpServer(this);
    if (!server->setSocketDescriptor(listeningSocket)) {
        *error = server->errorString();
        delete server;
        return false;
    }
    bind(server);
    return true;
}

void HttpFront::ticketsChanged(std::vector<std::uint64_t> &seqs)
{
    if (m_inbox.push(seqs))
        QMetaObject::invokeMethod(this, [this] { drainInbox(); }, Qt::QueuedConnection);
}

void HttpFront::finish(int lingerMs)
{
    const QList<QTcpServer *> listeners = servers();
    // Connections the kernel completed but nobody accepted yet are reset by the close: their
    // requests were never read, so a retry with the same requestId is safe.
    for (QTcpServer *listener : listeners)
        listener->close();
    drainInbox();
    for (auto &[seq, w] : m_waiters) {
        if (!w.socket)
            continue;
        Reply reply;
        reply.error(Status::Unavailable, m_engine.unavailableReason());
        send(w.socket, serialise(reply.status, reply.contentType, reply.body, "Retry-After: 1\r\n", w.closeAfter, true),
             w.closeAfter);
    }
    m_waiters.clear();
    m_waitTimer.stop();

    const auto openConnections = [&listeners] {
        QList<QTcpSocket *> sockets;
        for (QTcpServer *listener : listeners)
            sockets += listener->findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
        return sockets;
    };
    const auto busy = [&] {
        const QList<QTcpSocket *> sockets = openConnections();
        return std::any_of(sockets.begin(), sockets.end(),
                           [](QTcpSocket *s) { return s->bytesAvailable() > 0 || s->bytesToWrite() > 0; });
    };
    // Three quiet ticks in a row: every request that was on its way has been read and answered.
    QTimer tick;
    tick.start(kWaitTimerMs);
    const QDeadlineTimer deadline(lingerMs);
    for (int quietTicks = 0; quietTicks < 3 && !deadline.hasExpired();) {
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        quietTicks = busy() ? 0 : quietTicks + 1;
    }
    for (QTcpSocket *socket : openConnections())
        socket->disconnectFromHost();
}

void HttpFront::drainInbox()
{
    m_inbox.takeAll(m_draining);
    for (const std::uint64_t seq : m_draining) {
        auto [begin, end] = m_waiters.equal_range(seq);
        for (auto it = begin; it != end;) {
            Waiter &w = it->second;
            const auto view = m_engine.watchTicket(seq, w.tag, m_listenerId, w.until);
            if (!w.socket || !view) {
                it = m_waiters.erase(it);
            } else if (view->state >= w.until) {
                answerTicket(w.socket, w.closeAfter, *view, w.purchase, w.position);
                it = m_waiters.erase(it);
            } else {
                ++it;
            }
        }
    }
    m_draining.clear();
    if (m_waiters.empty())
        m_waitTimer.stop();
}

void HttpFront::expireWaiters()
{
    const std::int64_t nowUs = Engine::steadyMicros();
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        Waiter &w = it->second;
        if (!w.socket) {
            it = m_waiters.erase(it);
            continue;
        }
        if (w.deadlineUs > nowUs) {
            ++it;
            continue;
        }
        const auto view = m_engine.ticket(it->first, w.tag);
        if (view && view->state >= TicketState::Queued) {
            answerTicket(w.socket, w.closeAfter, *view, w.purchase, w.position);
            it = m_waiters.erase(it);
        } else if (view && nowUs < w.giveUpAtUs) {
            // Never say "queued" before the commit: wait for it a while longer.
            w.until = TicketState::Queued;
            m_engine.watchTicket(it->first, w.tag, m_listenerId, TicketState::Queued);
            ++it;
        } else if (view) {
            Reply reply;
            reply.error(Status::Unavailable,
                        u"the store has not recorded the request yet; retry with the same requestId"_qs);
            send(w.socket, serialise(reply.status, reply.contentType, reply.body, "Retry-After: 1\r\n", w.closeAfter, true),
                 w.closeAfter);
            it = m_waiters.erase(it);
        } else {
            it = m_waiters.erase(it);
        }
    }
    if (m_waiters.empty())
        m_waitTimer.stop();
}

void HttpFront::answerTicket(QTcpSocket *socket, bool closeAfter, const TicketView &view, bool purchase, std::int64_t position)
{
    const QString eventId = m_engine.eventIdAt(view.eventIndex);
    const int status = purchase && !isDecided(view.state) ? 202 : 200;
    send(socket, serialise(status, "application/json", ticketBody(view, eventId, position, purchase), {}, closeAfter, true),
         closeAfter);
}

void HttpFront::answerOrWait(Reply &reply, const TicketView &view, Waiter waiter)
{
    if (view.state >= waiter.until) {
        reply.status = waiter.purchase && !isDecided(view.state) ? 202 : 200;
        const QString eventId = m_engine.eventIdAt(view.eventIndex);
        reply.body = ticketBody(view, eventId, waiter.position, waiter.purchase);
        return;
    }
    reply.deferred = true;
    waiter.socket = reply.socket;
    m_waiters.emplace(view.seq, std::move(waiter));
    if (!m_waitTimer.isActive())
        m_waitTimer.start();
}

bool HttpFront::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0) {
        // Qt 6.4 upgrades only when this returns true having written nothing; false gets a 404.
        return WsFront::isEndpoint(request.url().path());
    }
    Reply reply;
    reply.socket = socket;
    reply.closeAfter = request.value("connection").compare("close", Qt::CaseInsensitive) == 0;
    if (request.body().size() > limits::maxBodyBytes) {
        reply.error(413, "payload_too_large", QStringLiteral("the body is over %1 bytes").arg(limits::maxBodyBytes));
        reply.closeAfter = true;
    } else {
        route(request, reply);
    }
    if (reply.deferred) {
        // The waiter was parked with the socket; give it the close flag this request asked for.
        return true;
    }
    send(socket, serialise(reply.status, reply.contentType, reply.body, reply.extraHeaders, reply.closeAfter, reply.cors),
         reply.closeAfter);
    return true;
}

void HttpFront::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    Reply reply;
    reply.error(404, "not_found", u"no such resource"_qs);
    send(socket, serialise(reply.status, reply.contentType, reply.body, {}, false, false), false);
}

void HttpFront::route(const QHttpServerRequest &request, Reply &reply)
{
    using Method = QHttpServerRequest::Method;
    const QString path = request.url().path();
    const QList<QStringView> parts = QStringView(path).split(u'/', Qt::SkipEmptyParts);
    const Method method = request.method();
    const auto methodNotAllowed = [&](const char *allow) {
        reply.error(405, "method_not_allowed", QStringLiteral("use %1 here").arg(QLatin1String(allow)));
        reply.extraHeaders = QByteArray("Allow: ") + allow + "\r\n";
    };

    if (parts.size() == 1 && parts[0] == u"healthz") {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        if (m_engine.isAccepting())
            return reply.json(200, QJsonObject{{u"status"_qs, u"ok"_qs}});
        return reply.json(503, QJsonObject{{u"status"_qs, u"unavailable"_qs}, {u"reason"_qs, m_engine.unavailableReason()}});
    }
    if (parts.size() == 1 && parts[0] == u"metrics") {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        if (!m_publicMetrics && !authorized(request, reply))
            return; // it lists every event id, drafts too
        return metrics(reply);
    }
    if (parts.size() >= 2 && parts[0] == u"shop" && (parts.size() == 2 || (parts.size() == 3 && parts[1] == u"assets"))) {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        return parts.size() == 2 ? shopPage(parts[1], {}, reply) : shopPage({}, parts[2], reply);
    }
    if (parts.size() < 3 || parts[0] != u"api" || parts[1] != u"v1")
        return reply.error(404, "not_found", QStringLiteral("no resource at %1").arg(path));

    const QStringView area = parts[2];
    if (area == u"admin")
        return admin(request, parts, reply);

    reply.cors = true;
    if (method == Method::Options) {
        reply.status = 204;
        reply.contentType = "text/plain";
        reply.extraHeaders = "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
                             "Access-Control-Allow-Headers: Content-Type\r\nAccess-Control-Max-Age: 86400\r\n";
        return;
    }
    if (area == u"events" && parts.size() == 4) {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        return getEvent(parts[3], reply);
    }
    if (area == u"events" && parts.size() == 5 && parts[4] == u"purchases") {
        if (method != Method::Post)
            return methodNotAllowed("POST");
        return postPurchase(request, parts[3], reply);
    }
    if (area == u"tickets" && parts.size() == 4) {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        return getTicket(request, parts[3], reply);
    }
    reply.error(404, "not_found", QStringLiteral("no resource at %1").arg(path));
}

void HttpFront::getEvent(QStringView eventId, Reply &reply)
{
    const auto event = m_engine.shopperEvent(eventId);
    if (!event)
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    reply.json(200, publicEventJson(*event));
}

namespace {
// Parses ?wait=MS; returns -1 and sets problem when malformed.
int waitMillis(const QHttpServerRequest &request, QString *problem)
{
    const QUrlQuery query = request.query();
    if (!query.hasQueryItem(u"wait"_qs))
        return 0;
    bool ok = false;
    const int wait = query.queryItemValue(u"wait"_qs).toInt(&ok);
    if (!ok || wait < 0 || wait > limits::maxWaitMs) {
        *problem = QStringLiteral("wait must be an integer from 0 to %1 (milliseconds)").arg(limits::maxWaitMs);
        return -1;
    }
    return wait;
}
} // namespace

void HttpFront::postPurchase(const QHttpServerRequest &request, QStringView eventId, Reply &reply)
{
    QString problem;
    const int wait = waitMillis(request, &problem);
    if (wait < 0)
        return reply.error(400, "invalid_field", problem);
    // A rehearsal copy is unknown to everyone but the simulator (the admin token, simulated).
    const QByteArray auth = request.value("authorization");
    const bool admin = auth.startsWith("Bearer ") && [&] {
        const QByteArray token = m_adminToken.get();
        return !token.isEmpty() && tokensEqual(auth.mid(7).trimmed(), token);
    }();
    const auto event = admin ? m_engine.event(eventId) : m_engine.shopperEvent(eventId);
    if (!event)
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return reply.error(400, "bad_json",
                           parseError.error != QJsonParseError::NoError
                               ? QStringLiteral("the body is not valid JSON: %1").arg(parseError.errorString())
                               : u"the body must be a JSON object"_qs);
    }
    auto purchase = purchaseFromJson(document.object(), *event, &problem);
    if (!purchase)
        return reply.error(400, "invalid_field", problem);
    if (purchase->simulated && !admin)
        return reply.error(401, "unauthorized", u"only the admin token may mark purchases as simulated"_qs);
    if (event->config.rehearsal && !purchase->simulated)
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));

    const TicketState until = wait > 0 ? TicketState::Won : TicketState::Queued;
    const SubmitResult result = m_engine.submit(eventId, std::move(*purchase), m_listenerId, until);
    if (result.status != Status::Ok) {
        if (result.status == Status::Overloaded || result.status == Status::Unavailable)
            reply.extraHeaders = "Retry-After: 1\r\n";
        return reply.json(statusCodeOf(result.status), submitErrorJson(result, eventId));
    }
    Waiter waiter;
    waiter.tag = result.ticket.tag;
    waiter.until = until;
    waiter.deadlineUs = Engine::steadyMicros() + std::int64_t(wait) * 1000;
    waiter.giveUpAtUs = waiter.deadlineUs + m_durableGraceUs;
    waiter.position = result.position;
    waiter.purchase = true;
    waiter.closeAfter = reply.closeAfter;
    answerOrWait(reply, result.ticket, std::move(waiter));
}

void HttpFront::getTicket(const QHttpServerRequest &request, QStringView ticketText, Reply &reply)
{
    QString problem;
    const int wait = waitMillis(request, &problem);
    if (wait < 0)
        return reply.error(400, "invalid_field", problem);
    std::uint64_t seq = 0;
    std::uint64_t tag = 0;
    if (!parseTicket(ticketText, &seq, &tag))
        return reply.error(404, "not_found", QStringLiteral("no ticket \"%1\"").arg(ticketText));
    const TicketState until = wait > 0 ? TicketState::Won : TicketState::Queued;
    const auto view = m_engine.watchTicket(seq, tag, m_listenerId, until);
    if (!view)
        return reply.error(404, "not_found", QStringLiteral("no ticket \"%1\"").arg(ticketText));
    Waiter waiter;
    waiter.tag = tag;
    waiter.until = until;
    waiter.deadlineUs = Engine::steadyMicros() + std::int64_t(wait) * 1000;
    waiter.giveUpAtUs = waiter.deadlineUs + m_durableGraceUs;
    waiter.closeAfter = reply.closeAfter;
    answerOrWait(reply, *view, std::move(waiter));
}

namespace {

std::optional<EventConfig> eventConfigFrom(const QJsonObject &body, QString *problem)
{
    FieldReader fields(body);
    EventConfig config;
    config.id = fields.string(u"id"_qs, true, limits::maxEventIdLength).value_or(QString());
    config.name = fields.string(u"name"_qs, true, limits::maxNameLength).value_or(QString());
    config.priceCents = fields.integer(u"priceCents"_qs, true, 0, limits::maxPriceCents).value_or(0);
    config.currency = fields.string(u"currency"_qs, false, 3, 3).value_or(config.currency);
    config.stock = fields.integer(u"stock"_qs, true, 0, limits::maxStock).value_or(0);
    config.perUserLimit = std::int32_t(fields.integer(u"perUserLimit"_qs, false, 1, limits::maxPerUserLimit).value_or(1));
    config.startsAtMs = fields.time(u"startsAt"_qs).value_or(0);
    config.endsAtMs = fields.time(u"endsAt"_qs).value_or(0);
    if (!fields.ok()) {
        *problem = fields.problem();
        return std::nullopt;
    }
    return config;
}

std::optional<EventPatch> eventPatchFrom(const QJsonObject &body, QString *problem)
{
    FieldReader fields(body);
    EventPatch patch;
    patch.name = fields.string(u"name"_qs, false, limits::maxNameLength);
    patch.priceCents = fields.integer(u"priceCents"_qs, false, 0, limits::maxPriceCents);
    patch.currency = fields.string(u"currency"_qs, false, 3, 3);
    patch.stock = fields.integer(u"stock"_qs, false, 0, limits::maxStock);
    if (auto limit = fields.integer(u"perUserLimit"_qs, false, 1, limits::maxPerUserLimit))
        patch.perUserLimit = std::int32_t(*limit);
    patch.startsAtMs = fields.time(u"startsAt"_qs);
    patch.endsAtMs = fields.time(u"endsAt"_qs);
    if (body.contains(u"id"_qs))
        *problem = u"id cannot be changed"_qs;
    else if (!fields.ok())
        *problem = fields.problem();
    if (!problem->isEmpty())
        return std::nullopt;
    return patch;
}

std::optional<QJsonObject> jsonBody(const QHttpServerRequest &request, QString *problem)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *problem = QStringLiteral("the body is not valid JSON: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        *problem = u"the body must be a JSON object"_qs;
        return std::nullopt;
    }
    return document.object();
}

// Parses a non-negative integer query item; def when absent.
bool queryInteger(const QUrlQuery &query, const QString &key, std::int64_t def, std::int64_t max, std::int64_t *out,
                  QString *problem)
{
    *out = def;
    if (!query.hasQueryItem(key))
        return true;
    bool ok = false;
    *out = query.queryItemValue(key).toLongLong(&ok);
    if (!ok || *out < 0 || *out > max) {
        *problem = QStringLiteral("%1 must be an integer from 0 to %2").arg(key).arg(max);
        return false;
    }
    return true;
}

bool queryTime(const QUrlQuery &query, const QString &key, std::int64_t *out, QString *problem)
{
    *out = 0;
    if (!query.hasQueryItem(key))
        return true;
    const QDateTime t = QDateTime::fromString(query.queryItemValue(key, QUrl::FullyDecoded), Qt::ISODateWithMs);
    if (!t.isValid()) {
        *problem = QStringLiteral("%1 must be an ISO 8601 time").arg(key);
        return false;
    }
    *out = t.toMSecsSinceEpoch();
    return true;
}

bool queryBool(const QUrlQuery &query, const QString &key, bool def)
{
    if (!query.hasQueryItem(key))
        return def;
    const QString v = query.queryItemValue(key);
    return v == u"1" || v == u"true" || v == u"yes";
}

} // namespace

bool HttpFront::authorized(const QHttpServerRequest &request, Reply &reply) const
{
    const QByteArray auth = request.value("authorization");
    const QByteArray token = m_adminToken.get();
    if (auth.startsWith("Bearer ") && !token.isEmpty() && tokensEqual(auth.mid(7).trimmed(), token))
        return true;
    reply.extraHeaders = "WWW-Authenticate: Bearer\r\n";
    reply.error(401, "unauthorized", u"send the admin token as Authorization: Bearer TOKEN"_qs);
    return false;
}

void HttpFront::admin(const QHttpServerRequest &request, const QList<QStringView> &parts, Reply &reply)
{
    using Method = QHttpServerRequest::Method;
    if (!authorized(request, reply))
        return;
    const Method method = request.method();
    const auto methodNotAllowed = [&](const char *allow) {
        reply.error(405, "method_not_allowed", QStringLiteral("use %1 here").arg(QLatin1String(allow)));
        reply.extraHeaders = QByteArray("Allow: ") + allow + "\r\n";
    };
    const auto answer = [&](const AdminResult &result, int okStatus) {
        if (result.status == Status::Ok)
            reply.json(okStatus, adminEventJson(result.event));
        else
            reply.error(result.status, result.message);
    };
    QString problem;

    if (parts.size() == 4 && parts[3] == u"stats") {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        return reply.json(200, statsJson(m_engine.stats()));
    }
    if (parts.size() == 4 && parts[3] == u"backup") {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        return backup(reply);
    }
    if (parts.size() < 4 || parts[3] != u"events")
        return reply.error(404, "not_found", QStringLiteral("no resource at %1").arg(request.url().path()));

    if (parts.size() == 4) {
        if (method == Method::Get) {
            QJsonArray items;
            const bool withRehearsals = queryBool(request.query(), u"includeRehearsals"_qs, false);
            for (const EventSnapshot &e : m_engine.events()) {
                if (withRehearsals || !e.config.rehearsal)
                    items.append(adminEventJson(e));
            }
            return reply.json(200, QJsonObject{{u"items"_qs, items}, {u"total"_qs, items.size()}});
        }
        if (method != Method::Post)
            return methodNotAllowed("GET, POST");
        const auto body = jsonBody(request, &problem);
        if (!body)
            return reply.error(400, "bad_json", problem);
        const auto config = eventConfigFrom(*body, &problem);
        if (!config)
            return reply.error(400, "invalid_field", problem);
        return answer(m_engine.createEvent(*config), 201);
    }

    const QStringView eventId = parts[4];
    if (parts.size() == 5) {
        if (method == Method::Get) {
            const auto event = m_engine.event(eventId);
            if (!event)
                return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
            return reply.json(200, adminEventJson(*event));
        }
        if (method != Method::Patch)
            return methodNotAllowed("GET, PATCH");
        const auto body = jsonBody(request, &problem);
        if (!body)
            return reply.error(400, "bad_json", problem);
        const auto patch = eventPatchFrom(*body, &problem);
        if (!patch)
            return reply.error(400, "invalid_field", problem);
        return answer(m_engine.updateEvent(eventId, *patch), 200);
    }
    if (parts.size() != 6)
        return reply.error(404, "not_found", QStringLiteral("no resource at %1").arg(request.url().path()));

    const QStringView verb = parts[5];
    if (verb == u"open" || verb == u"pause" || verb == u"end") {
        if (method != Method::Post)
            return methodNotAllowed("POST");
        const EventAction action = verb == u"open" ? EventAction::Open : verb == u"pause" ? EventAction::Pause : EventAction::End;
        return answer(m_engine.actOnEvent(eventId, action), 200);
    }
    if (verb == u"restock") {
        if (method != Method::Post)
            return methodNotAllowed("POST");
        const auto body = jsonBody(request, &problem);
        if (!body)
            return reply.error(400, "bad_json", problem);
        FieldReader fields(*body);
        const auto units = fields.integer(u"units"_qs, true, 1, limits::maxStock);
        if (!units)
            return reply.error(400, "invalid_field", fields.problem());
        return answer(m_engine.restockEvent(eventId, *units), 200);
    }
    if (verb == u"orders" || verb == u"intents" || verb == u"orders.csv" || verb == u"intents.csv" || verb == u"orders.xlsx"
        || verb == u"intents.xlsx") {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        return adminRecords(request, eventId, verb, reply);
    }
    if (verb == u"report") {
        if (method != Method::Get)
            return methodNotAllowed("GET");
        return report(eventId, reply);
    }
    reply.error(404, "not_found", QStringLiteral("no resource at %1").arg(request.url().path()));
}

void HttpFront::adminRecords(const QHttpServerRequest &request, QStringView eventId, QStringView what, Reply &reply)
{
    const auto event = m_engine.event(eventId);
    if (!event)
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    const bool csvExport = what.endsWith(u".csv");
    const bool xlsxExport = what.endsWith(u".xlsx");
    const bool orders = what.startsWith(u"orders");
    const QUrlQuery query = request.query();
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
    if (xlsxExport) {
        const QByteArray fileName = eventId.toLatin1() + '-' + what.toLatin1();
        if (orders)
            return spreadsheet(reply, orderQuery, event->config.currency, fileName);
        return spreadsheet(reply, intentQuery, event->config.currency, fileName);
    }

    QString error;
    QSqlDatabase db = readerConnection(m_engine.storeLocation(), &error);
    if (!db.isOpen())
        return reply.error(503, "unavailable", QStringLiteral("cannot read the store: %1").arg(error));

    QByteArray csvOut;
    QJsonArray items;
    std::int64_t total = 0;
    bool ok = false;
    if (csvExport)
        csvOut = csv::byteOrderMark();
    if (orders) {
        const OrderQuery &q = orderQuery;
        if (csvExport)
            csv::appendRow(csvOut, records::csvHeader(static_cast<const OrderRow *>(nullptr)));
        ok = (csvExport || records::countOrders(db, q, &total, &error))
            && records::listOrders(db, q, [&](const OrderRow &r) {
                   if (csvExport) {
                       csv::appendRow(csvOut, records::csvCells(r));
                   } else {
                       items.append(QJsonObject{{u"orderId"_qs, qint64(r.orderId)}, {u"eventId"_qs, r.eventId},
                                                {u"userId"_qs, r.userId}, {u"quantity"_qs, r.quantity},
                                                {u"priceCents"_qs, qint64(r.priceCents)},
                                                {u"totalCents"_qs, qint64(r.totalCents)}, {u"requestId"_qs, r.requestId},
                                                {u"contact"_qs, r.contact}, {u"simulated"_qs, r.simulated},
                                                {u"decidedAt"_qs, formatIsoTime(r.decidedAtMs)}});
                   }
                   return true;
               }, &error);
    } else {
        const IntentQuery &q = intentQuery;
        if (csvExport)
            csv::appendRow(csvOut, records::csvHeader(static_cast<const IntentRow *>(nullptr)));
        ok = (csvExport || records::countIntents(db, q, &total, &error))
            && records::listIntents(db, q, [&](const IntentRow &r) {
                   if (csvExport) {
                       csv::appendRow(csvOut, records::csvCells(r));
                   } else {
                       items.append(QJsonObject{{u"eventId"_qs, r.eventId}, {u"userId"_qs, r.userId},
                                                {u"contact"_qs, r.contact}, {u"quantity"_qs, r.quantity},
                                                {u"lastReason"_qs, toString(r.lastReason)},
                                                {u"attempts"_qs, r.attempts}, {u"firstAt"_qs, formatIsoTime(r.firstAtMs)},
                                                {u"lastAt"_qs, formatIsoTime(r.lastAtMs)}, {u"simulated"_qs, r.simulated}});
                   }
                   return true;
               }, &error);
    }
    if (!ok)
        return reply.error(503, "unavailable", QStringLiteral("cannot read the store: %1").arg(error));
    if (csvExport) {
        reply.status = 200;
        reply.contentType = "text/csv; charset=utf-8";
        reply.extraHeaders = "Content-Disposition: attachment; filename=\"" + eventId.toLatin1() + '-' + what.toLatin1()
            + "\"\r\n";
        reply.body = std::move(csvOut);
        return;
    }
    reply.json(200, QJsonObject{{u"items"_qs, items}, {u"total"_qs, qint64(total)}, {u"offset"_qs, qint64(offset)},
                                {u"limit"_qs, qint64(limit)}});
}

void HttpFront::backup(Reply &reply)
{
    const StoreLocation location = m_engine.storeLocation();
    if (!location.isSqlite()) {
        return reply.error(501, "not_supported",
                           u"this node keeps its data in PostgreSQL: back it up with pg_dump (README: Backups and upgrades)"_qs);
    }
    reply.deferred = true;
    m_storeJobs.start([this, location, socket = QPointer<QTcpSocket>(reply.socket)] {
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
        QMetaObject::invokeMethod(this, [this, socket, snapshot, error] { sendBackup(socket, snapshot, error); },
                                  Qt::QueuedConnection);
    });
}

void HttpFront::sendBackup(QPointer<QTcpSocket> socket, const std::shared_ptr<QTemporaryFile> &snapshot, const QString &error)
{
    if (!error.isEmpty())
        return sendFile(socket, nullptr, {}, {}, QStringLiteral("cannot copy the store: %1").arg(error));
    sendFile(socket, snapshot, "application/vnd.sqlite3", "flashsale-backup.sqlite", {});
}

template<typename Query>
void HttpFront::spreadsheet(Reply &reply, const Query &query, const QString &currency, const QByteArray &fileName)
{
    reply.deferred = true;
    const StoreLocation location = m_engine.storeLocation();
    m_storeJobs.start([this, location, query, currency, fileName, socket = QPointer<QTcpSocket>(reply.socket)] {
        // A pool thread: a connection of its own; the rows go through libxlsxwriter's temporary
        // files to a temporary .xlsx, so memory stays bounded whatever the row count.
        const QString name = QStringLiteral("flashsale-xlsx-job-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
        QTemporaryFile file(QDir::temp().filePath(u"flashsale-export-XXXXXX.xlsx"_qs)); // removed when the job ends
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
        QMetaObject::invokeMethod(this, [this, socket, written, fileName, error] {
            sendFile(socket, written, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fileName,
                     error.isEmpty() ? QString() : QStringLiteral("cannot export the records: %1").arg(error));
        }, Qt::QueuedConnection);
    });
}

void HttpFront::sendFile(QPointer<QTcpSocket> socket, const std::shared_ptr<QFile> &file,
                         const QByteArray &contentType, const QByteArray &fileName, const QString &error)
{
    if (!socket)
        return;
    if (!error.isEmpty()) {
        Reply reply;
        reply.error(503, "unavailable", error);
        send(socket, serialise(reply.status, reply.contentType, reply.body, {}, true, false), true);
        return;
    }
    // The open file is all that is needed from here on: no copy is left behind on disk.
    ::unlink(QFile::encodeName(file->fileName()).constData());
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(file->size())
                  + "\r\nCache-Control: no-store\r\nContent-Disposition: attachment; filename=\"" + fileName
                  + "\"\r\nConnection: close\r\n\r\n");
    // Streams as the socket drains, holding at most kChunkBytes in its buffer.
    constexpr qint64 kChunkBytes = 256 * 1024;
    const auto pump = [socket, file] {
        while (socket->bytesToWrite() < kChunkBytes && !file->atEnd())
            socket->write(file->read(kChunkBytes));
        if (file->atEnd()) {
            file->close();
            socket->disconnectFromHost(); // after what is still buffered
        }
    };
    QObject::connect(socket, &QTcpSocket::bytesWritten, socket, pump);
    pump();
}

void HttpFront::report(QStringView eventId, Reply &reply)
{
    if (!m_engine.event(eventId))
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    reply.deferred = true;
    const bool closeAfter = reply.closeAfter;
    m_storeJobs.start([this, location = m_engine.storeLocation(), id = eventId.toString(), closeAfter,
                        socket = QPointer<QTcpSocket>(reply.socket)] {
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
        Reply answer;
        if (failure == salereport::Failure::None)
            answer.json(200, salereport::toJson(report));
        else if (failure == salereport::Failure::NoSuchEvent)
            answer.error(404, "not_found", error);
        else
            answer.error(503, "unavailable", QStringLiteral("cannot read the store: %1").arg(error));
        QMetaObject::invokeMethod(this, [this, socket, closeAfter, answer = std::move(answer)] {
            if (socket)
                send(socket, serialise(answer.status, answer.contentType, answer.body, {}, closeAfter, false), closeAfter);
        }, Qt::QueuedConnection);
    });
}

void HttpFront::metrics(Reply &reply)
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
    metric("flashsale_requests_rejected_total", "counter", "Purchase requests refused with 429 because the queue was full.");
    out.append("flashsale_requests_rejected_total{reason=\"overloaded\"} ").append(QByteArray::number(qint64(s.rejectedOverload))).append('\n');
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

// GET /shop/{eventId} is the shopper page; /shop/assets/{file} its script and style sheet.
void HttpFront::shopPage(QStringView eventId, QStringView asset, Reply &reply)
{
    struct Asset {
        const char *name;
        const char *contentType;
    };
    static constexpr Asset kAssets[] = {{"shop.html", "text/html; charset=utf-8"},
                                        {"shop.css", "text/css; charset=utf-8"},
                                        {"shop.js", "text/javascript; charset=utf-8"}};
    // Read once from the resources; immutable afterwards, so every front thread may share them.
    static const std::array<QByteArray, 3> kBodies = [] {
        std::array<QByteArray, 3> bodies;
        for (std::size_t i = 0; i < bodies.size(); ++i) {
            QFile file(u":/flashsale/shop/"_qs + QLatin1String(kAssets[i].name));
            if (file.open(QIODevice::ReadOnly))
                bodies[i] = file.readAll();
        }
        return bodies;
    }();
    std::size_t index = 0;
    if (eventId.isEmpty()) {
        index = std::find_if(std::begin(kAssets), std::end(kAssets),
                             [&](const Asset &a) { return asset == QLatin1String(a.name); }) - std::begin(kAssets);
        if (index == 0 || index >= std::size(kAssets))
            return reply.error(404, "not_found", QStringLiteral("no shop asset \"%1\"").arg(asset));
    } else if (!isValidEventId(eventId)) {
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    }
    reply.status = 200;
    reply.contentType = kAssets[index].contentType;
    reply.body = kBodies[index];
}

} // namespace flashsale
