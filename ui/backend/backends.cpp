#include "ui/backend/backends.h"

#include "engine/core/queueurl.h"
#include "ui/backend/localbackend.h"
#include "ui/backend/remotebackend.h"

#include <QUrl>

namespace flashsale {

namespace {

SettingsProblem checkSettings(const EngineSettings &s)
{
    ServerOptions probe;
    QString ignored;
    if (!probe.setListen(s.listen, &ignored))
        return SettingsProblem::Listen;
    if (s.dataDir.isEmpty())
        return SettingsProblem::DataDir;
    if (!s.storeUrl.isEmpty() && StoreLocation::fromUrl(s.storeUrl, &ignored).driver.isEmpty())
        return SettingsProblem::StoreUrl;
    if (!s.queueUrl.isEmpty() && !checkQueueUrl(s.queueUrl).isEmpty())
        return SettingsProblem::QueueUrl;
    if (!s.queueUrl.isEmpty() && s.storeUrl.isEmpty())
        return SettingsProblem::QueueWithoutStore;
    if (!s.nodeId.isEmpty() && !checkNodeId(s.nodeId).isEmpty())
        return SettingsProblem::NodeId;
    return SettingsProblem::None;
}

} // namespace

BackendServices backendServices(const ServerOptions &commandLine, bool listenGiven, bool dataDirGiven)
{
    BackendServices services;
    services.makeBackend = [commandLine, listenGiven, dataDirGiven](const QString &url,
                                                                    const QString &adminToken) -> std::unique_ptr<ConsoleBackend> {
        if (url.isEmpty())
            return std::make_unique<LocalBackend>(embeddedOptions(commandLine, listenGiven, dataDirGiven));
        return std::make_unique<RemoteBackend>(QUrl(url), adminToken);
    };
    services.checkSettings = checkSettings;
    services.defaults.listen = (commandLine.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
                                    ? u"[%1]:%2"_qs
                                    : u"%1:%2"_qs)
                                   .arg(commandLine.listenAddress.toString())
                                   .arg(commandLine.port);
    services.defaults.dataDir = commandLine.dataDir.isEmpty() ? ServerOptions::defaultDataDir() : commandLine.dataDir;
    services.defaults.rateLimitPerSecond = commandLine.shoppers.purchasesPerAddressPerSecond;
    return services;
}

} // namespace flashsale
