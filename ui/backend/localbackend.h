// The console's backend for the engine embedded in its own process.
#pragma once

#include "engine/api/server.h"
#include "ui/backend/consolebackend.h"
#include "ui/backend/recordsexport.h"

#include <QPointer>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace flashsale {

class ReaderThread;

// Thread: GUI thread (see ConsoleBackend). Owns the engine's life: start() starts it, shutDown()
// (or the destructor) drains and stops it. Nothing here waits on the store on the GUI thread:
// staff actions run one at a time, in order, on a thread of their own (each waits for its commit,
// up to a few seconds); page reads, lead counts and reports on one ReaderThread; exports on
// another, so a long export does not hold up the pages. Snapshots are taken on a 500 ms timer
// (Engine::stats() reads atomics and the published event snapshots, never the store).
class LocalBackend : public ConsoleBackend
{
    Q_OBJECT
public:
    explicit LocalBackend(ServerOptions options, QObject *parent = nullptr);
    ~LocalBackend() override;

    // Starts the engine; false (and linkState() Failed, linkError() why) when it cannot.
    bool start() override;
    // The running node; null when it did not start or was shut down.
    Server *server() const { return m_server.get(); }

    BackendKind kind() const override { return BackendKind::InProcess; }
    QString baseUrl() const override;
    QString nodeName() const override;
    QString adminToken() const override;
    LinkState linkState() const override;
    QString linkError() const override { return m_startError; }
    bool isAccepting() const override;
    bool databaseTooNew() const override { return m_startFailure == StartFailure::SchemaTooNew; }

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

    bool canRegenerateAdminToken() const override { return m_server != nullptr; }
    bool regenerateAdminToken(QString *error) override;
    QString shopSecret() const override;
    bool canRotateShopSecret() const override { return m_server && m_server->shopSecrets().fromDataDir; }
    bool rotateShopSecret(QString *error) override;
    QString runningDescription() const override;
    void shutDown() override;

private:
    // Runs call on the staff thread and hands its result to reply on the GUI thread, if context lives.
    void staffCall(QObject *context, AdminReply reply, std::function<AdminResult(Engine &)> call);
    // Queues done to the GUI thread (through this object), run only if context still exists.
    template<typename Done>
    void answer(QPointer<QObject> context, Done done);
    void takeSnapshot();
    // Runs an export's job on the export reader with the store as its source.
    RecordsExport::Runner exportRunner() const;

    ServerOptions m_options;
    std::unique_ptr<Server> m_server;
    QString m_startError;
    StartFailure m_startFailure = StartFailure::Other;
    bool m_started = false;
    QThreadPool m_staff;                            // one thread: staff actions in order
    std::unique_ptr<ReaderThread> m_reader;         // page reads, lead counts, reports
    std::unique_ptr<ReaderThread> m_exportReader;   // exports
    QTimer m_statsTimer;
};

// The embedded engine's options: the command line's, with the saved settings filling in what it
// left out (see ConsoleSettings). listenGiven/dataDirGiven: the command line set them.
ServerOptions embeddedOptions(ServerOptions fromCommandLine, bool listenGiven, bool dataDirGiven);

} // namespace flashsale
