#include "ui/backend/remotebackend.h"

#include "engine/storage/salereport.h"
#include "engine/storage/webhooks.h"
#include "ui/backend/backendrehearsal.h"
#include "ui/backend/recordsexport.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QUrlQuery>

#include <algorithm>

namespace flashsale {

namespace {

constexpr int kExportPageRows = 1000; // the API's largest page

std::int64_t msOf(const QJsonValue &value)
{
    if (!value.isString())
        return 0;
    const QDateTime t = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

QJsonValue isoOf(std::int64_t ms)
{
    if (ms <= 0)
        return QJsonValue::Null;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// The per-event or total request counters of the admin API (apijson's insertCounts).
RequestCounts countsFromJson(const QJsonObject &o)
{
    RequestCounts counts;
    counts.accepted = o.value(u"accepted").toInteger();
    counts.won = o.value(u"won").toInteger();
    counts.lost = o.value(u"lost").toInteger();
    counts.wonUnits = o.value(u"wonUnits").toInteger();
    return counts;
}

// An event's "orders" object (apijson's orderCountsJson).
OrderCounts orderCountsFromJson(const QJsonObject &o)
{
    OrderCounts counts;
    counts.pendingOrders = o.value(u"pendingOrders").toInteger();
    counts.pendingUnits = o.value(u"pendingUnits").toInteger();
    counts.paidUnits = o.value(u"paidUnits").toInteger();
    counts.cancelledUnits = o.value(u"cancelledUnits").toInteger();
    counts.expiredUnits = o.value(u"expiredUnits").toInteger();
    counts.offeredUnits = o.value(u"offeredUnits").toInteger();
    return counts;
}

// An admin event (GET /api/v1/admin/events) as the engine's snapshot.
EventSnapshot eventFromJson(const QJsonObject &o)
{
    EventSnapshot e;
    e.config.id = o.value(u"id").toString();
    e.config.name = o.value(u"name").toString();
    e.config.priceCents = o.value(u"priceCents").toInteger();
    e.config.currency = o.value(u"currency").toString(u"CNY"_qs);
    e.config.stock = o.value(u"initialStock").toInteger();
    e.config.perUserLimit = std::int32_t(o.value(u"perUserLimit").toInteger(1));
    e.config.paymentWindowSeconds = std::int32_t(o.value(u"paymentWindowSeconds").toInteger(0));
    e.config.releasePolicy = releasePolicyFromString(o.value(u"releasePolicy").toString()).value_or(ReleasePolicy::Restock);
    e.config.startsAtMs = msOf(o.value(u"startsAt"));
    e.config.endsAtMs = msOf(o.value(u"endsAt"));
    e.config.rehearsal = o.value(u"rehearsal").toBool();
    e.config.shopperIdentity = shopperIdentityFromString(o.value(u"shopperIdentity").toString()).value_or(ShopperIdentity::Open);
    e.config.fairStartMs = std::int32_t(o.value(u"fairStartMs").toInteger());
    e.state = eventStateFromString(o.value(u"state").toString()).value_or(EventState::Draft);
    e.stockTotal = o.value(u"stock").toInteger();
    e.remaining = o.value(u"remaining").toInteger();
    e.requests = countsFromJson(o);
    e.orders = orderCountsFromJson(o.value(u"orders").toObject());
    e.createdAtMs = msOf(o.value(u"createdAt"));
    e.updatedAtMs = msOf(o.value(u"updatedAt"));
    return e;
}

OrderRow orderFromJson(const QJsonObject &o)
{
    OrderRow r;
    r.orderId = o.value(u"orderId").toInteger();
    r.eventId = o.value(u"eventId").toString();
    r.userId = o.value(u"userId").toString();
    r.quantity = std::int32_t(o.value(u"quantity").toInteger());
    r.priceCents = o.value(u"priceCents").toInteger();
    r.totalCents = o.value(u"totalCents").toInteger();
    r.requestId = o.value(u"requestId").toString();
    r.contact = o.value(u"contact").toString();
    r.simulated = o.value(u"simulated").toBool();
    r.decidedAtMs = msOf(o.value(u"decidedAt"));
    r.status = orderStatusFromString(o.value(u"status").toString()).value_or(OrderStatus::Final);
    r.source = orderSourceFromString(o.value(u"source").toString()).value_or(OrderSource::Sale);
    r.expiresAtMs = msOf(o.value(u"expiresAt"));
    r.paidAtMs = msOf(o.value(u"paidAt"));
    return r;
}

IntentRow intentFromJson(const QJsonObject &o)
{
    IntentRow r;
    r.eventId = o.value(u"eventId").toString();
    r.userId = o.value(u"userId").toString();
    r.contact = o.value(u"contact").toString();
    r.quantity = std::int32_t(o.value(u"quantity").toInteger());
    r.lastReason = lossReasonFromString(o.value(u"lastReason").toString()).value_or(LossReason::SoldOut);
    r.attempts = std::int32_t(o.value(u"attempts").toInteger());
    r.firstAtMs = msOf(o.value(u"firstAt"));
    r.lastAtMs = msOf(o.value(u"lastAt"));
    r.simulated = o.value(u"simulated").toBool();
    r.offeredAtMs = msOf(o.value(u"offeredAt"));
    r.offerOrderId = o.value(u"offerOrderId").toInteger();
    r.offerOutcome = orderStatusFromString(o.value(u"offerOutcome").toString());
    return r;
}

QString boolText(bool value)
{
    return value ? u"true"_qs : u"false"_qs;
}

// GET …/orders: the filters of an OrderQuery.
QUrlQuery queryOf(const OrderQuery &q)
{
    QUrlQuery query;
    if (!q.userContains.isEmpty())
        query.addQueryItem(u"user"_qs, QString::fromUtf8(QUrl::toPercentEncoding(q.userContains)));
    if (q.status)
        query.addQueryItem(u"status"_qs, toString(*q.status));
    query.addQueryItem(u"includeSimulated"_qs, boolText(q.includeSimulated));
    query.addQueryItem(u"includeRehearsals"_qs, boolText(q.includeRehearsals));
    query.addQueryItem(u"offset"_qs, QString::number(q.offset));
    query.addQueryItem(u"limit"_qs, QString::number(q.limit));
    return query;
}

QString sortText(IntentSort sort)
{
    switch (sort) {
    case IntentSort::LastAt: return u"lastAt"_qs;
    case IntentSort::FirstAt: return u"firstAt"_qs;
    case IntentSort::Attempts: return u"attempts"_qs;
    case IntentSort::Quantity: return u"quantity"_qs;
    case IntentSort::UserId: return u"userId"_qs;
    }
    return u"lastAt"_qs;
}

// GET …/intents: the filters of an IntentQuery.
QUrlQuery queryOf(const IntentQuery &q)
{
    QUrlQuery query;
    if (q.reason)
        query.addQueryItem(u"reason"_qs, toString(*q.reason));
    if (q.fromMs > 0)
        query.addQueryItem(u"from"_qs, QString::fromUtf8(QUrl::toPercentEncoding(isoOf(q.fromMs).toString())));
    if (q.toMs > 0)
        query.addQueryItem(u"to"_qs, QString::fromUtf8(QUrl::toPercentEncoding(isoOf(q.toMs).toString())));
    if (q.withContactOnly)
        query.addQueryItem(u"hasContact"_qs, u"true"_qs);
    if (q.offeredOnly)
        query.addQueryItem(u"offered"_qs, u"true"_qs);
    query.addQueryItem(u"includeSimulated"_qs, boolText(q.includeSimulated));
    query.addQueryItem(u"includeRehearsals"_qs, boolText(q.includeRehearsals));
    query.addQueryItem(u"sort"_qs, sortText(q.sort));
    query.addQueryItem(u"order"_qs, q.descending ? u"desc"_qs : u"asc"_qs);
    query.addQueryItem(u"offset"_qs, QString::number(q.offset));
    query.addQueryItem(u"limit"_qs, QString::number(q.limit));
    return query;
}

// The records path of a query: one event's, or every event's.
QString recordsPath(const QString &eventId, const char *what)
{
    return eventId.isEmpty() ? u"/api/v1/admin/"_qs + QLatin1String(what)
                             : u"/api/v1/admin/events/"_qs + eventId + u'/' + QLatin1String(what);
}

// The engine's status for an error body's code ({"error": "not_found", …}).
Status statusOfError(const QString &code, int httpStatus)
{
    if (code == u"not_found")
        return Status::NotFound;
    if (code == u"invalid_field" || code == u"bad_json")
        return Status::Invalid;
    if (code == u"exists")
        return Status::Exists;
    if (code == u"invalid_state")
        return Status::InvalidState;
    if (code == u"overloaded")
        return Status::Overloaded;
    return httpStatus == 404 ? Status::NotFound : Status::Unavailable;
}

QNetworkRequest adminRequest(const QUrl &url, const QString &token)
{
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    request.setTransferTimeout(RemoteBackend::kRequestTimeoutMs);
    return request;
}

// Reads the records for an export from the node's API, one page of 1,000 rows at a time, with a
// network client of its own and a local event loop. Thread: the export's worker thread.
class ApiSource : public RecordsSource
{
public:
    ApiSource(QUrl base, QString token) : m_base(std::move(base)), m_token(std::move(token)) {}

    bool countOrders(const OrderQuery &q, std::int64_t *total, QString *error) override
    {
        OrderQuery one = q;
        one.limit = 1;
        return page(recordsPath(q.eventId, "orders"), queryOf(one), total, nullptr, error);
    }
    bool listOrders(const OrderQuery &q, const std::function<bool(const OrderRow &)> &row, QString *error) override
    {
        return list(q, row, "orders", orderFromJson, error);
    }
    bool countIntents(const IntentQuery &q, std::int64_t *total, QString *error) override
    {
        IntentQuery one = q;
        one.limit = 1;
        return page(recordsPath(q.eventId, "intents"), queryOf(one), total, nullptr, error);
    }
    bool listIntents(const IntentQuery &q, const std::function<bool(const IntentRow &)> &row, QString *error) override
    {
        return list(q, row, "intents", intentFromJson, error);
    }

private:
    template<typename Query, typename Row>
    bool list(const Query &q, const std::function<bool(const Row &)> &row, const char *what,
              Row (*fromJson)(const QJsonObject &), QString *error)
    {
        Query paged = q;
        paged.offset = 0;
        paged.limit = kExportPageRows;
        for (;;) {
            std::int64_t total = 0;
            QJsonArray items;
            if (!page(recordsPath(q.eventId, what), queryOf(paged), &total, &items, error))
                return false;
            for (const QJsonValue &item : std::as_const(items)) {
                if (!row(fromJson(item.toObject())))
                    return true; // stopped by the caller
            }
            paged.offset += items.size();
            if (items.isEmpty() || paged.offset >= total)
                return true;
        }
    }

    bool page(const QString &path, const QUrlQuery &query, std::int64_t *total, QJsonArray *items, QString *error)
    {
        QUrl url = m_base;
        url.setPath(path);
        url.setQuery(query);
        QNetworkReply *reply = m_http.get(adminRequest(url, m_token));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200) {
            *error = status == 0 ? reply->errorString() : body.value(u"message").toString(reply->errorString());
            return false;
        }
        *total = body.value(u"total").toInteger();
        m_notYetListed = body.value(u"notYetListed").toInteger(); // lead pages only; 0 on orders
        if (items)
            *items = body.value(u"items").toArray();
        return true;
    }

    QUrl m_base;
    QString m_token;
    QNetworkAccessManager m_http;
};

} // namespace

RemoteBackend::RemoteBackend(const QUrl &baseUrl, const QString &adminToken, QObject *parent)
    : ConsoleBackend(parent)
    , m_base(baseUrl.adjusted(QUrl::StripTrailingSlash | QUrl::RemovePath | QUrl::RemoveQuery))
    , m_token(adminToken)
{
    m_exports.setMaxThreadCount(2);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &RemoteBackend::openFeed);
    m_silence.setSingleShot(true);
    m_silence.setInterval(kSilentMs);
    connect(&m_silence, &QTimer::timeout, this, [this] {
        linkDown(tr("the node sent nothing for %n second(s)", nullptr, kSilentMs / 1000));
    });
    connect(&m_feed, &QWebSocket::connected, this, [this] {
        m_nextRetryMs = kFirstRetryMs;
        m_silence.start();
        fetchEvents();
    });
    connect(&m_feed, &QWebSocket::textMessageReceived, this, &RemoteBackend::feedMessage);
    connect(&m_feed, &QWebSocket::disconnected, this, [this] {
        if (m_feed.closeCode() == QWebSocketProtocol::CloseCodePolicyViolated)
            return linkDown(tr("the node refused the admin token"));
        linkDown(m_feed.errorString().isEmpty() || m_feed.error() == QAbstractSocket::UnknownSocketError
                     ? tr("the connection closed")
                     : m_feed.errorString());
    });
}

RemoteBackend::~RemoteBackend()
{
    shutDown();
}

bool RemoteBackend::start()
{
    m_stopped = false;
    openFeed();
    return true;
}

void RemoteBackend::shutDown()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_retry.stop();
    m_silence.stop();
    m_feed.abort();
    m_exports.waitForDone(); // cancelled exports stop at their next page
}

QString RemoteBackend::baseUrl() const
{
    return m_base.toString();
}

QString RemoteBackend::nodeName() const
{
    return m_base.authority();
}

int RemoteBackend::retryInMs() const
{
    return m_retry.isActive() ? m_retry.remainingTime() : 0;
}

bool RemoteBackend::isAccepting() const
{
    return m_state == LinkState::Connected && !stats().storeFailing;
}

void RemoteBackend::setState(LinkState state, const QString &error)
{
    if (state == m_state && error == m_error)
        return;
    m_state = state;
    m_error = error;
    Q_EMIT linkChanged();
}

void RemoteBackend::openFeed()
{
    if (m_stopped)
        return;
    QUrl url = m_base;
    url.setScheme(m_base.scheme() == u"https" ? u"wss"_qs : u"ws"_qs);
    url.setPath(u"/api/v1/admin/ws"_qs);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    m_feed.open(request);
    m_silence.start(); // also bounds the opening handshake
}

void RemoteBackend::linkDown(const QString &why)
{
    if (m_stopped)
        return;
    m_silence.stop();
    if (m_feed.state() != QAbstractSocket::UnconnectedState)
        m_feed.abort(); // disconnected() comes back here; the retry is already set then
    if (!m_retry.isActive()) {
        m_retry.start(m_nextRetryMs);
        m_nextRetryMs = std::min(m_nextRetryMs * 2, kMaxRetryMs);
    }
    setState(LinkState::Reconnecting, why);
}

void RemoteBackend::feedMessage(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    if (o.value(u"op").toString() != u"stats")
        return;
    m_silence.start();
    EngineStats stats;
    stats.atMs = msOf(o.value(u"serverTime"));
    if (stats.atMs == 0)
        stats.atMs = QDateTime::currentMSecsSinceEpoch();
    stats.requests = countsFromJson(o);
    stats.queueDepth = o.value(u"queueDepth").toInteger();
    stats.rejectedOverload = o.value(u"rejectedOverload").toInteger();
    stats.rejectedRate = o.value(u"rejectedRate").toInteger();
    stats.rejectedPass = o.value(u"rejectedPass").toInteger();
    stats.commits = std::uint64_t(o.value(u"commits").toInteger());
    stats.storeFailing = o.value(u"storeFailing").toBool();
    stats.clustered = o.value(u"clustered").toBool();
    stats.brokerConnected = o.value(u"brokerConnected").toBool();
    stats.storeReachable = o.value(u"storeReachable").toBool(true);
    stats.webSocketClients = o.value(u"webSocketClients").toInteger();
    for (const QJsonValue &bucket : o.value(u"latencyBuckets").toArray()) {
        const QJsonArray pair = bucket.toArray();
        const qint64 index = pair.at(0).toInteger(-1);
        if (index >= 0 && index < LatencyHistogram::kBuckets)
            stats.latency[std::size_t(index)] = std::uint64_t(pair.at(1).toInteger());
    }
    // The feed carries each event's counters; names, prices and times come from the events list.
    bool changed = false;
    const QJsonArray events = o.value(u"events").toArray();
    changed |= events.size() != m_events.size();
    for (const QJsonValue &value : events) {
        const QJsonObject e = value.toObject();
        const QString id = e.value(u"id").toString();
        auto it = std::find_if(m_events.begin(), m_events.end(), [&](const EventSnapshot &s) { return s.config.id == id; });
        if (it == m_events.end()) {
            changed = true;
            continue;
        }
        const auto state = eventStateFromString(e.value(u"state").toString());
        changed |= state && *state != it->state;
        it->requests = countsFromJson(e);
        it->orders = orderCountsFromJson(e.value(u"orders").toObject());
        it->remaining = e.value(u"remaining").toInteger();
        it->stockTotal = it->remaining + it->requests.wonUnits;
    }
    if (changed)
        fetchEvents();
    stats.events = m_events;
    if (m_state != LinkState::Connected && !m_fetchingEvents)
        setState(LinkState::Connected, QString());
    publish(std::move(stats));
}

void RemoteBackend::fetchEvents()
{
    if (m_fetchingEvents) {
        m_eventsStale = true;
        return;
    }
    m_fetchingEvents = true;
    m_eventsStale = false;
    QUrlQuery query;
    query.addQueryItem(u"includeRehearsals"_qs, u"true"_qs);
    request("GET", u"/api/v1/admin/events"_qs, query, nullptr, this, [this](int status, const QJsonObject &body, const QString &error) {
        m_fetchingEvents = false;
        if (status != 200)
            return linkDown(status == 401 ? tr("the node refused the admin token") : error);
        QList<EventSnapshot> events;
        for (const QJsonValue &item : body.value(u"items").toArray())
            events.append(eventFromJson(item.toObject()));
        m_events = events;
        if (m_eventsStale)
            return fetchEvents();
        EngineStats stats = this->stats();
        stats.events = m_events;
        setState(LinkState::Connected, QString());
        publish(std::move(stats));
    });
}

void RemoteBackend::request(const QByteArray &verb, const QString &path, const QUrlQuery &query, const QJsonObject *body,
                            QObject *context, Answer answer)
{
    QUrl url = m_base;
    url.setPath(path);
    url.setQuery(query);
    QNetworkRequest request = adminRequest(url, m_token);
    QByteArray payload;
    if (body) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        payload = QJsonDocument(*body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = m_http.sendCustomRequest(request, verb, payload);
    connect(reply, &QNetworkReply::finished, this, [reply, context = QPointer<QObject>(context), answer = std::move(answer)] {
        reply->deleteLater();
        if (!context)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        const QString error = status == 0 ? reply->errorString() : json.value(u"message").toString(reply->errorString());
        answer(status, json, error);
    });
}

void RemoteBackend::staffCall(const QByteArray &verb, const QString &path, const QJsonObject *body, QObject *context,
                              AdminReply reply)
{
    request(verb, path, {}, body, context, [this, reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
        AdminResult result;
        if (status == 200 || status == 201) {
            result.status = Status::Ok;
            result.event = eventFromJson(json);
            remember(result.event); // the next snapshot has it, whatever the feed said before
        } else {
            result.status = status == 0 ? Status::Unavailable : statusOfError(json.value(u"error").toString(), status);
            result.message = error;
        }
        reply(result);
    });
}

void RemoteBackend::remember(const EventSnapshot &event)
{
    auto it = std::find_if(m_events.begin(), m_events.end(),
                           [&](const EventSnapshot &e) { return e.config.id == event.config.id; });
    if (it == m_events.end())
        m_events.append(event);
    else
        *it = event;
}

void RemoteBackend::createEvent(const EventConfig &c, CreateAs as, QObject *context, AdminReply reply)
{
    QJsonObject body{{u"id"_qs, c.id},
                     {u"name"_qs, c.name},
                     {u"priceCents"_qs, qint64(c.priceCents)},
                     {u"currency"_qs, c.currency},
                     {u"stock"_qs, qint64(c.stock)},
                     {u"perUserLimit"_qs, c.perUserLimit},
                     {u"shopperIdentity"_qs, toString(c.shopperIdentity)},
                     {u"fairStartMs"_qs, c.fairStartMs},
                     {u"paymentWindowSeconds"_qs, c.paymentWindowSeconds},
                     {u"releasePolicy"_qs, toString(c.releasePolicy)},
                     {u"launch"_qs, as == CreateAs::Launched}};
    if (c.startsAtMs > 0)
        body.insert(u"startsAt"_qs, isoOf(c.startsAtMs));
    if (c.endsAtMs > 0)
        body.insert(u"endsAt"_qs, isoOf(c.endsAtMs));
    staffCall("POST", u"/api/v1/admin/events"_qs, &body, context, std::move(reply));
}

void RemoteBackend::updateEvent(const QString &id, const EventPatch &patch, QObject *context, AdminReply reply)
{
    QJsonObject body;
    if (patch.name)
        body.insert(u"name"_qs, *patch.name);
    if (patch.priceCents)
        body.insert(u"priceCents"_qs, qint64(*patch.priceCents));
    if (patch.currency)
        body.insert(u"currency"_qs, *patch.currency);
    if (patch.stock)
        body.insert(u"stock"_qs, qint64(*patch.stock));
    if (patch.perUserLimit)
        body.insert(u"perUserLimit"_qs, *patch.perUserLimit);
    if (patch.startsAtMs)
        body.insert(u"startsAt"_qs, isoOf(*patch.startsAtMs)); // 0: null, clears it
    if (patch.endsAtMs)
        body.insert(u"endsAt"_qs, isoOf(*patch.endsAtMs));
    if (patch.shopperIdentity)
        body.insert(u"shopperIdentity"_qs, toString(*patch.shopperIdentity));
    if (patch.fairStartMs)
        body.insert(u"fairStartMs"_qs, *patch.fairStartMs);
    if (patch.paymentWindowSeconds)
        body.insert(u"paymentWindowSeconds"_qs, *patch.paymentWindowSeconds);
    if (patch.releasePolicy)
        body.insert(u"releasePolicy"_qs, toString(*patch.releasePolicy));
    staffCall("PATCH", u"/api/v1/admin/events/"_qs + id, &body, context, std::move(reply));
}

void RemoteBackend::actOnEvent(const QString &id, EventAction action, QObject *context, AdminReply reply)
{
    const QString verb = action == EventAction::Open ? u"open"_qs : action == EventAction::Pause ? u"pause"_qs : u"end"_qs;
    const QJsonObject empty;
    staffCall("POST", u"/api/v1/admin/events/"_qs + id + u'/' + verb, &empty, context, std::move(reply));
}

void RemoteBackend::restockEvent(const QString &id, std::int64_t units, QObject *context, AdminReply reply)
{
    const QJsonObject body{{u"units"_qs, qint64(units)}};
    staffCall("POST", u"/api/v1/admin/events/"_qs + id + u"/restock"_qs, &body, context, std::move(reply));
}

void RemoteBackend::createRehearsal(const QString &sourceId, QObject *context, AdminReply reply)
{
    const QJsonObject empty;
    staffCall("POST", u"/api/v1/admin/events/"_qs + sourceId + u"/rehearsals"_qs, &empty, context, std::move(reply));
}

void RemoteBackend::actOnOrder(const QString &eventId, std::int64_t orderId, OrderAction action, QObject *context,
                               AdminReply reply)
{
    const QString path = u"/api/v1/admin/events/"_qs + eventId + u"/orders/"_qs + QString::number(orderId)
        + (action == OrderAction::Pay ? u"/paid"_qs : u"/cancel"_qs);
    const QJsonObject empty;
    request("POST", path, {}, &empty, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                AdminResult result;
                if (status == 200) {
                    result.status = Status::Ok;
                    const OrderRow row = orderFromJson(json);
                    result.order = OrderView{row.orderId, row.eventId, row.userId, row.quantity, row.priceCents,
                                             row.requestId, 0, row.contact, row.simulated, row.decidedAtMs,
                                             row.status, row.source, row.expiresAtMs, row.paidAtMs};
                } else {
                    result.status = status == 0 ? Status::Unavailable : statusOfError(json.value(u"error").toString(), status);
                    result.message = error;
                }
                reply(result);
            });
}

void RemoteBackend::fetchOrders(const OrderQuery &query, QObject *context, RecordsReply<OrderRow> reply)
{
    request("GET", recordsPath(query.eventId, "orders"), queryOf(query), nullptr, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                RecordsPage<OrderRow> page;
                if (status != 200) {
                    page.error = error;
                    return reply(page);
                }
                page.total = json.value(u"total").toInteger();
                for (const QJsonValue &item : json.value(u"items").toArray())
                    page.rows.append(orderFromJson(item.toObject()));
                reply(page);
            });
}

void RemoteBackend::fetchIntents(const IntentQuery &query, QObject *context, RecordsReply<IntentRow> reply)
{
    request("GET", recordsPath(query.eventId, "intents"), queryOf(query), nullptr, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                RecordsPage<IntentRow> page;
                if (status != 200) {
                    page.error = error;
                    return reply(page);
                }
                page.total = json.value(u"total").toInteger();
                page.notYetListed = json.value(u"notYetListed").toInteger();
                for (const QJsonValue &item : json.value(u"items").toArray())
                    page.rows.append(intentFromJson(item.toObject()));
                reply(page);
            });
}

void RemoteBackend::countLeads(const QString &eventId, std::int64_t sinceMs, QObject *context, LeadsReply reply)
{
    QUrlQuery query;
    if (!eventId.isEmpty())
        query.addQueryItem(u"eventId"_qs, eventId);
    if (sinceMs > 0)
        query.addQueryItem(u"since"_qs, QString::fromUtf8(QUrl::toPercentEncoding(isoOf(sinceMs).toString())));
    request("GET", u"/api/v1/admin/leads"_qs, query, nullptr, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                LeadCounts counts;
                if (status != 200)
                    return reply(counts, error);
                counts.leads = json.value(u"leads").toInteger();
                counts.withContact = json.value(u"withContact").toInteger();
                counts.leadsSince = json.value(u"leadsSince").toInteger();
                counts.withContactSince = json.value(u"withContactSince").toInteger();
                reply(counts, QString());
            });
}

void RemoteBackend::saleReport(const QString &eventId, QObject *context, ReportReply reply)
{
    request("GET", u"/api/v1/admin/events/"_qs + eventId + u"/report"_qs, {}, nullptr, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                if (status != 200)
                    return reply(SaleReport{}, error);
                reply(salereport::fromJson(json), QString());
            });
}

void RemoteBackend::fetchWebhook(QObject *context, WebhookReply reply)
{
    request("GET", u"/api/v1/admin/webhook"_qs, {}, nullptr, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                if (status != 200)
                    return reply(WebhookEndpoint{}, QString(), error);
                reply(WebhookEndpoint{json.value(u"url").toString(), msOf(json.value(u"configuredAt"))}, QString(), QString());
            });
}

void RemoteBackend::setWebhook(const QString &url, const QString &secret, QObject *context, WebhookReply reply)
{
    QJsonObject body{{u"url"_qs, url}};
    if (!secret.isEmpty())
        body.insert(u"secret"_qs, secret);
    request("PUT", u"/api/v1/admin/webhook"_qs, {}, &body, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                if (status != 200)
                    return reply(WebhookEndpoint{}, QString(), error);
                reply(WebhookEndpoint{json.value(u"url").toString(), msOf(json.value(u"configuredAt"))},
                      json.value(u"secret").toString(), QString());
            });
}

void RemoteBackend::removeWebhook(QObject *context, WebhookReply reply)
{
    request("DELETE", u"/api/v1/admin/webhook"_qs, {}, nullptr, context,
            [reply = std::move(reply)](int status, const QJsonObject &, const QString &error) {
                reply(WebhookEndpoint{}, QString(), status == 200 ? QString() : error);
            });
}

void RemoteBackend::fetchWebhookDeliveries(const WebhookDeliveryQuery &query, QObject *context, DeliveriesReply reply)
{
    QUrlQuery items;
    if (query.status)
        items.addQueryItem(u"status"_qs, webhooks::toString(*query.status));
    items.addQueryItem(u"limit"_qs, QString::number(query.limit));
    request("GET", u"/api/v1/admin/webhook/deliveries"_qs, items, nullptr, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                QList<WebhookDeliveryRow> rows;
                if (status != 200)
                    return reply(rows, error);
                for (const QJsonValue &item : json.value(u"items").toArray()) {
                    const QJsonObject o = item.toObject();
                    WebhookDeliveryRow row;
                    row.id = o.value(u"id").toString();
                    row.type = o.value(u"type").toString();
                    row.eventId = o.value(u"eventId").toString();
                    row.createdAtMs = msOf(o.value(u"createdAt"));
                    row.status = webhooks::statusFromString(o.value(u"status").toString()).value_or(WebhookStatus::Pending);
                    row.attempts = o.value(u"attempts").toInt();
                    row.lastHttpStatus = o.value(u"lastHttpStatus").toInt();
                    row.lastError = o.value(u"lastError").toString();
                    row.lastAttemptAtMs = msOf(o.value(u"lastAttemptAt"));
                    row.nextAttemptAtMs = msOf(o.value(u"nextAttemptAt"));
                    row.deliveredAtMs = msOf(o.value(u"deliveredAt"));
                    rows.append(row);
                }
                reply(rows, QString());
            });
}

void RemoteBackend::retryWebhooks(const QString &id, QObject *context, CountReply reply)
{
    const QJsonObject empty;
    const QString path = id.isEmpty() ? u"/api/v1/admin/webhook/deliveries/retry"_qs
                                      : u"/api/v1/admin/webhook/deliveries/"_qs + QString::fromLatin1(QUrl::toPercentEncoding(id)) + u"/retry"_qs;
    request("POST", path, {}, &empty, context,
            [reply = std::move(reply)](int status, const QJsonObject &json, const QString &error) {
                reply(status == 200 ? json.value(u"retried").toInt() : 0, status == 200 ? QString() : error);
            });
}

void RemoteBackend::runExport(std::function<void(RecordsSource &)> job)
{
    m_exports.start([base = m_base, token = m_token, job = std::move(job)] {
        ApiSource source(base, token);
        job(source);
    });
}

ExportJob *RemoteBackend::exportOrders(const QString &path, const OrderQuery &query,
                                       const QHash<QString, QString> &currencies, QObject *parent)
{
    auto *job = new RecordsExport([this](std::function<void(RecordsSource &)> run) { runExport(std::move(run)); }, parent);
    job->setCurrencies(currencies);
    job->start(path, query);
    return job;
}

ExportJob *RemoteBackend::exportIntents(const QString &path, const IntentQuery &query, QObject *parent)
{
    auto *job = new RecordsExport([this](std::function<void(RecordsSource &)> run) { runExport(std::move(run)); }, parent);
    job->start(path, query);
    return job;
}

RehearsalRun *RemoteBackend::newRehearsal(QObject *parent)
{
    return new BackendRehearsal(*this, parent);
}

} // namespace flashsale
