// The console's backend for a node elsewhere: its admin HTTP API and its admin WebSocket feed.
#pragma once

#include "ui/backend/consolebackend.h"

#include <QNetworkAccessManager>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <functional>

class QJsonObject;

namespace flashsale {

// Thread: GUI thread (see ConsoleBackend); the network calls are asynchronous, so nothing waits
// here. Live figures come from the admin feed (/api/v1/admin/ws, Authorization header, a snapshot
// every 500 ms); event details (names, prices, times) from GET /api/v1/admin/events, fetched
// again when the feed shows an event appear or change state. A dropped or silent feed (nothing
// for kSilentMs) is Reconnecting and retried after 0.5 s, 1 s, 2 s … up to kMaxRetryMs. Exports
// page the API (1,000 rows a request) on a worker thread of their own, and write the file here,
// in the console's language, as the embedded console does. Opens no database.
class RemoteBackend : public ConsoleBackend
{
    Q_OBJECT
public:
    static constexpr int kSilentMs = 3000;
    static constexpr int kFirstRetryMs = 500;
    static constexpr int kMaxRetryMs = 8000;
    static constexpr int kRequestTimeoutMs = 15000;

    // baseUrl: http://HOST:PORT of the node.
    RemoteBackend(const QUrl &baseUrl, const QString &adminToken, QObject *parent = nullptr);
    ~RemoteBackend() override;

    bool start() override;
    BackendKind kind() const override { return BackendKind::Remote; }
    QString baseUrl() const override;
    QString nodeName() const override;
    QString adminToken() const override { return m_token; }
    LinkState linkState() const override { return m_state; }
    QString linkError() const override { return m_error; }
    int retryInMs() const override;
    bool isAccepting() const override;

    void createEvent(const EventConfig &config, CreateAs as, QObject *context, AdminReply reply) override;
    void updateEvent(const QString &id, const EventPatch &patch, QObject *context, AdminReply reply) override;
    void actOnEvent(const QString &id, EventAction action, QObject *context, AdminReply reply) override;
    void restockEvent(const QString &id, std::int64_t units, QObject *context, AdminReply reply) override;
    void createRehearsal(const QString &sourceId, QObject *context, AdminReply reply) override;
    void actOnOrder(const QString &eventId, std::int64_t orderId, OrderAction action, QObject *context,
                    AdminReply reply) override;

    void fetchOrders(const OrderQuery &query, QObject *context, RecordsReply<OrderRow> reply) override;
    void fetchIntents(const IntentQuery &query, QObject *context, RecordsReply<IntentRow> reply) override;
    void countLeads(const QString &eventId, std::int64_t sinceMs, QObject *context, LeadsReply reply) override;
    void saleReport(const QString &eventId, QObject *context, ReportReply reply) override;
    void fetchWebhook(QObject *context, WebhookReply reply) override;
    void setWebhook(const QString &url, const QString &secret, QObject *context, WebhookReply reply) override;
    void removeWebhook(QObject *context, WebhookReply reply) override;
    void fetchWebhookDeliveries(const WebhookDeliveryQuery &query, QObject *context, DeliveriesReply reply) override;
    void retryWebhooks(const QString &id, QObject *context, CountReply reply) override;
    ExportJob *exportOrders(const QString &path, const OrderQuery &query, const QHash<QString, QString> &currencies,
                            QObject *parent) override;
    ExportJob *exportIntents(const QString &path, const IntentQuery &query, QObject *parent) override;
    RehearsalRun *newRehearsal(QObject *parent) override;
    void shutDown() override;

private:
    // status 0: no HTTP answer (error says why).
    using Answer = std::function<void(int status, const QJsonObject &body, const QString &error)>;
    void request(const QByteArray &verb, const QString &path, const QUrlQuery &query, const QJsonObject *body,
                 QObject *context, Answer answer);
    void staffCall(const QByteArray &verb, const QString &path, const QJsonObject *body, QObject *context,
                   AdminReply reply);
    void openFeed();
    void feedMessage(const QString &text);
    void linkDown(const QString &why);
    void fetchEvents();
    // Puts a staff call's answer into the events list (the feed's counters follow).
    void remember(const EventSnapshot &event);
    void setState(LinkState state, const QString &error);
    void runExport(std::function<void(class RecordsSource &)> job);

    QUrl m_base;
    QString m_token;
    QNetworkAccessManager m_http;
    QWebSocket m_feed;
    QTimer m_retry;    // single shot: the next attempt
    QTimer m_silence;  // single shot: the feed said nothing for kSilentMs
    int m_nextRetryMs = kFirstRetryMs;
    LinkState m_state = LinkState::Connecting;
    QString m_error;
    bool m_stopped = false;
    QList<EventSnapshot> m_events; // the full events, counters refreshed from the feed
    bool m_fetchingEvents = false;
    bool m_eventsStale = false;    // changed again while a fetch was under way
    QThreadPool m_exports;         // export workers (blocking page fetches)
};

} // namespace flashsale
