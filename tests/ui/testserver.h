// A real engine node for the console's tests: SQLite in a temporary dir, HTTP on a free port.
#pragma once

#include "engine/api/server.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace flashsale::test {

// Options for a console or node on dataDir, a port the kernel picks and a known admin token.
inline ServerOptions nodeOptions(const QString &dataDir, const QString &adminToken = QStringLiteral("token"))
{
    ServerOptions options;
    options.dataDir = dataDir;
    options.port = 0;
    options.adminToken = adminToken;
    return options;
}

// Thread: the test's main thread.
class TestServer
{
public:
    TestServer()
    {
        ServerOptions options = nodeOptions(m_dir.path(), QStringLiteral("test-admin-token"));
        options.httpThreads = 2;
        m_server = std::make_unique<Server>(options);
        QString error;
        m_started = m_server->start(&error);
        if (!m_started)
            qWarning("test server did not start: %s", qPrintable(error));
    }
    ~TestServer() { m_server->stop(5000); }

    bool started() const { return m_started; }
    Server &server() { return *m_server; }
    Engine &engine() { return m_server->engine(); }
    ServerOptions options() const { return m_server->options(); }
    QString dir() const { return m_dir.path(); }

    // Creates and opens an event; returns false (and fails the test) if the engine refuses.
    bool openEvent(const QString &id, std::int64_t stock, std::int32_t perUserLimit = 1)
    {
        EventConfig config;
        config.id = id;
        config.name = QStringLiteral("Test %1").arg(id);
        config.priceCents = 1999;
        config.stock = stock;
        config.perUserLimit = perUserLimit;
        const AdminResult created = engine().createEvent(config);
        if (created.status != Status::Ok) {
            qWarning("create: %s", qPrintable(created.message));
            return false;
        }
        return engine().actOnEvent(id, EventAction::Open).status == Status::Ok;
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Server> m_server;
    bool m_started = false;
};

} // namespace flashsale::test
