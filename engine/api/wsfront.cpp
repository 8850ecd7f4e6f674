#include "engine/api/wsfront.h"

#include "engine/api/shopperadmission.h"
#include "engine/core/fairstart.h"
#include "engine/api/waitertable.h"
#include "engine/api/apijson.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace flashsale {

namespace {

constexpr int kAdminEveryTicks = WsFront::kAdminFeedMs / WsFront::kTickMs;

} // namespace

// A purchase or subscribe waiting for its ticket: pushes `queued` and `result` as the ticket
// moves, or `unavailable` when the purchase is not journalled within the grace; after a sold_out
// loss in an event that offers freed units, waits on for `offer`.
class WsFront::TicketPush final : public TicketWaiter
{
public:
    TicketPush(Engine &engine, const Client &client, bool queuedSent, std::int64_t position, QString requestId)
        : m_engine(engine), m_connection(client.alive), m_waits(client.waits), m_queuedSent(queuedSent)
        , m_position(position), m_requestId(std::move(requestId))
    {
        ++*m_waits;
    }
    ~TicketPush() override { --*m_waits; }

    bool connected() const override { return *m_connection != nullptr; }
    bool waitsForOffer() const override { return m_awaitingOffer; }
    bool update(std::uint64_t seq, const TicketView &view, bool) override
    {
        WsConnection &connection = **m_connection;
        if (m_awaitingOffer)
            return sendOffer(seq, view);
        // Never say "queued" before the journal commit, exactly like the HTTP answers.
        if (!m_queuedSent && view.state >= TicketState::Queued) {
            m_queuedSent = true;
            QJsonObject queued{{u"op"_qs, u"queued"_qs},
                               {u"ticket"_qs, formatTicket(seq, view.tag)},
                               {u"eventId"_qs, m_engine.eventIdAt(view.eventIndex)},
                               {u"position"_qs, qint64(isDecided(view.state) ? 0 : m_position)}};
            if (!m_requestId.isEmpty())
                queued.insert(u"requestId"_qs, m_requestId);
            sendJson(connection, queued);
        }
        if (!isDecided(view.state))
            return false;
        QJsonObject result{{u"op"_qs, u"result"_qs},
                           {u"ticket"_qs, formatTicket(seq, view.tag)},
                           {u"eventId"_qs, m_engine.eventIdAt(view.eventIndex)},
                           {u"state"_qs, toString(view.state)}};
        if (view.state == TicketState::Won)
            result.insert(u"orderId"_qs, qint64(view.orderId));
        else
            result.insert(u"reason"_qs, toString(view.reason));
        if (!m_requestId.isEmpty())
            result.insert(u"requestId"_qs, m_requestId);
        sendJson(connection, result);
        if (view.state != TicketState::Lost || view.reason != LossReason::SoldOut)
            return true;
        const auto event = m_engine.event(m_engine.eventIdAt(view.eventIndex));
        m_awaitingOffer = event && event->config.paymentWindowSeconds > 0
            && event->config.releasePolicy == ReleasePolicy::Offer;
        return !m_awaitingOffer || sendOffer(seq, view);
    }
    void giveUp(std::uint64_t seq, std::uint64_t tag) override
    {
        if (m_queuedSent)
            return;
        sendError(**m_connection, "unavailable",
                  m_engine.isAccepting() ? u"the store has not recorded the request yet; retry with the same requestId"_qs
                                         : m_engine.unavailableReason(),
                  {{u"inReplyTo"_qs, u"purchase"_qs}, {u"requestId"_qs, m_requestId}, {u"ticket"_qs, formatTicket(seq, tag)}});
    }

private:
    // {"op":"offer", ticket, eventId, orderId, expiresAt, requestId?} once the view has one.
    bool sendOffer(std::uint64_t seq, const TicketView &view)
    {
        if (view.offerOrderId == 0)
            return false;
        QJsonObject offer{{u"op"_qs, u"offer"_qs},
                          {u"ticket"_qs, formatTicket(seq, view.tag)},
                          {u"eventId"_qs, m_engine.eventIdAt(view.eventIndex)},
                          {u"orderId"_qs, qint64(view.offerOrderId)},
                          {u"expiresAt"_qs, isoOrNull(view.offerExpiresAtMs)}};
        if (!m_requestId.isEmpty())
            offer.insert(u"requestId"_qs, m_requestId);
        sendJson(**m_connection, offer);
        return true;
    }

    Engine &m_engine;
    std::shared_ptr<WsConnection *> m_connection;
    std::shared_ptr<int> m_waits;
    bool m_awaitingOffer = false;
    bool m_queuedSent;
    std::int64_t m_position;
    QString m_requestId;
};

WsFront::WsFront(Engine &engine, WaiterTable &waiters, ShopperAdmission &admission)
    : m_engine(engine)
    , m_waiters(waiters)
    , m_admission(admission)
{
}

WsFront::~WsFront()
{
    for (auto &[id, client] : m_clients)
        *client.alive = nullptr;
    m_engine.countWebSocketClients(-int(m_clients.size()));
}

bool WsFront::isEndpoint(QStringView path)
{
    return path == u"/api/v1/ws" || path == u"/api/v1/admin/ws";
}

std::uint64_t WsFront::open(WsConnection *connection, bool admin, const QHostAddress &address)
{
    const std::uint64_t id = m_nextClientId++;
    Client &client = m_clients[id];
    client.connection = connection;
    client.admin = admin;
    client.address = address;
    client.alive = std::make_shared<WsConnection *>(connection);
    m_engine.countWebSocketClients(1);
    if (admin) {
        ++m_adminClients;
        if (!m_havePreviousStats) {
            m_previousStats = m_engine.stats();
            m_havePreviousStats = true;
        }
        QJsonObject snapshot = statsJson(m_previousStats);
        snapshot.insert(u"op"_qs, u"stats"_qs);
        snapshot.insert(u"ratesPerSecond"_qs, QJsonObject{});
        sendJson(*connection, snapshot);
    }
    return id;
}

void WsFront::closed(std::uint64_t clientId)
{
    auto it = m_clients.find(clientId);
    if (it == m_clients.end())
        return;
    Client &client = it->second;
    for (const auto &[eventId, version] : client.watching) {
        if (auto w = m_watched.find(eventId); w != m_watched.end() && --w->watchers <= 0)
            m_watched.erase(w);
    }
    if (client.admin)
        --m_adminClients;
    *client.alive = nullptr; // its ticket waiters go on the next drain or sweep
    m_clients.erase(it);
    m_engine.countWebSocketClients(-1);
}

void WsFront::sendJson(WsConnection &connection, const QJsonObject &object)
{
    connection.sendText(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

void WsFront::sendError(WsConnection &connection, const char *code, const QString &message, QJsonObject extra)
{
    extra.insert(u"op"_qs, u"error"_qs);
    extra.insert(u"error"_qs, QString::fromLatin1(code));
    extra.insert(u"message"_qs, message);
    sendJson(connection, extra);
}

void WsFront::message(std::uint64_t clientId, const QByteArray &payload, bool binary)
{
    auto it = m_clients.find(clientId);
    if (it == m_clients.end())
        return;
    Client &client = it->second;
    WsConnection &connection = *client.connection;
    if (binary)
        return sendError(connection, "bad_json", u"send JSON text messages, not binary ones"_qs);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return sendError(connection, "bad_json", QStringLiteral("the message is not valid JSON: %1").arg(parseError.errorString()));
    if (!document.isObject())
        return sendError(connection, "bad_json", u"the message must be a JSON object"_qs);
    const QJsonObject message = document.object();
    const QJsonValue op = message.value(u"op"_qs);
    if (!op.isString())
        return sendError(connection, "invalid_field", op.isUndefined() ? u"op is required"_qs : u"op must be a string"_qs);
    const QString name = op.toString();
    if (client.admin)
        return sendError(connection, "unknown_op", u"the admin feed takes no messages"_qs, {{u"inReplyTo"_qs, echo(name)}});
    if (name == u"purchase")
        return purchase(clientId, client, message);
    if (name == u"subscribe")
        return subscribe(clientId, client, message);
    if (name == u"watch")
        return watch(client, message);
    if (name == u"unwatch")
        return unwatch(client, message);
    sendError(connection, "unknown_op", u"op must be purchase, subscribe, watch or unwatch"_qs, {{u"inReplyTo"_qs, echo(name)}});
}

void WsFront::purchase(std::uint64_t, Client &client, const QJsonObject &message)
{
    WsConnection &connection = *client.connection;
    QJsonObject context{{u"inReplyTo"_qs, u"purchase"_qs}};
    if (const QJsonValue requestId = message.value(u"requestId"_qs);
        requestId.isString() && requestId.toString().size() <= limits::maxRequestIdLength)
        context.insert(u"requestId"_qs, requestId);
    const auto rateLimited = [&](const RateLimiter::Verdict &verdict, const QString &who) {
        m_engine.countRateLimited();
        QJsonObject extra = context;
        extra.insert(u"retryAfter"_qs, verdict.retryAfterS);
        sendError(connection, "rate_limited",
                  QStringLiteral("too many purchases from %1; retry in %2 s").arg(who).arg(verdict.retryAfterS), extra);
    };
    if (const RateLimiter::Verdict verdict = m_admission.admitAddress(client.address); !verdict.allowed)
        return rateLimited(verdict, u"this address"_qs);
    FieldReader fields(message);
    const QString eventId = fields.string(u"eventId"_qs, true, limits::maxEventIdLength).value_or(QString());
    if (!fields.ok())
        return sendError(connection, "invalid_field", fields.problem(), context);
    const auto event = m_engine.shopperEvent(eventId);
    if (!event)
        return sendError(connection, "not_found", QStringLiteral("no event \"%1\"").arg(eventId), context);
    QString problem;
    auto request = purchaseFromJson(message, *event, &problem);
    if (!request)
        return sendError(connection, "invalid_field", problem, context);
    if (request->simulated)
        return sendError(connection, "unauthorized", u"simulated purchases go through the HTTP API with the admin token"_qs,
                         context);
    if (const QString passProblem = m_admission.applyPass(*event, message.value(u"pass"_qs), *request);
        !passProblem.isEmpty()) {
        m_engine.countInvalidPass();
        return sendError(connection, "invalid_pass", passProblem, context);
    }
    if (event->config.shopperIdentity == ShopperIdentity::Signed) {
        if (const RateLimiter::Verdict verdict = m_admission.admitUser(request->userKey); !verdict.allowed)
            return rateLimited(verdict, u"this user"_qs);
    }
    if (*client.waits >= kMaxWaitsPerClient)
        return sendError(connection, "overloaded", u"too many purchases on this connection are still undecided"_qs, context);

    QString requestId = request->requestId;
    const SubmitResult result = m_engine.submit(eventId, std::move(*request), m_waiters.listenerId(), TicketState::Won);
    if (result.status != Status::Ok) {
        QJsonObject error = submitErrorJson(result, eventId);
        for (auto i = context.constBegin(); i != context.constEnd(); ++i)
            error.insert(i.key(), i.value());
        error.insert(u"op"_qs, u"error"_qs);
        return sendJson(connection, error);
    }
    if (result.inStore) {
        // Answering it means reading the journal, which the HTTP API does off its event loop.
        return sendError(connection, "in_store",
                         u"this requestId's ticket is older than the node keeps in memory; send the purchase again "
                         "over HTTP (POST /api/v1/events/{eventId}/purchases) to get its answer"_qs,
                         context);
    }
    auto push = std::make_unique<TicketPush>(m_engine, client, false, result.position, std::move(requestId));
    if (push->update(result.ticket.seq, result.ticket, false))
        return;
    WaiterTable::Wait wait;
    wait.waiter = std::move(push);
    wait.tag = result.ticket.tag;
    wait.until = TicketState::Won;
    wait.giveUpAtUs = Engine::steadyMicros() + fairStartHoldMs(event->config, event->state, Engine::nowMs()) * 1000
        + m_waiters.durableGraceUs();
    m_waiters.add(result.ticket.seq, std::move(wait));
}

void WsFront::subscribe(std::uint64_t, Client &client, const QJsonObject &message)
{
    WsConnection &connection = *client.connection;
    QJsonObject context{{u"inReplyTo"_qs, u"subscribe"_qs}};
    FieldReader fields(message);
    const QString ticketText = fields.string(u"ticket"_qs, true, 64).value_or(QString());
    if (!fields.ok())
        return sendError(connection, "invalid_field", fields.problem(), context);
    context.insert(u"ticket"_qs, ticketText);
    std::uint64_t seq = 0;
    std::uint64_t tag = 0;
    const auto view = parseTicket(ticketText, &seq, &tag)
        ? m_engine.watchTicket(seq, tag, m_waiters.listenerId(), TicketState::Won)
        : std::nullopt;
    if (!view && m_engine.isInStore(seq)) {
        return sendError(connection, "in_store",
                         u"this ticket is older than the node keeps in memory; read it with GET /api/v1/tickets/{ticket}"_qs,
                         context);
    }
    if (!view)
        return sendError(connection, "not_found", QStringLiteral("no ticket \"%1\"").arg(ticketText), context);
    if (*client.waits >= kMaxWaitsPerClient)
        return sendError(connection, "overloaded", u"too many tickets on this connection are still undecided"_qs, context);
    auto push = std::make_unique<TicketPush>(m_engine, client, true, 0, QString());
    if (push->update(seq, *view, false))
        return;
    WaiterTable::Wait wait;
    wait.waiter = std::move(push);
    wait.tag = tag;
    wait.until = TicketState::Won;
    m_waiters.add(seq, std::move(wait));
}

void WsFront::watch(Client &client, const QJsonObject &message)
{
    QJsonObject context{{u"inReplyTo"_qs, u"watch"_qs}};
    FieldReader fields(message);
    const QString eventId = fields.string(u"eventId"_qs, true, limits::maxEventIdLength).value_or(QString());
    if (!fields.ok())
        return sendError(*client.connection, "invalid_field", fields.problem(), context);
    context.insert(u"eventId"_qs, echo(eventId));
    const auto event = m_engine.shopperEvent(eventId);
    if (!event)
        return sendError(*client.connection, "not_found", QStringLiteral("no event \"%1\"").arg(eventId), context);

    auto watching = std::find_if(client.watching.begin(), client.watching.end(),
                                 [&](const auto &entry) { return entry.first == eventId; });
    if (watching == client.watching.end()) {
        if (int(client.watching.size()) >= kMaxWatchesPerClient)
            return sendError(*client.connection, "overloaded",
                             QStringLiteral("one connection may watch at most %1 events").arg(kMaxWatchesPerClient), context);
        client.watching.emplace_back(eventId, 0);
        watching = client.watching.end() - 1;
        ++m_watched[eventId].watchers;
    }
    WatchedEvent &watched = m_watched[eventId];
    if (watched.version == 0 || !sameForShoppers(watched.last, *event)
        || (watched.countdownOnly && !showsCountdownOnly(*event, Engine::nowMs()))) {
        watched.last = *event;
        watched.countdownOnly = showsCountdownOnly(*event, Engine::nowMs());
        QJsonObject json = publicEventJson(*event);
        json.insert(u"op"_qs, u"event"_qs);
        watched.message = QJsonDocument(json).toJson(QJsonDocument::Compact);
        ++watched.version;
    }
    // The answer to a watch goes out at once, and counts towards the 5 a second.
    client.connection->sendText(watched.message);
    watching->second = watched.version;
    client.nextEventUs = Engine::steadyMicros() + std::int64_t(kEventGapMs) * 1000;
}

void WsFront::unwatch(Client &client, const QJsonObject &message)
{
    FieldReader fields(message);
    const QString eventId = fields.string(u"eventId"_qs, true, limits::maxEventIdLength).value_or(QString());
    if (!fields.ok())
        return sendError(*client.connection, "invalid_field", fields.problem(), {{u"inReplyTo"_qs, u"unwatch"_qs}});
    const auto watching = std::find_if(client.watching.begin(), client.watching.end(),
                                       [&](const auto &entry) { return entry.first == eventId; });
    if (watching == client.watching.end())
        return;
    client.watching.erase(watching);
    if (auto w = m_watched.find(eventId); w != m_watched.end() && --w->watchers <= 0)
        m_watched.erase(w);
}

void WsFront::tick()
{
    ++m_ticks;
    const std::int64_t nowUs = Engine::steadyMicros();
    if (!m_watched.isEmpty())
        refreshWatchedEvents(nowUs);
    if (m_adminClients > 0 && m_ticks % kAdminEveryTicks == 0)
        sendAdminFeed();
}

void WsFront::refreshWatchedEvents(std::int64_t nowUs)
{
    for (auto it = m_watched.begin(); it != m_watched.end(); ++it) {
        const auto event = m_engine.event(it.key());
        // Also when startsAt passes: shoppers then get the fields the countdown left out.
        if (!event || (sameForShoppers(it->last, *event) && !(it->countdownOnly && !showsCountdownOnly(*event, Engine::nowMs()))))
            continue;
        it->last = *event;
        it->countdownOnly = showsCountdownOnly(*event, Engine::nowMs());
        QJsonObject json = publicEventJson(*event);
        json.insert(u"op"_qs, u"event"_qs);
        it->message = QJsonDocument(json).toJson(QJsonDocument::Compact);
        ++it->version;
    }
    for (auto &[id, client] : m_clients) {
        if (client.watching.empty() || nowUs < client.nextEventUs || client.connection->queuedBytes() > kSlowReaderBytes)
            continue;
        // One message per connection per gap; several stale events take turns.
        const std::size_t n = client.watching.size();
        for (std::size_t k = 0; k < n; ++k) {
            auto &[eventId, sentVersion] = client.watching[(client.watchCursor + k) % n];
            const auto watched = m_watched.constFind(eventId);
            if (watched == m_watched.constEnd() || watched->version == sentVersion)
                continue;
            client.connection->sendText(watched->message);
            sentVersion = watched->version;
            client.watchCursor = (client.watchCursor + k + 1) % n;
            client.nextEventUs = nowUs + std::int64_t(kEventGapMs) * 1000;
            break;
        }
    }
}

void WsFront::sendAdminFeed()
{
    const EngineStats stats = m_engine.stats();
    QJsonObject snapshot = statsJson(stats);
    snapshot.insert(u"op"_qs, u"stats"_qs);
    const double seconds = double(stats.atMs - m_previousStats.atMs) / 1000.0;
    if (m_havePreviousStats && seconds > 0) {
        const auto rate = [seconds](auto now, auto before) { return double(now - before) / seconds; };
        snapshot.insert(u"ratesPerSecond"_qs,
                        QJsonObject{{u"accepted"_qs, rate(stats.requests.accepted, m_previousStats.requests.accepted)},
                                    {u"decided"_qs, rate(stats.requests.decided(), m_previousStats.requests.decided())},
                                    {u"won"_qs, rate(stats.requests.won, m_previousStats.requests.won)},
                                    {u"wonUnits"_qs, rate(stats.requests.wonUnits, m_previousStats.requests.wonUnits)},
                                    {u"lost"_qs, rate(stats.requests.lost, m_previousStats.requests.lost)},
                                    {u"rejectedOverload"_qs, rate(stats.rejectedOverload, m_previousStats.rejectedOverload)},
                                    {u"commits"_qs, rate(stats.commits, m_previousStats.commits)}});
    } else {
        snapshot.insert(u"ratesPerSecond"_qs, QJsonObject{});
    }
    m_previousStats = stats;
    m_havePreviousStats = true;
    const QByteArray text = QJsonDocument(snapshot).toJson(QJsonDocument::Compact);
    for (auto &[id, client] : m_clients) {
        if (client.admin)
            client.connection->sendText(text);
    }
}

} // namespace flashsale
