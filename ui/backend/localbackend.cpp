#include "ui/backend/localbackend.h"

#include "engine/core/queueurl.h"
#include "engine/storage/records.h"
#include "engine/storage/salereport.h"
#include "engine/storage/webhooks.h"
#include "ui/backend/backendrehearsal.h"
#include "ui/backend/readerthread.h"
#include "ui/backend/recordsexport.h"
#include "ui/widgets/consolesettings.h"

#include <QDateTime>
#include <QSysInfo>
#include <QUrl>

namespace flashsale {

namespace {

// Records read with the reader thread's connection, for an export.
class StoreSource : public RecordsSource
{
public:
    explicit StoreSource(QSqlDatabase db) : m_db(std::move(db)) {}
    bool countOrders(const OrderQuery &q, std::int64_t *total, QString *error) override { return records::countOrders(m_db, q, total, error); }
    bool listOrders(const OrderQuery &q, const std::function<bool(const OrderRow &)> &row, QString *error) override
    {
        return records::listOrders(m_db, q, row, error);
    }
    // An export lists what is journaled: it waits for the intent projector first.
    bool countIntents(const IntentQuery &q, std::int64_t *total, QString *error) override
    {
        return records::waitForIntents(m_db, kExportWaitMs, &m_notYetListed, error) && records::countIntents(m_db, q, total, error);
    }
    bool listIntents(const IntentQuery &q, const std::function<bool(const IntentRow &)> &row, QString *error) override
    {
        return records::waitForIntents(m_db, kExportWaitMs, &m_notYetListed, error) && records::listIntents(m_db, q, row, error);
    }

private:
    static constexpr int kExportWaitMs = 10000;
    QSqlDatabase m_db;
};

// A failed source: every call reports why the connection did not open.
class FailedSource : public RecordsSource
{
public:
    explicit FailedSource(QString why) : m_why(std::move(why)) {}
    bool countOrders(const OrderQuery &, std::int64_t *, QString *error) override { return fail(error); }
    bool listOrders(const OrderQuery &, const std::function<bool(const OrderRow &)> &, QString *error) override { return fail(error); }
    bool countIntents(const IntentQuery &, std::int64_t *, QString *error) override { return fail(error); }
    bool listIntents(const IntentQuery &, const std::function<bool(const IntentRow &)> &, QString *error) override { return fail(error); }

private:
    bool fail(QString *error) const
    {
        *error = m_why;
        return false;
    }
    QString m_why;
};

// One page of rows and the count, on the reader thread.
template<typename Query, typename Row, typename Count, typename List>
RecordsPage<Row> readPage(QSqlDatabase db, const QString &openError, const Query &query, Count count, List list)
{
    RecordsPage<Row> page;
    page.error = openError;
    if (page.error.isEmpty() && count(db, query, &page.total, &page.error)) {
        list(db, query, [&page](const Row &row) {
            page.rows.append(row);
            return true;
        }, &page.error);
    }
    if (!page.error.isEmpty())
        page.rows.clear();
    return page;
}

} // namespace

LocalBackend::LocalBackend(ServerOptions options, QObject *parent)
    : ConsoleBackend(parent)
    , m_options(std::move(options))
{
    m_staff.setMaxThreadCount(1);
    m_statsTimer.setInterval(kStatsIntervalMs);
    connect(&m_statsTimer, &QTimer::timeout, this, &LocalBackend::takeSnapshot);
}

LocalBackend::~LocalBackend()
{
    shutDown();
}

bool LocalBackend::start()
{
    if (m_started)
        return m_server != nullptr;
    m_started = true;
    m_server = std::make_unique<Server>(m_options);
    if (!m_server->start(&m_startError, &m_startFailure)) {
        m_server.reset();
        Q_EMIT linkChanged();
        return false;
    }
    const StoreLocation store = m_server->engine().storeLocation();
    m_reader = std::make_unique<ReaderThread>(store);
    m_exportReader = std::make_unique<ReaderThread>(store);
    takeSnapshot();
    m_statsTimer.start();
    Q_EMIT linkChanged();
    return true;
}

void LocalBackend::shutDown()
{
    m_statsTimer.stop();
    // Staff calls in flight finish first: they hold the engine.
    m_staff.waitForDone();
    // The readers hold connections to the store; close them (waiting for their jobs) before the engine.
    m_reader.reset();
    m_exportReader.reset();
    if (m_server) {
        m_server->stop();
        m_server.reset();
        Q_EMIT linkChanged();
    }
}

QString LocalBackend::baseUrl() const
{
    return m_server ? m_server->baseUrl() : QString();
}

QString LocalBackend::nodeName() const
{
    return tr("the engine in this console");
}

QString LocalBackend::adminToken() const
{
    return m_server ? m_server->adminToken() : QString();
}

LinkState LocalBackend::linkState() const
{
    if (m_server)
        return LinkState::Connected;
    return m_started ? LinkState::Failed : LinkState::Connecting;
}

bool LocalBackend::isAccepting() const
{
    return m_server && m_server->engine().isAccepting();
}

template<typename Done>
void LocalBackend::answer(QPointer<QObject> context, Done done)
{
    // Through this object, which waits for its threads before it goes: never a dangling receiver.
    QMetaObject::invokeMethod(this, [context, done = std::move(done)]() mutable {
        if (context)
            done();
    }, Qt::QueuedConnection);
}

void LocalBackend::staffCall(QObject *context, AdminReply reply, std::function<AdminResult(Engine &)> call)
{
    if (!m_server) {
        AdminResult refused{Status::Unavailable, {}, tr("the engine is not running")};
        return answer(context, [reply, refused] { reply(refused); });
    }
    Engine *engine = &m_server->engine();
    m_staff.start([this, engine, context = QPointer<QObject>(context), reply = std::move(reply), call = std::move(call)] {
        const AdminResult result = call(*engine);
        answer(context, [reply, result] { reply(result); });
    });
}

void LocalBackend::createEvent(const EventConfig &config, CreateAs as, QObject *context, AdminReply reply)
{
    staffCall(context, std::move(reply), [config, as](Engine &engine) { return engine.createEvent(config, as); });
}

void LocalBackend::updateEvent(const QString &id, const EventPatch &patch, QObject *context, AdminReply reply)
{
    staffCall(context, std::move(reply), [id, patch](Engine &engine) { return engine.updateEvent(id, patch); });
}

void LocalBackend::actOnEvent(const QString &id, EventAction action, QObject *context, AdminReply reply)
{
    staffCall(context, std::move(reply), [id, action](Engine &engine) { return engine.actOnEvent(id, action); });
}

void LocalBackend::restockEvent(const QString &id, std::int64_t units, QObject *context, AdminReply reply)
{
    staffCall(context, std::move(reply), [id, units](Engine &engine) { return engine.restockEvent(id, units); });
}

void LocalBackend::createRehearsal(const QString &sourceId, QObject *context, AdminReply reply)
{
    staffCall(context, std::move(reply), [sourceId](Engine &engine) { return engine.createRehearsal(sourceId); });
}

void LocalBackend::actOnOrder(const QString &eventId, std::int64_t orderId, OrderAction action, QObject *context,
                              AdminReply reply)
{
    staffCall(context, std::move(reply),
              [eventId, orderId, action](Engine &engine) { return engine.actOnOrder(eventId, orderId, action); });
}

void LocalBackend::fetchOrders(const OrderQuery &query, QObject *context, RecordsReply<OrderRow> reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply(RecordsPage<OrderRow>{{}, 0, tr("the engine is not running")}); });
    m_reader->post([this, query, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        RecordsPage<OrderRow> page = readPage<OrderQuery, OrderRow>(db, openError, query, records::countOrders,
                                                                    records::listOrders);
        answer(context, [reply, page] { reply(page); });
    });
}

void LocalBackend::fetchIntents(const IntentQuery &query, QObject *context, RecordsReply<IntentRow> reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply(RecordsPage<IntentRow>{{}, 0, tr("the engine is not running")}); });
    m_reader->post([this, query, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        // The leads page: what the projector lists within a moment of the commit.
        std::int64_t notYetListed = 0;
        QString waitError;
        if (openError.isEmpty())
            records::waitForIntents(db, 250, &notYetListed, &waitError);
        RecordsPage<IntentRow> page = readPage<IntentQuery, IntentRow>(db, openError, query, records::countIntents,
                                                                       records::listIntents);
        page.notYetListed = notYetListed;
        answer(context, [reply, page] { reply(page); });
    });
}

void LocalBackend::countLeads(const QString &eventId, std::int64_t sinceMs, QObject *context, LeadsReply reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply(LeadCounts{}, tr("the engine is not running")); });
    m_reader->post([this, eventId, sinceMs, context = QPointer<QObject>(context), reply](QSqlDatabase db,
                                                                                         const QString &openError) {
        LeadCounts counts;
        QString error = openError;
        std::int64_t notYetListed = 0; // the dashboard's figures: what the projector lists within a moment
        if (error.isEmpty() && records::waitForIntents(db, 250, &notYetListed, &error)
            && !records::countLeads(db, eventId, true, sinceMs, &counts, &error) && error.isEmpty())
            error = tr("the store gave no reason");
        answer(context, [reply, counts, error] { reply(counts, error); });
    });
}

void LocalBackend::saleReport(const QString &eventId, QObject *context, ReportReply reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply(SaleReport{}, tr("the engine is not running")); });
    m_reader->post([this, eventId, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        SaleReport report;
        QString error = openError;
        if (error.isEmpty() && salereport::compute(db, eventId, &report, &error) != salereport::Failure::None
            && error.isEmpty())
            error = tr("the store gave no reason");
        answer(context, [reply, report, error] { reply(report, error); });
    });
}

void LocalBackend::fetchWebhook(QObject *context, WebhookReply reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply(WebhookEndpoint{}, QString(), tr("the engine is not running")); });
    m_reader->post([this, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        WebhookEndpoint endpoint;
        QString error = openError;
        if (error.isEmpty())
            webhooks::readEndpoint(db, &endpoint, nullptr, &error);
        answer(context, [reply, endpoint, error] { reply(endpoint, QString(), error); });
    });
}

void LocalBackend::setWebhook(const QString &url, const QString &secret, QObject *context, WebhookReply reply)
{
    // The engine's own rules, as its API applies them.
    QString problem = webhooks::checkEndpointUrl(url);
    if (problem.isEmpty() && !secret.isEmpty())
        problem = webhooks::checkSecret(secret);
    if (!problem.isEmpty())
        return answer(context, [reply, problem] { reply(WebhookEndpoint{}, QString(), problem); });
    if (!m_reader)
        return answer(context, [reply] { reply(WebhookEndpoint{}, QString(), tr("the engine is not running")); });
    const QString newSecret = secret.isEmpty() ? webhooks::newSecret() : secret;
    m_reader->post([this, url, newSecret, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        const WebhookEndpoint endpoint{url, QDateTime::currentMSecsSinceEpoch()};
        QString error = openError;
        if (error.isEmpty())
            webhooks::setEndpoint(db, url, newSecret, endpoint.configuredAtMs, &error);
        answer(context, [reply, endpoint, newSecret, error] {
            reply(error.isEmpty() ? endpoint : WebhookEndpoint{}, error.isEmpty() ? newSecret : QString(), error);
        });
    });
}

void LocalBackend::removeWebhook(QObject *context, WebhookReply reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply(WebhookEndpoint{}, QString(), tr("the engine is not running")); });
    m_reader->post([this, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        QString error = openError;
        if (error.isEmpty())
            webhooks::clearEndpoint(db, &error);
        answer(context, [reply, error] { reply(WebhookEndpoint{}, QString(), error); });
    });
}

void LocalBackend::fetchWebhookDeliveries(const WebhookDeliveryQuery &query, QObject *context, DeliveriesReply reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply({}, tr("the engine is not running")); });
    m_reader->post([this, query, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        std::vector<WebhookDeliveryRow> rows;
        QString error = openError;
        if (error.isEmpty())
            webhooks::listDeliveries(db, query, &rows, &error);
        answer(context, [reply, list = QList<WebhookDeliveryRow>(rows.begin(), rows.end()), error] { reply(list, error); });
    });
}

void LocalBackend::retryWebhooks(const QString &id, QObject *context, CountReply reply)
{
    if (!m_reader)
        return answer(context, [reply] { reply(0, tr("the engine is not running")); });
    m_reader->post([this, id, context = QPointer<QObject>(context), reply](QSqlDatabase db, const QString &openError) {
        int count = 0;
        QString error = openError;
        if (error.isEmpty())
            webhooks::retryNow(db, id, QDateTime::currentMSecsSinceEpoch(), &count, &error);
        answer(context, [reply, count, error] { reply(count, error); });
    });
}

RecordsExport::Runner LocalBackend::exportRunner() const
{
    ReaderThread *reader = m_exportReader.get(); // lives until shutDown(), which waits for its jobs
    return [reader](std::function<void(RecordsSource &)> run) {
        if (!reader) {
            FailedSource failed(tr("the engine is not running"));
            return run(failed);
        }
        reader->post([run](QSqlDatabase db, const QString &openError) {
            if (!openError.isEmpty()) {
                FailedSource failed(openError);
                return run(failed);
            }
            StoreSource source(db);
            run(source);
        });
    };
}

ExportJob *LocalBackend::exportOrders(const QString &path, const OrderQuery &query,
                                      const QHash<QString, QString> &currencies, QObject *parent)
{
    auto *job = new RecordsExport(exportRunner(), parent);
    job->setCurrencies(currencies);
    job->start(path, query);
    return job;
}

ExportJob *LocalBackend::exportIntents(const QString &path, const IntentQuery &query, QObject *parent)
{
    auto *job = new RecordsExport(exportRunner(), parent);
    job->start(path, query);
    return job;
}

RehearsalRun *LocalBackend::newRehearsal(QObject *parent)
{
    return new BackendRehearsal(*this, parent);
}

QString LocalBackend::shopSecret() const
{
    if (!m_server || m_server->shopSecrets().keys.isEmpty())
        return QString();
    const ShopKey &current = m_server->shopSecrets().keys.constFirst();
    return current.kid + u' ' + QString::fromLatin1(current.secret);
}

bool LocalBackend::rotateShopSecret(QString *error)
{
    if (!m_server)
        return ConsoleBackend::rotateShopSecret(error);
    return m_server->rotateShopSecret(error);
}

bool LocalBackend::regenerateAdminToken(QString *error)
{
    if (!m_server)
        return ConsoleBackend::regenerateAdminToken(error);
    return m_server->regenerateAdminToken(error);
}

QString LocalBackend::runningDescription() const
{
    if (!m_server)
        return QString();
    const ServerOptions &running = m_server->options();
    const auto withoutPassword = [](const QString &url) { return QUrl(url).toDisplayString(QUrl::RemovePassword); };
    return tr("Running now: %1, %2, node id %3.")
        .arg(running.storeUrl.isEmpty() ? tr("embedded SQLite") : withoutPassword(running.storeUrl),
             running.queueUrl.isEmpty() ? tr("embedded queue") : withoutPassword(running.queueUrl),
             running.nodeId.isEmpty() ? QSysInfo::machineHostName() : running.nodeId);
}

void LocalBackend::takeSnapshot()
{
    if (m_server)
        publish(m_server->engine().stats());
}

ServerOptions embeddedOptions(ServerOptions options, bool listenGiven, bool dataDirGiven)
{
    const ConsoleSettings settings;
    if (!dataDirGiven && !settings.dataDir().isEmpty())
        options.dataDir = settings.dataDir();
    if (!listenGiven && !settings.listen().isEmpty()) {
        QString ignored;
        ServerOptions parsed = options;
        if (parsed.setListen(settings.listen(), &ignored)) {
            options.listenAddress = parsed.listenAddress;
            options.port = parsed.port;
        }
    }
    // The store and queue go together: a --store on the command line leaves both saved URLs
    // unused, so a node never joins a saved queue with another database.
    if (options.storeUrl.isEmpty() && options.queueUrl.isEmpty()) {
        options.storeUrl = settings.storeUrl();
        options.queueUrl = settings.queueUrl();
    }
    if (options.nodeId.isEmpty())
        options.nodeId = settings.nodeId();
    // A rate limit saved in Settings, unless the command line gave one of its own.
    if (settings.rateLimit() >= 0 && options.shoppers.purchasesPerAddressPerSecond == ShopperPolicy().purchasesPerAddressPerSecond)
        options.shoppers.purchasesPerAddressPerSecond = settings.rateLimit();
    if (!options.tls.enabled() && !settings.tlsCertificateFile().isEmpty()) {
        options.tls.certificateChainFile = settings.tlsCertificateFile();
        options.tls.privateKeyFile = settings.tlsKeyFile();
    }
    return options;
}

} // namespace flashsale
