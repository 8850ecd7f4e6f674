#include "app/commandline.h"

#include "engine/core/queueurl.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QUrl>
#include <QFile>

namespace flashsale {

CommandLine CommandLine::parse(const QStringList &arguments)
{
    CommandLine result;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Flash Sale Console: run flash sales without overselling or losing an order."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(u"headless"_qs, u"Run the engine without the console (for servers)."_qs);
    const QCommandLineOption dataDir(u"data-dir"_qs, u"Where the database and admin token live."_qs, u"DIR"_qs);
    const QCommandLineOption listen(u"listen"_qs, u"HTTP address (default 127.0.0.1:8080)."_qs, u"ADDR:PORT"_qs);
    const QCommandLineOption adminToken(u"admin-token"_qs, u"Bearer token for the admin API (else FLASHSALE_ADMIN_TOKEN, else generated once). Visible to every local user in ps: prefer --admin-token-file or the environment."_qs, u"TOKEN"_qs);
    const QCommandLineOption adminTokenFile(u"admin-token-file"_qs, u"Read the admin API's bearer token from FILE (its first line), so it is not on the command line."_qs, u"FILE"_qs);
    const QCommandLineOption httpThreads(u"http-threads"_qs, QStringLiteral("HTTP acceptor threads (default: one per core, at most %1).").arg(HttpService::kMaxThreads), u"N"_qs);
    const QCommandLineOption publicMetrics(u"public-metrics"_qs, u"Serve /metrics without the admin token (it lists every event id; by default Prometheus sends the token)."_qs);
    const QCommandLineOption walLimit(u"wal-limit-mb"_qs, QStringLiteral("SQLite: keep the write-ahead log under this many MiB during a sale (default %1).").arg(kDefaultWalLimitBytes >> 20), u"N"_qs);
    const QCommandLineOption ticketMemory(u"ticket-memory-hours"_qs, QStringLiteral("Keep decided tickets in memory this many hours (default %1; 0: drop them once decided), those of ended events not at all; older ones are answered from the database. Embedded nodes only.").arg(EngineOptions::kDefaultTicketMemoryMs / 3600000), u"H"_qs);
    const QCommandLineOption maxQueue(u"max-queue"_qs, u"Requests waiting for a decision before new ones get 429 (default 200000)."_qs, u"N"_qs);
    const QCommandLineOption store(u"store"_qs, u"PostgreSQL instead of SQLite in the data dir: postgresql://USER:PASS@HOST:PORT/DB (or set FLASHSALE_STORE_URL)."_qs, u"URL"_qs);
    const QCommandLineOption queue(u"queue"_qs, u"RabbitMQ instead of the in-process queue, so several nodes share the sale: amqp://USER:PASS@HOST:PORT/VHOST (or set FLASHSALE_QUEUE_URL). Needs --store."_qs, u"URL"_qs);
    const QCommandLineOption nodeId(u"node-id"_qs, u"Names this node in logs, metrics and the cluster: 1 to 64 of A-Z a-z 0-9 . _ - (default: the host name)."_qs, u"NAME"_qs);
    const QCommandLineOption simulate(u"simulate"_qs, u"With --headless: rehearse EVENT_ID: send N simulated shoppers through the HTTP API to a rehearsal copy of it (the event itself is not touched), print a summary and keep serving."_qs, u"EVENT_ID:N"_qs);
    const QCommandLineOption backup(u"backup"_qs, u"Save a consistent copy of the SQLite database of --data-dir as FILE, also while a node serves, and exit (PostgreSQL: use pg_dump)."_qs, u"FILE"_qs);
    const QCommandLineOption report(u"report"_qs, u"Render the post-sale report of EVENT_ID (from the stored journal of --data-dir or --store) into --output FILE.pdf or FILE.png, without a window, and exit."_qs, u"EVENT_ID"_qs);
    const QCommandLineOption output(u"output"_qs, u"With --report: the file to write, PDF or PNG by its suffix."_qs, u"FILE"_qs);
    const QCommandLineOption connect(u"connect"_qs, u"Attach the console to the running node at URL (http://HOST:PORT) instead of starting an engine; with --backup or --report, ask that node. Admin token from FLASHSALE_ADMIN_TOKEN or --admin-token (the console also asks)."_qs, u"URL"_qs);
    const QCommandLineOption pace(u"pace"_qs, QStringLiteral("With --simulate: shoppers sent per second (default %1; 0: as fast as possible).").arg(kDefaultShoppersPerSecond), u"N"_qs);
    const QCommandLineOption tlsCert(u"tls-cert"_qs, u"Serve HTTPS and WSS (TLS 1.2+) on the API port with this PEM certificate (a chain file works: the certificate first). Needs --tls-key."_qs, u"FILE"_qs);
    const QCommandLineOption tlsKey(u"tls-key"_qs, u"The PEM private key of --tls-cert."_qs, u"FILE"_qs);
    const ShopperPolicy shopperDefaults;
    const QCommandLineOption shopSecretFile(u"shop-secret-file"_qs, u"The secret the shop signs shopper passes with (\"KID SECRET\" lines, or one bare secret), for events with signed shoppers (else FLASHSALE_SHOP_SECRET, else the data dir's shop-secret file, generated once)."_qs, u"FILE"_qs);
    const QCommandLineOption rateLimit(u"rate-limit"_qs, QStringLiteral("Purchases a second from one client address, with bursts of twice as many; over it: 429 (default %1, 0: off).").arg(shopperDefaults.purchasesPerAddressPerSecond), u"N"_qs);
    const QCommandLineOption userRateLimit(u"user-rate-limit"_qs, QStringLiteral("Purchases a second by one user of an event with signed shoppers, bursts of twice as many (default %1, 0: off).").arg(shopperDefaults.purchasesPerUserPerSecond), u"N"_qs);
    const QCommandLineOption trustedProxies(u"trusted-proxies"_qs, QStringLiteral("Peers whose X-Forwarded-For names the client, as CIDR,... (default %1; empty: none).").arg(shopperDefaults.trustedProxies), u"CIDRS"_qs);
    const QCommandLineOption allowedOrigins(u"allowed-origins"_qs, u"Web pages that may call the shopper API from a browser, as https://shop.example,... or * for any (default: only the node's own pages)."_qs, u"ORIGINS"_qs);
    // The front's limits: each a whole number, README "Limits" gives the defaults.
    struct LimitOption {
        QCommandLineOption option;
        int HttpLimits::*field;
        int min;
        int max;
    };
    const HttpLimits defaults;
    const auto limitOption = [&defaults](const QString &name, const QString &what, int HttpLimits::*field, int min, int max) {
        return LimitOption{QCommandLineOption(name, QStringLiteral("%1 (default %2).").arg(what).arg(defaults.*field), u"N"_qs), field, min, max};
    };
    const LimitOption limitOptions[] = {
        limitOption(u"max-header-bytes"_qs, u"Request line and headers, in bytes; over it: 431"_qs, &HttpLimits::headerBytes, 1024, 1 << 20),
        limitOption(u"max-body-bytes"_qs, u"Request body, in bytes; over it: 413 before it is read"_qs, &HttpLimits::bodyBytes, 1024, 1 << 20),
        limitOption(u"header-timeout-ms"_qs, u"Time to send a request's headers"_qs, &HttpLimits::headerTimeoutMs, 100, 600'000),
        limitOption(u"body-timeout-ms"_qs, u"Time to send a request's body"_qs, &HttpLimits::bodyTimeoutMs, 100, 600'000),
        limitOption(u"idle-timeout-ms"_qs, u"Keep-alive connection without a request"_qs, &HttpLimits::idleTimeoutMs, 100, 3'600'000),
        limitOption(u"send-timeout-ms"_qs, u"Time for a peer to take one answer"_qs, &HttpLimits::sendTimeoutMs, 100, 600'000),
        limitOption(u"max-connections"_qs, u"Open connections in all (0: the descriptor limit less 128)"_qs, &HttpLimits::maxConnections, 0, 1'000'000),
        limitOption(u"max-connections-per-address"_qs, u"Open connections from one client address (loopback peers, such as a local proxy, are not counted)"_qs, &HttpLimits::maxConnectionsPerAddress, 1, 1'000'000),
        limitOption(u"staff-reserve"_qs, u"Connections kept back for /healthz and the admin API when the rest are taken"_qs, &HttpLimits::staffReserve, 0, 100'000),
        limitOption(u"ws-ping-ms"_qs, u"WebSocket ping interval; a peer silent through two is dropped"_qs, &HttpLimits::wsPingMs, 100, 600'000),
    };
    parser.addOptions({headless, dataDir, listen, adminToken, adminTokenFile, publicMetrics, httpThreads, maxQueue, store, queue, nodeId, simulate, pace, backup, report, output, connect, tlsCert, tlsKey,
                       shopSecretFile, rateLimit, userRateLimit, trustedProxies, allowedOrigins, walLimit, ticketMemory});
    for (const LimitOption &limit : limitOptions)
        parser.addOption(limit.option);

    if (!parser.parse(arguments)) {
        result.error = parser.errorText();
        return result;
    }
    if (parser.isSet(u"help"_qs)) {
        parser.showHelp(0);
    }
    if (parser.isSet(u"version"_qs)) {
        parser.showVersion();
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.error = QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first());
        return result;
    }
    result.headless = parser.isSet(headless);
    result.server.dataDir = parser.value(dataDir);
    result.dataDirGiven = parser.isSet(dataDir);
    result.listenGiven = parser.isSet(listen);
    result.server.adminToken = parser.value(adminToken);
    result.server.publicMetrics = parser.isSet(publicMetrics);
    if (parser.isSet(adminTokenFile)) {
        if (parser.isSet(adminToken)) {
            result.error = u"give --admin-token or --admin-token-file, not both"_qs;
            return result;
        }
        QFile file(parser.value(adminTokenFile));
        if (!file.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("--admin-token-file: cannot read %1: %2").arg(file.fileName(), file.errorString());
            return result;
        }
        result.server.adminToken = QString::fromUtf8(file.readLine(4096)).trimmed();
        if (result.server.adminToken.isEmpty()) {
            result.error = QStringLiteral("--admin-token-file: %1 holds no token").arg(file.fileName());
            return result;
        }
    }
    if (parser.isSet(listen) && !result.server.setListen(parser.value(listen), &result.error))
        return result;
    if (parser.isSet(httpThreads)) {
        bool ok = false;
        result.server.httpThreads = parser.value(httpThreads).toInt(&ok);
        if (!ok || result.server.httpThreads < 1 || result.server.httpThreads > HttpService::kMaxThreads) {
            result.error = QStringLiteral("--http-threads expects a number from 1 to %1").arg(HttpService::kMaxThreads);
            return result;
        }
    }
    for (const LimitOption &limit : limitOptions) {
        if (!parser.isSet(limit.option))
            continue;
        bool ok = false;
        const int value = parser.value(limit.option).toInt(&ok);
        if (!ok || value < limit.min || value > limit.max) {
            result.error = QStringLiteral("--%1 expects a number from %2 to %3").arg(limit.option.names().constFirst()).arg(limit.min).arg(limit.max);
            return result;
        }
        result.server.httpLimits.*limit.field = value;
    }
    if (parser.isSet(tlsCert) != parser.isSet(tlsKey)) {
        result.error = u"give --tls-cert and --tls-key together"_qs;
        return result;
    }
    result.server.shopSecretFile = parser.value(shopSecretFile);
    ShopperPolicy &shoppers = result.server.shoppers;
    for (const auto &[option, field] : {std::pair{&rateLimit, &ShopperPolicy::purchasesPerAddressPerSecond},
                                        std::pair{&userRateLimit, &ShopperPolicy::purchasesPerUserPerSecond}}) {
        if (!parser.isSet(*option))
            continue;
        bool ok = false;
        const double value = parser.value(*option).toDouble(&ok);
        if (!ok || value < 0 || value > 1e6) {
            result.error = QStringLiteral("--%1 expects purchases a second from 0 (off) to 1000000").arg(option->names().constFirst());
            return result;
        }
        shoppers.*field = value;
    }
    if (parser.isSet(trustedProxies)) {
        TrustedProxies check;
        if (!check.parse(parser.value(trustedProxies), &result.error)) {
            result.error = u"--trusted-proxies: "_qs + result.error;
            return result;
        }
        shoppers.trustedProxies = parser.value(trustedProxies);
    }
    if (parser.isSet(allowedOrigins) && !shoppers.setAllowedOrigins(parser.value(allowedOrigins), &result.error)) {
        result.error = u"--allowed-origins: "_qs + result.error;
        return result;
    }
    result.server.tls.certificateChainFile = parser.value(tlsCert);
    result.server.tls.privateKeyFile = parser.value(tlsKey);
    if (parser.isSet(walLimit)) {
        bool ok = false;
        const qint64 mebibytes = parser.value(walLimit).toLongLong(&ok);
        if (!ok || mebibytes < 1 || mebibytes > 1 << 20) {
            result.error = u"--wal-limit-mb expects a number of MiB from 1 to 1048576"_qs;
            return result;
        }
        result.server.walLimitBytes = mebibytes << 20;
    }
    if (parser.isSet(ticketMemory)) {
        bool ok = false;
        const double hours = parser.value(ticketMemory).toDouble(&ok);
        if (!ok || !(hours >= 0) || hours > 24 * 365) {
            result.error = u"--ticket-memory-hours expects a number of hours from 0 to 8760"_qs;
            return result;
        }
        result.server.ticketMemoryMs = std::int64_t(hours * 3600 * 1000);
    }
    if (parser.isSet(maxQueue)) {
        bool ok = false;
        result.server.maxQueueDepth = parser.value(maxQueue).toLongLong(&ok);
        if (!ok || result.server.maxQueueDepth < 1) {
            result.error = u"--max-queue expects a positive number"_qs;
            return result;
        }
    }
    // The URLs may come from the environment instead, which keeps passwords out of `ps`.
    const QString storeUrl = parser.isSet(store) ? parser.value(store) : qEnvironmentVariable("FLASHSALE_STORE_URL");
    const QString queueUrl = parser.isSet(queue) ? parser.value(queue) : qEnvironmentVariable("FLASHSALE_QUEUE_URL");
    if (!storeUrl.isEmpty()) {
        QString storeError;
        if (StoreLocation::fromUrl(storeUrl, &storeError).driver.isEmpty()) {
            result.error = u"--store "_qs + storeError;
            return result;
        }
        result.server.storeUrl = storeUrl;
    }
    if (!queueUrl.isEmpty()) {
        if (const QString queueError = checkQueueUrl(queueUrl); !queueError.isEmpty()) {
            result.error = u"--queue "_qs + queueError;
            return result;
        }
        if (result.server.storeUrl.isEmpty()) {
            result.error = u"--queue needs --store postgresql://...: every node must share one database"_qs;
            return result;
        }
        result.server.queueUrl = queueUrl;
    }
    if (parser.isSet(nodeId)) {
        if (const QString idError = checkNodeId(parser.value(nodeId)); !idError.isEmpty()) {
            result.error = u"--node-id "_qs + idError;
            return result;
        }
        result.server.nodeId = parser.value(nodeId);
    }
    result.backupFile = parser.value(backup);
    result.connectUrl = parser.value(connect);
    result.reportEventId = parser.value(report);
    result.reportOutput = parser.value(output);
    if (parser.isSet(report)) {
        const QString suffix = QFileInfo(result.reportOutput).suffix().toLower();
        if (!isValidEventId(result.reportEventId)) {
            result.error = u"--report expects an event id such as spring-sale"_qs;
            return result;
        }
        if (suffix != u"pdf" && suffix != u"png") {
            result.error = u"--report needs --output FILE.pdf or FILE.png"_qs;
            return result;
        }
        if (parser.isSet(backup) || result.headless) {
            result.error = u"--report goes alone, not with --backup or --headless"_qs;
            return result;
        }
    } else if (parser.isSet(output)) {
        result.error = u"--output goes with --report EVENT_ID"_qs;
        return result;
    }
    if (parser.isSet(connect)) {
        const QUrl url(result.connectUrl, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()) {
            result.error = u"--connect expects the node's address, such as http://127.0.0.1:8080"_qs;
            return result;
        }
        if (result.headless) {
            result.error = u"--connect is for the console, --backup or --report, not --headless"_qs;
            return result;
        }
    }
    if (parser.isSet(simulate)) {
        const QString value = parser.value(simulate);
        const qsizetype colon = value.lastIndexOf(u':');
        bool ok = false;
        result.simulateEventId = value.left(colon);
        result.simulateShoppers = colon > 0 ? value.mid(colon + 1).toLongLong(&ok) : 0;
        if (!ok || result.simulateShoppers < 1 || !isValidEventId(result.simulateEventId)) {
            result.error = u"--simulate expects EVENT_ID:N such as spring-sale:1000"_qs;
            return result;
        }
        if (!result.headless) {
            result.error = u"--simulate needs --headless (in the console, use Tools → Simulate)"_qs;
            return result;
        }
    }
    if (parser.isSet(pace)) {
        bool ok = false;
        result.simulatePacePerSecond = parser.value(pace).toInt(&ok);
        if (!ok || result.simulatePacePerSecond < 0 || !parser.isSet(simulate)) {
            result.error = u"--pace expects shoppers per second (0 or more) and goes with --simulate"_qs;
            return result;
        }
    }
    return result;
}

} // namespace flashsale
