// The shopper's routes: an event, a purchase, a ticket (with ?wait long polls).
#include "engine/api/httproutes.h"

#include "engine/api/adminauth.h"
#include "engine/api/shopperadmission.h"
#include "engine/core/fairstart.h"
#include "engine/api/waitertable.h"
#include "engine/api/apijson.h"
#include "engine/storage/records.h"

#include <QJsonDocument>

namespace flashsale {

namespace {

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
    if (view.offerOrderId > 0) {
        body.append(",\"offer\":{\"orderId\":").append(QByteArray::number(qint64(view.offerOrderId)));
        body.append(",\"expiresAt\":\"").append(formatIsoTime(view.offerExpiresAtMs).toLatin1()).append("\"}");
    }
    else if (withPosition)
        body.append(",\"position\":").append(QByteArray::number(qint64(position)));
    body.append('}');
    return body;
}

void ticketReply(Engine &engine, RouteReply &reply, const TicketView &view, bool purchase, std::int64_t position)
{
    reply.status = purchase && !isDecided(view.state) ? 202 : 200;
    reply.body = ticketBody(view, engine.eventIdAt(view.eventIndex), position, purchase);
}

// A purchase or ticket poll held open until its ticket reaches `until` or its ?wait runs out.
class HttpTicketWaiter final : public TicketWaiter
{
public:
    HttpTicketWaiter(Engine &engine, std::shared_ptr<ReplyHandle> handle, TicketState until, bool purchase,
                     std::int64_t position, QByteArray allowOrigin)
        : m_engine(engine)
        , m_handle(std::move(handle))
        , m_until(until)
        , m_purchase(purchase)
        , m_position(position)
        , m_allowOrigin(std::move(allowOrigin))
    {
    }
    bool connected() const override { return m_handle->connected(); }
    bool update(std::uint64_t, const TicketView &view, bool deadlinePassed) override
    {
        if (view.state < m_until && !(deadlinePassed && view.state >= TicketState::Queued))
            return false;
        RouteReply reply;
        reply.allowOrigin = m_allowOrigin;
        ticketReply(m_engine, reply, view, m_purchase, m_position);
        m_handle->send(std::move(reply));
        return true;
    }
    void giveUp(std::uint64_t, std::uint64_t) override
    {
        RouteReply reply;
        reply.allowOrigin = m_allowOrigin;
        reply.error(Status::Unavailable, m_engine.isAccepting()
                                             ? u"the store has not recorded the request yet; retry with the same requestId"_qs
                                             : m_engine.unavailableReason());
        reply.addHeader("Retry-After", "1");
        m_handle->send(std::move(reply));
    }

private:
    Engine &m_engine;
    std::shared_ptr<ReplyHandle> m_handle;
    TicketState m_until;
    bool m_purchase;
    std::int64_t m_position;
    QByteArray m_allowOrigin;
};

// Parses ?wait=MS; returns -1 and sets problem when malformed.
int waitMillis(const QUrlQuery &query, QString *problem)
{
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

void HttpRoutes::shopper(const RouteRequest &request, const Parts &parts, RouteReply &reply, Responder &responder)
{
    const QStringView area = parts[2];
    const HttpMethod method = request.method;
    // Browsers read answers only for the node's own pages and --allowed-origins; a purchase a
    // page elsewhere makes a visitor's browser send is refused outright (it needs no preflight
    // when sent as text/plain).
    const QByteArray origin = request.header("origin");
    const ShopperAdmission::OriginCheck originCheck = m_context.admission.checkOrigin(origin, request.header("host"));
    reply.allowOrigin = m_context.admission.allowOriginHeader(origin, originCheck);
    if (method == HttpMethod::Options) {
        reply.status = 204;
        reply.contentType = "text/plain";
        if (!reply.allowOrigin.isEmpty()) {
            reply.addHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            reply.addHeader("Access-Control-Allow-Headers", "Content-Type");
            reply.addHeader("Access-Control-Max-Age", "86400");
        }
        return;
    }
    if (originCheck == ShopperAdmission::OriginCheck::Refused && method != HttpMethod::Get) {
        return reply.error(403, "origin_not_allowed",
                           QStringLiteral("pages at %1 may not send purchases here; the node's --allowed-origins lists the ones that may")
                               .arg(QString::fromLatin1(origin.left(100))));
    }
    if (area == u"events" && parts.size() == 4) {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return getEvent(parts[3], reply);
    }
    if (area == u"events" && parts.size() == 5 && parts[4] == u"purchases") {
        if (method != HttpMethod::Post)
            return methodNotAllowed(reply, "POST");
        return postPurchase(request, parts[3], reply, responder);
    }
    if (area == u"tickets" && parts.size() == 4) {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return getTicket(request, parts[3], reply, responder);
    }
    reply.error(404, "not_found", u"no such resource"_qs);
}

void HttpRoutes::getEvent(QStringView eventId, RouteReply &reply)
{
    const auto event = m_engine.shopperEvent(eventId);
    if (!event)
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId.left(limits::maxEventIdLength)));
    reply.json(200, publicEventJson(*event));
}

void HttpRoutes::postPurchase(const RouteRequest &request, QStringView eventId, RouteReply &reply, Responder &responder)
{
    ShopperAdmission &admission = m_context.admission;
    // A rehearsal copy is unknown to everyone but the simulator (the admin token, simulated),
    // and the simulator is not rate limited.
    const bool admin = isAdminAuthorization(request.header("authorization"), m_context.adminToken);
    if (!admin) {
        const QHostAddress client = admission.clientOf(request.peer, request.header("x-forwarded-for"));
        if (const RateLimiter::Verdict verdict = admission.admitAddress(client); !verdict.allowed)
            return rateLimited(reply, verdict, u"this address"_qs);
    }
    QString problem;
    const int wait = waitMillis(request.query, &problem);
    if (wait < 0)
        return reply.error(400, "invalid_field", problem);
    const auto event = admin ? m_engine.event(eventId) : m_engine.shopperEvent(eventId);
    const auto notFound = [&] {
        reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId.left(limits::maxEventIdLength)));
    };
    if (!event)
        return notFound();

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
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
        return notFound();
    if (!purchase->simulated) {
        if (const QString passProblem = admission.applyPass(*event, document.object().value(u"pass"_qs), *purchase);
            !passProblem.isEmpty()) {
            m_engine.countInvalidPass();
            return reply.error(401, "invalid_pass", passProblem);
        }
        if (event->config.shopperIdentity == ShopperIdentity::Signed) {
            if (const RateLimiter::Verdict verdict = admission.admitUser(purchase->userKey); !verdict.allowed)
                return rateLimited(reply, verdict, u"this user"_qs);
        }
    }
    if (purchase->userId.isEmpty())
        return reply.error(400, "invalid_field", u"userId is required"_qs);

    const TicketState until = wait > 0 ? TicketState::Won : TicketState::Queued;
    const SubmitResult result = m_engine.submit(eventId, std::move(*purchase), m_context.waiters.listenerId(), until);
    if (result.status != Status::Ok) {
        if (result.status == Status::Overloaded || result.status == Status::Unavailable)
            reply.addHeader("Retry-After", "1");
        return reply.json(statusCodeOf(result.status), submitErrorJson(result, eventId));
    }
    if (result.inStore)
        return answerFromStore(reply, responder, result.ticket.seq, 0, true, result.userHash, eventId.toString());
    answerOrWait(reply, responder, result.ticket, until, wait, true, result.position,
                 fairStartHoldMs(event->config, event->state, Engine::nowMs()));
}

void HttpRoutes::rateLimited(RouteReply &reply, const RateLimiter::Verdict &verdict, const QString &who)
{
    m_engine.countRateLimited();
    reply.error(429, "rate_limited",
                QStringLiteral("too many purchases from %1; retry in %2 s").arg(who).arg(verdict.retryAfterS));
    reply.addHeader("Retry-After", QByteArray::number(verdict.retryAfterS));
}

void HttpRoutes::getTicket(const RouteRequest &request, QStringView ticketText, RouteReply &reply, Responder &responder)
{
    QString problem;
    const int wait = waitMillis(request.query, &problem);
    if (wait < 0)
        return reply.error(400, "invalid_field", problem);
    std::uint64_t seq = 0;
    std::uint64_t tag = 0;
    const auto notFound = [&] { reply.error(404, "not_found", QStringLiteral("no ticket \"%1\"").arg(ticketText.left(64))); };
    if (!parseTicket(ticketText, &seq, &tag))
        return notFound();
    const TicketState until = wait > 0 ? TicketState::Won : TicketState::Queued;
    const auto view = m_engine.watchTicket(seq, tag, m_context.waiters.listenerId(), until);
    if (!view && m_engine.isInStore(seq))
        return answerFromStore(reply, responder, seq, tag, false, 0, QString());
    if (!view)
        return notFound();
    std::int64_t heldMs = 0;
    if (view->state == TicketState::Pending) {
        if (const auto event = m_engine.event(m_engine.eventIdAt(view->eventIndex)))
            heldMs = fairStartHoldMs(event->config, event->state, Engine::nowMs());
    }
    answerOrWait(reply, responder, *view, until, wait, false, 0, heldMs);
}

void HttpRoutes::answerFromStore(RouteReply &reply, Responder &responder, std::uint64_t seq, std::uint64_t tag,
                                 bool purchase, std::uint64_t userHash, const QString &eventId)
{
    reply.deferred = true;
    m_storeJobs.start([this, seq, tag, purchase, userHash, eventId, allowOrigin = reply.allowOrigin,
                       handle = responder.defer()] {
        const Engine::StoredTicket stored = m_engine.storedTicket(seq);
        RouteReply answer;
        answer.allowOrigin = allowOrigin;
        if (stored.status == Status::Unavailable) {
            answer.error(Status::Unavailable, stored.message);
            answer.addHeader("Retry-After", "1");
        } else if (stored.status != Status::Ok && purchase) {
            answer.error(Status::Unavailable, u"the journal does not show this requestId's ticket yet; retry"_qs);
            answer.addHeader("Retry-After", "1");
        } else if (stored.status != Status::Ok || (!purchase && stored.view.tag != tag)) {
            answer.error(404, "not_found", QStringLiteral("no ticket \"%1\"").arg(formatTicket(seq, tag)));
        } else if (purchase && userHash != 0 && stored.userHash != 0 && userHash != stored.userHash) {
            SubmitResult conflict;
            conflict.status = Status::IdempotencyConflict;
            answer.json(statusCodeOf(conflict.status), submitErrorJson(conflict, eventId));
        } else {
            ticketReply(m_engine, answer, stored.view, purchase, 0);
        }
        m_context.postToFront([handle, answer = std::move(answer)]() mutable { handle->send(std::move(answer)); });
    });
}

void HttpRoutes::answerOrWait(RouteReply &reply, Responder &responder, const TicketView &view, TicketState until,
                              int waitMs, bool purchase, std::int64_t position, std::int64_t heldMs)
{
    if (view.state >= until)
        return ticketReply(m_engine, reply, view, purchase, position);
    reply.deferred = true;
    WaiterTable::Wait wait;
    wait.waiter = std::make_unique<HttpTicketWaiter>(m_engine, responder.defer(), until, purchase, position, reply.allowOrigin);
    wait.tag = view.tag;
    wait.until = until;
    wait.deadlineUs = Engine::steadyMicros() + std::int64_t(waitMs) * 1000;
    wait.giveUpAtUs = wait.deadlineUs + heldMs * 1000 + m_context.waiters.durableGraceUs();
    m_context.waiters.add(view.seq, std::move(wait));
}

} // namespace flashsale
