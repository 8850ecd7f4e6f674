#include "engine/api/server.h"

#include "engine/api/admintoken.h"
#include "engine/api/scaleout.h"
#include "engine/api/webhookdelivery.h"

#include <QDebug>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

#include <algorithm>

namespace flashsale {

bool ServerOptions::setListen(const QString &text, QString *error)
{
    const qsizetype colon = text.lastIndexOf(u':');
    bool portOk = false;
    const uint parsedPort = colon >= 0 ? text.mid(colon + 1).toUInt(&portOk) : 0;
    QString host = colon >= 0 ? text.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    QHostAddress address = host.isEmpty() ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    if (!portOk || parsedPort > 65535 || address.isNull()) {
        *error = QStringLiteral("--listen expects ADDR:PORT such as 127.0.0.1:8080, got \"%1\"").arg(text);
        return false;
    }
    listenAddress = address;
    port = quint16(parsedPort);
    return true;
}

QString ServerOptions::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

Server::Server(ServerOptions options)
    : m_options(std::move(options))
{
    if (m_options.dataDir.isEmpty())
        m_options.dataDir = ServerOptions::defaultDataDir();
    if (m_options.httpThreads <= 0)
        m_options.httpThreads = std::clamp(QThread::idealThreadCount(), 1, HttpService::kMaxThreads);
}

Server::~Server()
{
    stop(0);
}

bool Server::start(QString *error, StartFailure *failure)
{
    if (failure)
        *failure = StartFailure::Other;
    const AdminToken token = AdminToken::resolve(m_options.adminToken, m_options.dataDir, error);
    if (token.value.isEmpty())
        return false;
    m_adminToken = token.value;
    m_tokenGenerated = token.generated;

    EngineOptions engineOptions;
    if (m_options.storeUrl.isEmpty()) {
        engineOptions.store = StoreLocation::sqliteIn(m_options.dataDir);
    } else {
        engineOptions.store = StoreLocation::fromUrl(m_options.storeUrl, error);
        if (engineOptions.store.driver.isEmpty())
            return false;
    }
    engineOptions.maxQueueDepth = m_options.maxQueueDepth;
    engineOptions.walLimitBytes = m_options.walLimitBytes;
    engineOptions.tickets = m_options.tickets;
    engineOptions.ticketMemoryMs = m_options.ticketMemoryMs;
    engineOptions.queueUrl = m_options.queueUrl;
    engineOptions.nodeId = m_options.nodeId;
    engineOptions.scaleOut = linkedScaleOut();
    auto engine = std::make_unique<Engine>(engineOptions);
    if (!engine->start(error, failure))
        return false;
    // After the engine: a data dir it refused (a newer schema, say) is left as it was.
    m_shopSecrets = ShopSecrets::resolve(m_options.shopSecretFile, m_options.dataDir, Engine::nowMs() / 1000, error);
    if (m_shopSecrets.keys.isEmpty()) {
        engine->stop(0);
        return false;
    }
    HttpServiceOptions httpOptions;
    httpOptions.durableGraceMs = m_options.durableGraceMs;
    httpOptions.publicMetrics = m_options.publicMetrics;
    httpOptions.limits = m_options.httpLimits;
    httpOptions.tls = m_options.tls;
    httpOptions.shoppers = m_options.shoppers;
    auto http = std::make_unique<HttpService>(*engine, std::move(httpOptions));
    http->setAdminToken(m_adminToken);
    http->setShopKeys(m_shopSecrets.keys);
    if (!http->start(m_options.listenAddress, m_options.port, m_options.httpThreads, error)) {
        engine->stop(0);
        return false;
    }
    // Webhooks: an embedded node delivers every event's, a scale-out node those of the events it decides.
    Engine *started = engine.get();
    m_webhooks = std::make_unique<WebhookDelivery>(
        engineOptions.store, started->isClustered() ? WebhookDelivery::DeliveredEvents([started] { return started->decidedEventIds(); })
                                                    : WebhookDelivery::DeliveredEvents());
    m_webhooks->start();
    m_engine = std::move(engine);
    m_http = std::move(http);
    return true;
}

void Server::stop(int drainTimeoutMs)
{
    if (!m_engine)
        return;
    m_webhooks.reset(); // before the engine it asks which events it decides
    // The engine drains first so that clients waiting on their tickets still get answers.
    m_engine->stop(drainTimeoutMs);
    m_http->stop();
    m_http.reset();
    m_engine.reset();
}

bool Server::regenerateAdminToken(QString *error)
{
    const AdminToken token = AdminToken::regenerate(m_options.dataDir, error);
    if (token.value.isEmpty())
        return false;
    m_adminToken = token.value;
    if (m_http)
        m_http->setAdminToken(m_adminToken);
    return true;
}

bool Server::rotateShopSecret(QString *error, std::int64_t graceS)
{
    if (!m_shopSecrets.fromDataDir) {
        *error = QStringLiteral("the shop secret comes from --shop-secret-file or FLASHSALE_SHOP_SECRET; change it there");
        return false;
    }
    ShopSecrets rotated = ShopSecrets::rotate(m_options.dataDir, graceS, Engine::nowMs() / 1000, error);
    if (rotated.keys.isEmpty())
        return false;
    m_shopSecrets = rotated;
    if (m_http)
        m_http->setShopKeys(m_shopSecrets.keys);
    return true;
}

QString Server::baseUrl() const
{
    const QHostAddress address = m_options.listenAddress;
    const quint16 port = m_http ? m_http->port() : m_options.port;
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                                             : address.toString();
    return QStringLiteral("%1://%2:%3").arg(m_options.tls.enabled() ? u"https"_qs : u"http"_qs, host).arg(port);
}

QString Server::shopUrl(const QString &eventId) const
{
    return baseUrl() + u"/shop/"_qs + QString::fromLatin1(QUrl::toPercentEncoding(eventId));
}

} // namespace flashsale
