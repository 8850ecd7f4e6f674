// Runs the HTTP and WebSocket API on several acceptor threads that share one port
// (SO_REUSEPORT), so the kernel spreads connections over them. The transport is Boost.Beast
// (httptransport.cpp); nothing of it shows in this header.
#pragma once

#include "engine/api/adminauth.h"
#include "engine/api/shopperadmission.h"
#include "engine/core/ticketbook.h"

#include <QHostAddress>
#include <QString>

#include <cstddef>
#include <memory>
#include <vector>

namespace flashsale {

class Engine;

// How long a purchase or poll waits for the journal commit beyond its own ?wait before it is
// answered 503 (retry with the same requestId); the WebSocket pushes use the same grace.
constexpr int kDefaultDurableGraceMs = 5000;

// What one connection may cost, and for how long. Defaults are the README's limits table.
struct HttpLimits {
    int headerBytes = 16 * 1024;      // request line and headers; over: 431, close
    int bodyBytes = 64 * 1024;        // announced or read; over: 413 before reading, close
    int headerTimeoutMs = 10'000;     // from a request's first byte to its last header
    int bodyTimeoutMs = 10'000;       // to read a body
    int idleTimeoutMs = 30'000;       // keep-alive connection with no request
    int sendTimeoutMs = 30'000;       // one answer (or one 256 KiB piece of a file) to be taken by the peer
    int maxConnectionsPerAddress = 256;
    // A reverse proxy on the same host shows every shopper as a loopback address: loopback
    // peers are not capped per address (the total cap still holds).
    bool capLoopbackPeers = false;
    int maxConnections = 0;           // total; 0: the descriptor limit less 128
    int staffReserve = 64;            // of maxConnections, kept for /healthz and staff routes
    std::size_t wsQueueBytes = 1 << 20; // WebSocket bytes queued for a peer; over: close
    int wsPingMs = 15'000;            // a WebSocket peer silent through two pings is dropped
};

// PEM files for HTTPS/WSS on the API port (plain HTTP keeps working on the same port).
struct TlsFiles {
    QString certificateChainFile; // the certificate, then any intermediates
    QString privateKeyFile;
    bool enabled() const { return !certificateChainFile.isEmpty(); }
};

struct HttpServiceOptions {
    int durableGraceMs = kDefaultDurableGraceMs;
    bool publicMetrics = false; // /metrics without the admin token
    ShopperPolicy shoppers;     // origins, rate limits, trusted proxies
    HttpLimits limits;
    TlsFiles tls;
};

// Thread: start/stop/setAdminToken from the owning (main) thread; each front lives on its thread.
class HttpService
{
public:
    HttpService(Engine &engine, HttpServiceOptions options);
    ~HttpService();

    // Each acceptor thread registers one ticket listener (its waiter table).
    static constexpr int kMaxThreads = TicketBook::kMaxFrontThreads;

    // Binds address:port (0 picks a free port) and starts `threads` acceptors, 1..kMaxThreads.
    bool start(const QHostAddress &address, quint16 port, int threads, QString *error);
    // Stops accepting, answers every open connection (503 for what is still undecided), then
    // closes them. Call after the engine stopped, so that nothing is left undecided.
    void stop();

    void setAdminToken(const QString &token) { m_token.set(token); }
    // The shop's pass-signing keys (set at start and at every rotation). Any thread.
    void setShopKeys(const QList<ShopKey> &keys) { m_admission.shopKeys().set(keys); }
    quint16 port() const { return m_port; }
    QHostAddress address() const { return m_address; }
    bool tls() const { return m_options.tls.enabled(); }

private:
    class FrontThread;

    Engine &m_engine;
    HttpServiceOptions m_options;
    SharedToken m_token;
    WsTicketBook m_wsTickets;
    ShopperAdmission m_admission;
    QHostAddress m_address;
    quint16 m_port = 0;
    std::shared_ptr<struct TransportShared> m_shared; // connection counts and TLS context (httptransport.cpp)
    std::vector<std::unique_ptr<FrontThread>> m_threads;
};

} // namespace flashsale
