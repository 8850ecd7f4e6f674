// Real engine nodes for the console's tests: the console's own embedded engine (a LocalBackend on
// a temporary dir), or a headless `flashsale` process reached by a RemoteBackend; both on a free
// loopback port with a known admin token.
#pragma once

#include "tests/support/crowdoptions.h"
#include "tests/support/engineprocess.h"
#include "ui/backend/backends.h"
#include "ui/backend/localbackend.h"
#include "ui/backend/remotebackend.h"
#include "ui/mainwindow.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace flashsale::test {

// Options for a console or node on dataDir, a port the kernel picks and a known admin token
// (no per-address rate limit: tests send many purchases from 127.0.0.1).
inline ServerOptions nodeOptions(const QString &dataDir, const QString &adminToken = QStringLiteral("token"))
{
    ServerOptions options = crowdNodeOptions();
    options.dataDir = dataDir;
    options.port = 0;
    options.adminToken = adminToken;
    return options;
}

// What a console gets from the backend layer, for an embedded engine with the default options.
inline BackendServices defaultServices()
{
    return backendServices(ServerOptions(), false, false);
}

// The console's main window over the embedded engine with options (the command line's), as
// `flashsale` makes it.
inline std::unique_ptr<MainWindow> consoleWindow(const ServerOptions &options)
{
    const BackendServices services = backendServices(options, true, true);
    return std::make_unique<MainWindow>(services, services.makeBackend(QString(), QString()));
}

// The embedded node of a console window (null: the engine did not start, or it is remote).
inline Server *serverOf(const MainWindow &window)
{
    auto *local = qobject_cast<LocalBackend *>(window.backend());
    return local ? local->server() : nullptr;
}

// Thread: the test's main thread. The console's embedded engine: a started LocalBackend, whose
// engine a test may also drive directly to set a scene.
class TestServer
{
public:
    // configure may change the node's options before it starts (a rate limit, say).
    explicit TestServer(const std::function<void(ServerOptions &)> &configure = {})
    {
        ServerOptions options = nodeOptions(m_dir.path(), QStringLiteral("test-admin-token"));
        options.httpThreads = 2;
        if (configure)
            configure(options);
        m_backend = std::make_unique<LocalBackend>(options);
        m_started = m_backend->start();
        if (!m_started)
            qWarning("test server did not start: %s", qPrintable(m_backend->linkError()));
    }
    ~TestServer() { m_backend->shutDown(); }

    bool started() const { return m_started; }
    Server &server() { return *m_backend->server(); }
    Engine &engine() { return server().engine(); }
    LocalBackend &backend() { return *m_backend; }
    ServerOptions options() const { return m_backend->server()->options(); }
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
    std::unique_ptr<LocalBackend> m_backend;
    bool m_started = false;
};

// Which backend a page test runs against.
enum class BackendUnderTest : std::uint8_t {
    InProcess = 1, // the console's embedded engine
    Remote,        // a headless flashsale process, through its admin API and feed
};

// Thread: the test's main thread. A console backend of either kind over a real node, set up
// through the node's HTTP API (api()), so one test body serves both kinds. Needs FLASHSALE_BINARY
// for the remote kind.
class ConsoleNode
{
public:
    static constexpr int kConnectTimeoutMs = 20000;

    explicit ConsoleNode(BackendUnderTest kind) : m_kind(kind) {}
    ~ConsoleNode()
    {
        if (m_backend)
            m_backend->shutDown();
    }

    // Starts the node and attaches the backend; true once the first snapshot arrived.
    bool start()
    {
        if (m_kind == BackendUnderTest::InProcess) {
            ServerOptions options = nodeOptions(m_dir.filePath(u"console"_qs), QString::fromLatin1(kToken));
            options.httpThreads = 2;
            m_backend = std::make_unique<LocalBackend>(options);
        } else {
            m_process = std::make_unique<EngineProcess>(m_dir.filePath(u"node"_qs), QByteArray(kToken));
            if (!m_process->start())
                return false;
            m_backend = std::make_unique<RemoteBackend>(QUrl(m_process->baseUrl()), QString::fromLatin1(kToken));
        }
        if (!m_backend->start())
            return false;
        m_api = std::make_unique<ApiClient>(m_backend->baseUrl(), QByteArray(kToken), 4);
        return ApiClient::waitUntil([this] {
            return m_backend->linkState() == LinkState::Connected && m_backend->stats().atMs > 0;
        }, kConnectTimeoutMs);
    }

    BackendUnderTest kind() const { return m_kind; }
    ConsoleBackend &backend() { return *m_backend; }
    ApiClient &api() { return *m_api; }
    // The headless node (remote kind only).
    EngineProcess *process() { return m_process.get(); }
    QString dir() const { return m_dir.path(); }

    // Creates and opens an event through the API and waits until the backend's snapshot shows it.
    bool openSale(const QString &id, std::int64_t stock, int perUserLimit = 1)
    {
        return m_api->openSale(id, stock, perUserLimit, 1999) && waitForEvent(id);
    }
    // Creates and opens an event whose orders await payment for windowSeconds, with freed units
    // going where policy says, and waits until the backend's snapshot shows it.
    bool openWindowSale(const QString &id, std::int64_t stock, int windowSeconds, ReleasePolicy policy)
    {
        const ApiReply created = m_api->admin("POST", u"/api/v1/admin/events"_qs,
                                              {{u"id"_qs, id}, {u"name"_qs, id}, {u"priceCents"_qs, 1999},
                                               {u"stock"_qs, qint64(stock)}, {u"paymentWindowSeconds"_qs, windowSeconds},
                                               {u"releasePolicy"_qs, toString(policy)}, {u"launch"_qs, true}});
        if (created.status != 201) {
            qWarning("creating %s: %d %s", qPrintable(id), created.status, created.body.constData());
            return false;
        }
        return waitForEvent(id);
    }
    // The node's order of user in eventId, as its API lists it (an empty object: none).
    QJsonObject orderOf(const QString &eventId, const QString &user)
    {
        const ApiReply listed = m_api->admin("GET", u"/api/v1/admin/events/"_qs + eventId + u"/orders?user="_qs + user);
        for (const QJsonValue &item : listed.json.value(u"items"_qs).toArray()) {
            if (item.toObject().value(u"userId"_qs).toString() == user)
                return item.toObject();
        }
        return {};
    }
    bool waitForEvent(const QString &id, int timeoutMs = 5000)
    {
        return ApiClient::waitUntil([&] { return eventIn(id) != nullptr; }, timeoutMs);
    }
    // The event as the backend's newest snapshot shows it (null: not there).
    const EventSnapshot *eventIn(const QString &id) const
    {
        for (const EventSnapshot &e : m_backend->stats().events) {
            if (e.config.id == id)
                return &e;
        }
        return nullptr;
    }
    // n shoppers (user-0 … user-n-1) try to buy one unit each and wait for their decision; every
    // third leaves a contact. Returns how many got an HTTP answer.
    int buy(const QString &eventId, int shoppers, const QString &userPrefix = u"user-"_qs)
    {
        int answered = 0;
        for (int i = 0; i < shoppers; ++i) {
            const QString user = userPrefix + QString::number(i);
            const QString contact = i % 3 == 0 ? u"1380013800"_qs + QString::number(i % 10) : QString();
            answered += m_api->call("POST", u"/api/v1/events/"_qs + eventId + u"/purchases?wait=5000"_qs,
                                    purchaseBody(user, user, 1, contact)).status > 0;
        }
        return answered;
    }

private:
    static constexpr const char *kToken = "console-test-token";
    BackendUnderTest m_kind;
    QTemporaryDir m_dir;
    std::unique_ptr<EngineProcess> m_process;
    std::unique_ptr<ConsoleBackend> m_backend;
    std::unique_ptr<ApiClient> m_api;
};

// Adds the data rows of a test over both kinds of backend (column "backend").
inline void addBackendRows()
{
    QTest::addColumn<BackendUnderTest>("backend");
    QTest::newRow("in-process") << BackendUnderTest::InProcess;
    QTest::newRow("remote") << BackendUnderTest::Remote;
}

} // namespace flashsale::test
Q_DECLARE_METATYPE(flashsale::test::BackendUnderTest)
