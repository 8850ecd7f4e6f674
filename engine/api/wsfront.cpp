#include "engine/api/wsfront.h"

#include "engine/api/admintoken.h"
#include "engine/api/apijson.h"
#include "engine/api/httpfront.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QUrlQuery>
#include <QWebSocket>

namespace flashsale {

namespace {

constexpr int kTickMs = 100;
constexpr int kAdminEveryTicks = WsFront::kAdminFeedMs / kTickMs;
constexpr int kSweepEveryTicks = 10;
constexpr int kDefaultPingMs = 15000; // a peer silent through two pings is dropped
constexpr std::int64_t kDurableGraceUs = 10'000'000;
constexpr int kMaxWaitsPerClient = 256;
constexpr int kMaxWatchesPerClient = 16;
constexpr qint64 kSlowReaderBytes = 1 << 20; // skip `event` messages while this much is unsent

} // namespace

WsFront::WsFront(Engine &engine, const SharedToken &adminToken, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_adminToken(adminToken)
{
    m_listenerId = m_engine.addListener(this);
    // FLASHSALE_WS_PING_MS shortens the ping interval (tests, or proxies that cut idle links sooner).
    bool ok = false;
    const int pingMs = qEnvironmentVariableIntValue("FLASHSALE_WS_PING_MS", &ok);
    m_pingEveryTicks = std::max(1, (ok && pingMs > 0 ? pingMs : kDefaultPingMs) / kTickMs);
    m_timer.setInterval(kTickMs);
    QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
}

WsFront::~WsFront()
{
    m_engine.removeListener(m_listenerId);
    for (auto &[id, client] : m_clients) {
        client.socket->disconnect(this);
        client.socket->abort();
    }
    m_engine.countWebSocketClients(-int(m_clients.size()));
}

void WsFront::refuse(std::unique_ptr<QWebSocket> socket, const QString &reason)
{
    // Closed from the event loop: Qt is still finishing the handshake on this socket right now.
    QWebSocket *raw = socket.release();
    QMetaObject::invokeMethod(raw, [raw, reason] {
        raw->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
        raw->deleteLater();
    }, Qt::QueuedConnection);
}

bool WsFront::isEndpoint(QStringView path)
{
    return path == u"/api/v1/ws" || path == u"/api/v1/admin/ws";
}

void WsFront::adopt(std::unique_ptr<QWebSocket> socket)
{
    if (!socket)
        return;
    const QString path = socket->requestUrl().path();
    const bool admin = path == u"/api/v1/admin/ws";
    if (!isEndpoint(path))
        return refuse(std::move(socket), QStringLiteral("no WebSocket endpoint at %1").arg(path));
    if (admin) {
        QByteArray given = socket->request().rawHeader("Authorization");
        if (given.startsWith("Bearer "))
            given = given.mid(7).trimmed();
        else
            given = QUrlQuery(socket->requestUrl()).queryItemValue(u"token"_qs, QUrl::FullyDecoded).toUtf8();
        const QByteArray token = m_adminToken.get();
        if (token.isEmpty() || !tokensEqual(given, token))
            return refuse(std::move(socket), u"wrong or missing admin token"_qs);
    }

    socket->setMaxAllowedIncomingFrameSize(quint64(kMaxMessageBytes));
    socket->setMaxAllowedIncomingMessageSize(quint64(kMaxMessageBytes));
    const std::uint64_t id = m_nextClientId++;
    QWebSocket *raw = socket.get();
    Client &client = m_clients[id];
    client.socket = std::move(socket);
    client.admin = admin;
    m_engine.countWebSocketClients(1);

    QObject::connect(raw, &QWebSocket::textMessageReceived, this, [this, id](const QString &text) { onText(id, text); });
    QObject::connect(raw, &QWebSocket::binaryMessageReceived, this, [this, id](const QByteArray &) {
        if (auto it = m_clients.find(id); it != m_clients.end())
            sendError(it->second, "bad_json", u"send JSON text messages, not binary ones"_qs);
    });
    QObject::connect(raw, &QWebSocket::pong, this, [this, id] {
        if (auto it = m_clients.find(id); it != m_clients.end())
            it->second.pongDue = false;
    });
    QObject::connect(raw, &QWebSocket::disconnected, this, [this, id] { drop(id); });
    if (!m_timer.isActive())
        m_timer.start();

    if (admin) {
        ++m_adminClients;
        if (!m_havePreviousStats) {
            m_previousStats = m_engine.stats();
            m_havePreviousStats = true;
        }
        QJsonObject snapshot = statsJson(m_previousStats);
        snapshot.insert(u"op"_qs, u"stats"_qs);
        snapshot.insert(u"ratesPerSecond"_qs, QJsonObject{});
        sendJson(client, snapshot);
    }
}

void WsFront::drop(std::uint64_t clientId)
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
    client.socket->disconnect(this);
    client.socket.release()->deleteLater(); // we may be inside one of its signals
    m_clients.erase(it);
    m_engine.countWebSocketClients(-1);
    // Its ticket waits go on the next drain or sweep.
    if (m_clients.empty())
        m_timer.stop();
}

void WsFront::sendJson(Client &client, const QJsonObject &object)
{
    client.socket->sendTextMessage(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void WsFront::sendError(Client &client, const char *code, const QString &message, QJsonObject extra)
{
    extra.insert(u"op"_qs, u"error"_qs);
    extra.insert(u"error"_qs, QString::fromLatin1(code));
    extra.insert(u"message"_qs, message);
    sendJson(client, extra);
}

void WsFront::onText(std::uint64_t clientId, const QString &text)
{
    auto it = m_clients.find(clientId);
    if (it == m_clients.end())
        return;
    Client &client = it->second;
    client.pongDue = false;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return sendError(client, "bad_json", QStringLiteral("the message is not valid JSON: %1").arg(parseError.errorString()));
    if (!document.isObject())
        return sendError(client, "bad_json", u"the message must be a JSON object"_qs);
    const QJsonObject message = document.object();
    const QJsonValue op = message.value(u"op"_qs);
    if (!op.isString())
        return sendError(client, "invalid_field", op.isUndefined() ? u"op is required"_qs : u"op must be a string"_qs);
    const QString name = op.toString();
    if (client.admin) {
        return sendError(client, "unknown_op", u"the admin feed takes no messages"_qs, {{u"inReplyTo"_qs, name}});
    }
    if (name == u"purchase")
        return purchase(clientId, client, message);
    if (name == u"subscribe")
        return subscribe(clientId, client, message);
    if (name == u"watch")
        return watch(client, message);
    if (name == u"unwatch")
        return unwatch(client, message);
    sendError(client, "unknown_op", u"op must be purchase, subscribe, watch or unwatch"_qs, {{u"inReplyTo"_qs, name}});
}

void WsFront::purchase(std::uint64_t clientId, Client &client, const QJsonObject &message)
{
    QJsonObject context{{u"inReplyTo"_qs, u"purchase"_qs}};
    if (const QJsonValue requestId = message.value(u"requestId"_qs); requestId.isString())
        context.insert(u"requestId"_qs, requestId);
    FieldReader fields(message);
    const QString eventId = fields.string(u"eventId"_qs, true, limits::maxEventIdLength).value_or(QString());
    if (!fields.ok())
        return sendError(client, "invalid_field", fields.problem(), context);
    const auto event = m_engine.shopperEvent(eventId);
    if (!event)
        return sendError(client, "not_found", QStringLiteral("no event \"%1\"").arg(eventId), context);
    QString problem;
    auto request = purchaseFromJson(message, *event, &problem);
    if (!request)
        return sendError(client, "invalid_field", problem, context);
    if (request->simulated)
        return sendError(client, "unauthorized", u"simulated purchases go through the HTTP API with the admin token"_qs,
                         context);
    if (client.waits >= kMaxWaitsPerClient)
        return sendError(client, "overloaded", u"too many purchases on this connection are still undecided"_qs, context);

    const QString requestId = request->requestId;
    const SubmitResult result = m_engine.submit(eventId, std::move(*request), m_listenerId, TicketState::Won);
    if (result.status != Status::Ok) {
        QJsonObject error = submitErrorJson(result, eventId);
        for (auto i = context.constBegin(); i != context.constEnd(); ++i)
            error.insert(i.key(), i.value());
        error.insert(u"op"_qs, u"error"_qs);
        return sendJson(client, error);
    }
    TicketWait wait;
    wait.client = clientId;
    wait.tag = result.ticket.tag;
    wait.queuedSent = false;
    wait.position = result.position;
    wait.giveUpAtUs = Engine::steadyMicros() + kDurableGraceUs;
    wait.requestId = requestId;
    if (!advance(result.ticket.seq, result.ticket, wait, client)) {
        ++client.waits;
        m_waits.emplace(result.ticket.seq, std::move(wait));
    }
}

void WsFront::subscribe(std::uint64_t clientId, Client &client, const QJsonObject &message)
{
    QJsonObject context{{u"inReplyTo"_qs, u"subscribe"_qs}};
    FieldReader fields(message);
    const QString ticketText = fields.string(u"ticket"_qs, true, 64).value_or(QString());
    if (!fields.ok())
        return sendError(client, "invalid_field", fields.problem(), context);
    context.insert(u"ticket"_qs, ticketText);
    std::uint64_t seq = 0;
    std::uint64_t tag = 0;
    const auto view = parseTicket(ticketText, &seq, &tag) ? m_engine.watchTicket(seq, tag, m_listenerId, TicketState::Won)
                                                          : std::nullopt;
    if (!view)
        return sendError(client, "not_found", QStringLiteral("no ticket \"%1\"").arg(ticketText), context);
    if (client.waits >= kMaxWaitsPerClient)
        return sendError(client, "overloaded", u"too many tickets on this connection are still undecided"_qs, context);
    TicketWait wait;
    wait.client = clientId;
    wait.tag = tag;
    if (!advance(seq, *view, wait, client)) {
        ++client.waits;
        m_waits.emplace(seq, std::move(wait));
    }
}

bool WsFront::advance(std::uint64_t seq, const TicketView &view, TicketWait &wait, Client &client)
{
    // Never say "queued" before the journal commit, exactly like the HTTP answers.
    if (!wait.queuedSent && view.state >= TicketState::Queued) {
        wait.queuedSent = true;
        QJsonObject queued{{u"op"_qs, u"queued"_qs},
                           {u"ticket"_qs, formatTicket(seq, view.tag)},
                           {u"eventId"_qs, m_engine.eventIdAt(view.eventIndex)},
                           {u"position"_qs, qint64(isDecided(view.state) ? 0 : wait.position)}};
        if (!wait.requestId.isEmpty())
            queued.insert(u"requestId"_qs, wait.requestId);
        sendJson(client, queued);
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
    if (!wait.requestId.isEmpty())
        result.insert(u"requestId"_qs, wait.requestId);
    sendJson(client, result);
    return true;
}

void WsFront::ticketsChanged(std::vector<std::uint64_t> &seqs)
{
    if (m_inbox.push(seqs))
        QMetaObject::invokeMethod(this, [this] { drainInbox(); }, Qt::QueuedConnection);
}

void WsFront::drainInbox()
{
    m_inbox.takeAll(m_draining);
    for (const std::uint64_t seq : m_draining) {
        auto [begin, end] = m_waits.equal_range(seq);
        for (auto it = begin; it != end;) {
            TicketWait &wait = it->second;
            auto client = m_clients.find(wait.client);
            const auto view = client == m_clients.end()
                ? std::nullopt
                : m_engine.watchTicket(seq, wait.tag, m_listenerId, TicketState::Won);
            if (!view || advance(seq, *view, wait, client->second)) {
                if (client != m_clients.end())
                    --client->second.waits;
                it = m_waits.erase(it);
            } else {
                ++it;
            }
        }
    }
    m_draining.clear();
}

void WsFront::watch(Client &client, const QJsonObject &message)
{
    QJsonObject context{{u"inReplyTo"_qs, u"watch"_qs}};
    FieldReader fields(message);
    const QString eventId = fields.string(u"eventId"_qs, true, limits::maxEventIdLength).value_or(QString());
    if (!fields.ok())
        return sendError(client, "invalid_field", fields.problem(), context);
    context.insert(u"eventId"_qs, eventId);
    const auto event = m_engine.shopperEvent(eventId);
    if (!event)
        return sendError(client, "not_found", QStringLiteral("no event \"%1\"").arg(eventId), context);

    auto watching = std::find_if(client.watching.begin(), client.watching.end(),
                                 [&](const auto &entry) { return entry.first == eventId; });
    if (watching == client.watching.end()) {
        if (int(client.watching.size()) >= kMaxWatchesPerClient)
            return sendError(client, "overloaded",
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
        watched.message = QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
        ++watched.version;
    }
    // The answer to a watch goes out at once, and counts towards the 5 a second.
    client.socket->sendTextMessage(watched.message);
    watching->second = watched.version;
    client.nextEventUs = Engine::steadyMicros() + std::int64_t(kEventGapMs) * 1000;
}

void WsFront::unwatch(Client &client, const QJsonObject &message)
{
    FieldReader fields(message);
    const QString eventId = fields.string(u"eventId"_qs, true, limits::maxEventIdLength).value_or(QString());
    if (!fields.ok())
        return sendError(client, "invalid_field", fields.problem(), {{u"inReplyTo"_qs, u"unwatch"_qs}});
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
    if (m_ticks % kSweepEveryTicks == 0)
        sweepWaits(nowUs);
    if (m_ticks % std::uint64_t(m_pingEveryTicks) == 0)
        pingClients();
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
        it->message = QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
        ++it->version;
    }
    for (auto &[id, client] : m_clients) {
        if (client.watching.empty() || nowUs < client.nextEventUs || client.socket->bytesToWrite() > kSlowReaderBytes)
            continue;
        // One message per connection per gap; several stale events take turns.
        const std::size_t n = client.watching.size();
        for (std::size_t k = 0; k < n; ++k) {
            auto &[eventId, sentVersion] = client.watching[(client.watchCursor + k) % n];
            const auto watched = m_watched.constFind(eventId);
            if (watched == m_watched.constEnd() || watched->version == sentVersion)
                continue;
            client.socket->sendTextMessage(watched->message);
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
    const QString text = QString::fromUtf8(QJsonDocument(snapshot).toJson(QJsonDocument::Compact));
    for (auto &[id, client] : m_clients) {
        if (client.admin)
            client.socket->sendTextMessage(text);
    }
}

void WsFront::sweepWaits(std::int64_t nowUs)
{
    for (auto it = m_waits.begin(); it != m_waits.end();) {
        TicketWait &wait = it->second;
        auto client = m_clients.find(wait.client);
        if (client == m_clients.end()) {
            it = m_waits.erase(it);
            continue;
        }
        if (!wait.queuedSent && wait.giveUpAtUs > 0 && nowUs >= wait.giveUpAtUs) {
            const auto view = m_engine.ticket(it->first, wait.tag);
            if (view && view->state >= TicketState::Queued) {
                // The drain will deliver it; the notification is on its way.
                ++it;
                continue;
            }
            sendError(client->second, "unavailable",
                      u"the store has not recorded the request yet; retry with the same requestId"_qs,
                      {{u"inReplyTo"_qs, u"purchase"_qs}, {u"requestId"_qs, wait.requestId},
                       {u"ticket"_qs, formatTicket(it->first, wait.tag)}});
            --client->second.waits;
            it = m_waits.erase(it);
            continue;
        }
        ++it;
    }
}

void WsFront::pingClients()
{
    std::vector<QWebSocket *> dead;
    for (auto &[id, client] : m_clients) {
        if (client.pongDue) {
            dead.push_back(client.socket.get());
            continue;
        }
        client.pongDue = true;
        client.socket->ping();
    }
    // abort() emits disconnected, which drops the client: do it outside the loop.
    for (QWebSocket *socket : dead)
        socket->abort();
}

} // namespace flashsale
