// The console's one way to a sale engine, embedded or remote: staff actions, live stats, records, exports, reports.
#pragma once

#include "engine/core/admintypes.h"
#include "engine/node/enginestats.h"
#include "engine/storage/recordtypes.h"
#include "engine/storage/salereporttypes.h"
#include "engine/tools/simulationtypes.h"
#include "engine/core/types.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>

namespace flashsale {

// Which engine a console talks to.
enum class BackendKind : std::uint8_t {
    InProcess = 1, // the engine embedded in the console's process
    Remote,        // a node over its admin HTTP API and admin WebSocket feed
};

// The console's link to its engine. An embedded engine is Connected once started.
enum class LinkState : std::uint8_t {
    Connecting = 1, // the first attempt is under way
    Connected,      // snapshots arrive
    Reconnecting,   // the link dropped; retried with backoff (linkError() says why)
    Failed,         // the embedded engine did not start (linkError() says why)
};

// One page of orders or leads and the count of every row the query matches.
template<typename Row>
struct RecordsPage {
    QList<Row> rows;
    std::int64_t total = 0;
    QString error; // empty: the read succeeded
    // Leads only: losses journaled but not in the list yet (the intent projector is behind; it
    // normally catches up within a moment of a commit).
    std::int64_t notYetListed = 0;
};

// An export to a file under way: CSV for machines, .xlsx for people (by the file's suffix).
// Thread: GUI thread (signals included); the rows are read and written on a worker thread. The
// file appears complete or not at all.
class ExportJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    // Stops the export; finished(false, true, …) follows at once and no file is left.
    virtual void cancel() = 0;
    virtual bool isRunning() const = 0;
    // Once finished: losses that were journaled but not yet in the intent list when the export
    // read it (0 for orders, and when the list was complete).
    virtual std::int64_t notYetListed() const = 0;

Q_SIGNALS:
    // A few times a second while running; total is -1 until known.
    void progressed(std::int64_t written, std::int64_t total);
    // Once. cancelled: the user stopped it and no file was written.
    void finished(bool ok, bool cancelled, std::int64_t rows, const QString &error);
};

// A simulated sale against a rehearsal copy of an event (the event itself is never touched):
// the copy is made on the node, paced synthetic shoppers go through its shoppers' API, the copy
// is ended when they finish. Thread: GUI thread; poll summary() (no signal per request).
class RehearsalRun : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    // plan.eventId names the real event; baseUrl and adminToken are the backend's. When no copy
    // can be made the run still finishes, every shopper failed and the reason as lastError.
    virtual void start(const SimulationPlan &plan) = 0;
    virtual void cancel() = 0;
    virtual bool isRunning() const = 0;
    virtual SimulationSummary summary() const = 0;
    // The copy the last run went to (empty before the copy exists).
    virtual QString copyId() const = 0;

Q_SIGNALS:
    void finished(const flashsale::SimulationSummary &summary);
};

// Thread: GUI thread only: every call, every reply, every signal. Calls that can wait (the store,
// the network) return at once and answer later through a callback, queued to the GUI thread and
// dropped when the context object is gone. The newest snapshot arrives twice a second
// (statsChanged); between snapshots stats() is the last one, never a fresh read.
class ConsoleBackend : public QObject
{
    Q_OBJECT
public:
    using AdminReply = std::function<void(const AdminResult &result)>;
    template<typename Row>
    using RecordsReply = std::function<void(const RecordsPage<Row> &page)>;
    // error empty: counts holds the figures.
    using LeadsReply = std::function<void(const LeadCounts &counts, const QString &error)>;
    using ReportReply = std::function<void(const SaleReport &report, const QString &error)>;
    // error empty: endpoint is the shop's (url empty: none set); secret only when one was just set.
    using WebhookReply = std::function<void(const WebhookEndpoint &endpoint, const QString &secret, const QString &error)>;
    using DeliveriesReply = std::function<void(const QList<WebhookDeliveryRow> &rows, const QString &error)>;
    using CountReply = std::function<void(int count, const QString &error)>;

    // How often snapshots arrive: the dashboard's 2 Hz.
    static constexpr int kStatsIntervalMs = 500;

    using QObject::QObject;

    // Starts the embedded engine or the first connection attempt; false when the embedded
    // engine cannot start (a remote link always starts, then retries).
    virtual bool start() = 0;
    virtual BackendKind kind() const = 0;
    // http://ADDR:PORT of the node's API: the shoppers' address, and the node the status bar names.
    virtual QString baseUrl() const = 0;
    // The node's name for people: "this computer" for the embedded engine, else HOST:PORT (and the
    // node id of a cluster node).
    virtual QString nodeName() const = 0;
    // The shopper page of one event on this node.
    QString shopUrl(const QString &eventId) const { return baseUrl() + u"/shop/"_qs + eventId; }
    virtual QString adminToken() const = 0;
    virtual LinkState linkState() const = 0;
    // Why the link is down (Reconnecting, Failed); empty otherwise.
    virtual QString linkError() const = 0;
    // Milliseconds until the next attempt while Reconnecting.
    virtual int retryInMs() const { return 0; }
    // Taking purchases: started (or attached) and not stopping.
    virtual bool isAccepting() const = 0;
    // The embedded engine refused a database made by a newer version (the console then exits).
    virtual bool databaseTooNew() const { return false; }

    // The newest snapshot; atMs is 0 until the first one.
    const EngineStats &stats() const { return m_stats; }

    // Staff actions; each is committed on the node before the reply.
    virtual void createEvent(const EventConfig &config, CreateAs as, QObject *context, AdminReply reply) = 0;
    virtual void updateEvent(const QString &id, const EventPatch &patch, QObject *context, AdminReply reply) = 0;
    virtual void actOnEvent(const QString &id, EventAction action, QObject *context, AdminReply reply) = 0;
    virtual void restockEvent(const QString &id, std::int64_t units, QObject *context, AdminReply reply) = 0;
    // A rehearsal copy of sourceId (see Engine::createRehearsal), for the simulator.
    virtual void createRehearsal(const QString &sourceId, QObject *context, AdminReply reply) = 0;
    // Marks an order awaiting payment paid, or cancels it (Engine::actOnOrder); the reply's
    // order is the order as it now is. InvalidState (409 invalid_state) names why it cannot.
    virtual void actOnOrder(const QString &eventId, std::int64_t orderId, OrderAction action, QObject *context,
                            AdminReply reply) = 0;

    // One page (query.offset, query.limit) of the rows the query matches, and their count.
    virtual void fetchOrders(const OrderQuery &query, QObject *context, RecordsReply<OrderRow> reply) = 0;
    virtual void fetchIntents(const IntentQuery &query, QObject *context, RecordsReply<IntentRow> reply) = 0;
    // The dashboard's lead figures (records::countLeads, simulated shoppers included).
    virtual void countLeads(const QString &eventId, std::int64_t sinceMs, QObject *context, LeadsReply reply) = 0;
    // One event's post-sale report from the stored journal.
    virtual void saleReport(const QString &eventId, QObject *context, ReportReply reply) = 0;

    // Webhooks to the shop (engine/storage/webhooks.h): the endpoint, set with a secret (empty:
    // the engine makes one; the reply carries it, the only time it is shown) or removed; the
    // newest deliveries; Retry now for one webhook (id) or every failing one (id empty).
    virtual void fetchWebhook(QObject *context, WebhookReply reply) = 0;
    virtual void setWebhook(const QString &url, const QString &secret, QObject *context, WebhookReply reply) = 0;
    virtual void removeWebhook(QObject *context, WebhookReply reply) = 0;
    virtual void fetchWebhookDeliveries(const WebhookDeliveryQuery &query, QObject *context, DeliveriesReply reply) = 0;
    virtual void retryWebhooks(const QString &id, QObject *context, CountReply reply) = 0;

    // Starts writing every row the query matches (offset and limit ignored) to path; the job is a
    // child of parent. currencies: each event's, for the money cells of a workbook.
    virtual ExportJob *exportOrders(const QString &path, const OrderQuery &query,
                                    const QHash<QString, QString> &currencies, QObject *parent) = 0;
    virtual ExportJob *exportIntents(const QString &path, const IntentQuery &query, QObject *parent) = 0;

    // A rehearsal runner on this node, a child of parent.
    virtual RehearsalRun *newRehearsal(QObject *parent) = 0;

    // The embedded engine can write a new admin token to its data dir; a remote console cannot.
    virtual bool canRegenerateAdminToken() const { return false; }
    virtual bool regenerateAdminToken(QString *error);
    // The shop secret signed passes are checked with, as "KID SECRET", when this console runs
    // the engine; empty for a remote node (its secret stays on the server).
    virtual QString shopSecret() const { return QString(); }
    // The embedded engine can rotate a secret it keeps in its data dir (the previous one stays
    // valid for a day, so passes already handed out keep working).
    virtual bool canRotateShopSecret() const { return false; }
    virtual bool rotateShopSecret(QString *error);
    // What Settings shows as "running now" (store, queue, node id); empty for a remote node.
    virtual QString runningDescription() const { return QString(); }

    // Stops the link: the embedded engine drains its queue and stops (blocking, up to its drain
    // time); a remote link closes. Safe to call twice; nothing is answered afterwards.
    virtual void shutDown() = 0;

Q_SIGNALS:
    // A new snapshot is in stats().
    void statsChanged();
    // linkState() or linkError() changed.
    void linkChanged();

protected:
    // Subclasses hand each new snapshot here; it becomes stats() and statsChanged() is emitted.
    void publish(EngineStats stats);

private:
    EngineStats m_stats;
};

// The embedded engine's saved settings, as the Settings page edits them.
struct EngineSettings {
    QString listen;   // ADDR:PORT
    QString dataDir;
    QString storeUrl; // empty: SQLite in the data dir
    QString queueUrl; // empty: the in-process queue
    QString nodeId;   // empty: the host name
    double rateLimitPerSecond = 0; // purchases a second per client address; 0: off
};

// Why EngineSettings cannot start an engine; None when they can.
enum class SettingsProblem : std::uint8_t {
    None = 0,
    Listen,            // not ADDR:PORT
    DataDir,           // empty
    StoreUrl,          // not postgresql://USER:PASS@HOST:PORT/DB
    QueueUrl,          // not amqp://USER:PASS@HOST:PORT/VHOST
    QueueWithoutStore, // a queue needs a shared PostgreSQL store
    NodeId,            // not [A-Za-z0-9._-]{1,64}
};

// What the console gets from the layer below besides a backend (ui/backend/backends.h makes it).
struct BackendServices {
    // Makes the console's backend: the embedded engine for an empty url, else the node at url.
    // The caller owns it and starts it (start()); failures show through linkState().
    std::function<std::unique_ptr<ConsoleBackend>(const QString &url, const QString &adminToken)> makeBackend;
    // The engine's own rules for its settings (--listen, --store, --queue, --node-id).
    std::function<SettingsProblem(const EngineSettings &settings)> checkSettings;
    // What an embedded engine uses where the settings say nothing (the command line's or the
    // defaults: 127.0.0.1:8080, the platform's data dir).
    EngineSettings defaults;
};

} // namespace flashsale
