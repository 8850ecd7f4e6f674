// One running engine node: the engine, its HTTP API and its admin token, started together.
#pragma once

#include "engine/node/engine.h"
#include "engine/api/httpservice.h"

#include <QHostAddress>
#include <QString>

#include <memory>

namespace flashsale {

struct ServerOptions {
    QString dataDir;
    QString storeUrl; // postgresql://USER:PASS@HOST:PORT/DB; empty: SQLite in dataDir
    QString queueUrl; // amqp://USER:PASS@HOST:PORT/VHOST; empty: the embedded in-process queue
    QString nodeId;   // names this node in logs, metrics and the cluster; empty: the host name
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 8080;
    QString adminToken; // empty: FLASHSALE_ADMIN_TOKEN, else the data dir's token file
    int httpThreads = 0; // 0: one per core, at most HttpService::kMaxThreads
    HttpLimits httpLimits; // sizes, timeouts and connection caps of the HTTP/WebSocket front
    TlsFiles tls;          // set: HTTPS and WSS on the same port
    bool publicMetrics = false; // /metrics without the admin token (it lists every event id)
    ShopperPolicy shoppers;     // origins, rate limits and trusted proxies of the shopper API
    QString shopSecretFile;     // empty: FLASHSALE_SHOP_SECRET, else the data dir's shop-secret file
    std::int64_t maxQueueDepth = 200'000;
    std::int64_t walLimitBytes = kDefaultWalLimitBytes; // SQLite's write-ahead log, kept under this
    TicketBookOptions tickets; // the ticket table's bound and test hooks
    std::int64_t ticketMemoryMs = EngineOptions::kDefaultTicketMemoryMs; // decided tickets kept in memory this long
    // How long a client waits for the journal commit beyond its ?wait before a 503.
    int durableGraceMs = kDefaultDurableGraceMs;

    // Parses "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT"; false and error when malformed.
    bool setListen(const QString &text, QString *error);
    static QString defaultDataDir();
};

// Thread: created, started and stopped on one thread (the main thread).
class WebhookDelivery;

class Server
{
public:
    explicit Server(ServerOptions options);
    ~Server();

    // On failure, failure (if given) says why (see StartFailure).
    bool start(QString *error, StartFailure *failure = nullptr);
    // Stops accepting purchases, lets the queue drain (up to drainTimeoutMs), then stops.
    void stop(int drainTimeoutMs = 30000);
    bool isRunning() const { return m_engine != nullptr; }

    Engine &engine() { return *m_engine; }
    const ServerOptions &options() const { return m_options; }
    QString adminToken() const { return m_adminToken; }
    bool adminTokenWasGenerated() const { return m_tokenGenerated; }
    // Writes a new token to the data dir and uses it from now on.
    bool regenerateAdminToken(QString *error);
    // The keys signed passes are checked against, the current one first.
    const ShopSecrets &shopSecrets() const { return m_shopSecrets; }
    // A new current shop secret in the data dir; the previous one stays valid for graceS. Only
    // when the secret lives there (not from --shop-secret-file or the environment).
    bool rotateShopSecret(QString *error, std::int64_t graceS = kShopSecretGraceS);
    // http://ADDR:PORT of the API.
    QString baseUrl() const;
    // The shopper page of one event on this node: baseUrl()/shop/{eventId}.
    QString shopUrl(const QString &eventId) const;

private:
    ServerOptions m_options;
    QString m_adminToken;
    bool m_tokenGenerated = false;
    ShopSecrets m_shopSecrets;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<HttpService> m_http;
    std::unique_ptr<WebhookDelivery> m_webhooks; // stopped before the engine
};

} // namespace flashsale
