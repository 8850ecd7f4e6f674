// Runs the HTTP API on several acceptor threads that share one port (SO_REUSEPORT), so the
// kernel spreads connections over them.
#pragma once

#include "engine/api/httpfront.h"
#include "engine/core/ticketbook.h"

#include <QHostAddress>
#include <QThread>

#include <memory>
#include <vector>

namespace flashsale {

class Engine;

// Thread: start/stop/setAdminToken from the owning (main) thread; each front lives on its thread.
class HttpService
{
public:
    // durableGraceMs: see kDefaultDurableGraceMs. publicMetrics: /metrics without the admin token.
    HttpService(Engine &engine, int durableGraceMs, bool publicMetrics);
    ~HttpService();

    // Each acceptor thread registers two ticket listeners (its HTTP and its WebSocket front).
    static constexpr int kMaxThreads = TicketBook::kMaxFrontThreads;

    // Binds address:port (0 picks a free port) and starts `threads` acceptors, 1..kMaxThreads.
    bool start(const QHostAddress &address, quint16 port, int threads, QString *error);
    // Stops accepting, answers every open connection (503 for what is still undecided), then
    // closes them. Call after the engine stopped, so that nothing is left undecided.
    void stop();

    void setAdminToken(const QString &token) { m_token.set(token); }
    quint16 port() const { return m_port; }
    QHostAddress address() const { return m_address; }

private:
    class FrontThread;

    Engine &m_engine;
    const int m_durableGraceMs;
    const bool m_publicMetrics;
    SharedToken m_token;
    QHostAddress m_address;
    quint16 m_port = 0;
    std::vector<std::unique_ptr<FrontThread>> m_threads;
};

} // namespace flashsale
