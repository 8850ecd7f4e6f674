// The HTTP/1.1 and WebSocket transport on Boost.Beast: one io_context per acceptor thread,
// strict framing, limits and timeouts on every connection, TLS detected on the same port.
// Everything here runs on its front's thread unless a comment says otherwise.
#include "engine/api/httptransport.h"

#include "engine/api/httproutes.h"
#include "engine/api/requestcheck.h"
#include "engine/api/waitertable.h"
#include "engine/api/wsfront.h"
#include "engine/node/engine.h"

#include <QFile>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_set>

namespace flashsale {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = beast::error_code;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Shared by every acceptor thread: connections counted per address and in all, and the TLS
// context. Thread-safe: m_mutex guards m_perAddress; m_total is atomic; tls is read-only once made.
struct TransportShared {
    enum class Admission { Full = 1, StaffOnly, Open };

    HttpLimits limits;
    std::unique_ptr<ssl::context> tls;

    Admission admit(const asio::ip::address &peer)
    {
        const int total = m_total.fetch_add(1, std::memory_order_relaxed) + 1;
        if (total > limits.maxConnections) {
            m_total.fetch_sub(1, std::memory_order_relaxed);
            return Admission::Full;
        }
        if (limits.capLoopbackPeers || !peer.is_loopback()) {
            std::lock_guard lock(m_mutex);
            int &count = m_perAddress[peer];
            if (count >= limits.maxConnectionsPerAddress) {
                if (count == 0)
                    m_perAddress.erase(peer);
                m_total.fetch_sub(1, std::memory_order_relaxed);
                return Admission::Full;
            }
            ++count;
        }
        return total > limits.maxConnections - limits.staffReserve ? Admission::StaffOnly : Admission::Open;
    }

    void release(const asio::ip::address &peer)
    {
        m_total.fetch_sub(1, std::memory_order_relaxed);
        if (limits.capLoopbackPeers || !peer.is_loopback()) {
            std::lock_guard lock(m_mutex);
            if (auto it = m_perAddress.find(peer); it != m_perAddress.end() && --it->second <= 0)
                m_perAddress.erase(it);
        }
    }

private:
    std::atomic<int> m_total{0};
    std::mutex m_mutex;
    std::map<asio::ip::address, int> m_perAddress; // guarded by m_mutex
};

std::shared_ptr<TransportShared> makeTransportShared(const HttpServiceOptions &options, QString *error)
{
    auto shared = std::make_shared<TransportShared>();
    shared->limits = options.limits;
    HttpLimits &limits = shared->limits;
    if (limits.maxConnections <= 0) {
        rlimit descriptors{};
        ::getrlimit(RLIMIT_NOFILE, &descriptors);
        const rlim_t usable = descriptors.rlim_cur == RLIM_INFINITY ? rlim_t(1'000'000) : descriptors.rlim_cur;
        limits.maxConnections = int(std::clamp<rlim_t>(usable > 128 ? usable - 128 : 16, 16, 1'000'000));
    }
    limits.staffReserve = std::clamp(limits.staffReserve, 0, limits.maxConnections / 2);
    // FLASHSALE_WS_PING_MS shortens the ping interval (tests, or proxies that cut idle links sooner).
    bool pingSet = false;
    if (const int pingMs = qEnvironmentVariableIntValue("FLASHSALE_WS_PING_MS", &pingSet); pingSet && pingMs > 0)
        limits.wsPingMs = pingMs;
    if (!options.tls.enabled())
        return shared;
    if (options.tls.privateKeyFile.isEmpty()) {
        *error = u"--tls-cert needs --tls-key (the certificate's private key, PEM)"_qs;
        return nullptr;
    }
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3
                         | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    error_code ec;
    context->use_certificate_chain_file(QFile::encodeName(options.tls.certificateChainFile).toStdString(), ec);
    if (ec) {
        *error = QStringLiteral("cannot use the TLS certificate %1: %2")
                     .arg(options.tls.certificateChainFile, QString::fromStdString(ec.message()));
        return nullptr;
    }
    context->use_private_key_file(QFile::encodeName(options.tls.privateKeyFile).toStdString(), ssl::context::pem, ec);
    if (ec) {
        *error = QStringLiteral("cannot use the TLS key %1: %2")
                     .arg(options.tls.privateKeyFile, QString::fromStdString(ec.message()));
        return nullptr;
    }
    shared->tls = std::move(context);
    return shared;
}

using requestcheck::transportError;

namespace {

constexpr int kSweepMs = 20;
constexpr int kQuietMs = 60;        // at shutdown: a connection this long without a request is closed
constexpr std::size_t kFileChunkBytes = 256 * 1024;
constexpr int kAcceptRetryMs = 100; // out of descriptors: try accepting again after this

// "Tue, 01 Dec 2026 01:02:03 GMT", made once a second per thread.
const std::string &httpDate()
{
    thread_local std::time_t cachedAt = 0;
    thread_local std::string cached;
    const std::time_t now = std::time(nullptr);
    if (now != cachedAt || cached.empty()) {
        std::tm parts{};
        ::gmtime_r(&now, &parts);
        char text[40];
        const std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
        cached.assign(text, n);
        cachedAt = now;
    }
    return cached;
}

// The status line and headers every answer starts with.
std::string answerHead(int status, unsigned version, const QByteArray &contentType, std::uint64_t contentLength,
                       const RouteReply &reply, bool keepAlive)
{
    std::string out;
    out.reserve(256 + std::size_t(contentType.size()));
    out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reasonPhrase(status));
    out.append("\r\nDate: ").append(httpDate());
    out.append("\r\nContent-Type: ").append(contentType.constData(), std::size_t(contentType.size()));
    out.append("\r\nContent-Length: ").append(std::to_string(contentLength));
    out.append("\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff");
    if (!reply.allowOrigin.isEmpty()) {
        out.append("\r\nAccess-Control-Allow-Origin: ").append(reply.allowOrigin.constData(), std::size_t(reply.allowOrigin.size()));
        out.append("\r\nVary: Origin");
    }
    for (const auto &[name, value] : reply.headers)
        out.append("\r\n").append(name.constData(), std::size_t(name.size())).append(": ").append(value.constData(), std::size_t(value.size()));
    if (!keepAlive)
        out.append("\r\nConnection: close");
    else if (version == 10)
        out.append("\r\nConnection: keep-alive");
    out.append("\r\n\r\n");
    return out;
}

class Front;

// What the front needs of every open connection at shutdown.
class Session
{
public:
    virtual ~Session() = default;
    // Shutdown: serve what is already on its way (each request 503), close once quiet.
    virtual void shutdownSoon() = 0;
    virtual void closeNow() = 0;
};

// One acceptor thread's front. Thread: its own thread; stop() posts onto it.
class Front final : public TransportFront
{
public:
    Front(Engine &engine, const HttpServiceOptions &options, std::shared_ptr<TransportShared> shared,
          const SharedToken &adminToken, WsTicketBook &wsTickets, ShopperAdmission &admission)
        : m_engine(engine)
        , m_shared(std::move(shared))
        , m_limits(m_shared->limits)
        , m_adminToken(adminToken)
        , m_wsTickets(wsTickets)
        , m_admission(admission)
        , m_ioc(1)
        , m_acceptor(m_ioc)
        , m_retryAccept(m_ioc)
        , m_sweepTimer(m_ioc)
        , m_wsTimer(m_ioc)
        , m_lingerTimer(m_ioc)
        , m_waiters(engine, options.durableGraceMs,
                    {[this] { asio::post(m_ioc, [this] { m_waiters.drain(); }); }, [this] { armSweep(); }})
        , m_routes({engine, adminToken, wsTickets, m_waiters, admission, options.publicMetrics,
                    [this](std::function<void()> f) { asio::post(m_ioc, std::move(f)); }})
        , m_ws(engine, m_waiters, admission)
    {
    }

    ~Front() override
    {
        // Every handler still pending refers to this front: close what is open, let the store
        // jobs post their last answers, and run the io_context dry while everything exists.
        m_stopping = true;
        error_code ignored;
        m_acceptor.close(ignored);
        m_retryAccept.cancel();
        m_sweepTimer.cancel();
        m_wsTimer.cancel();
        m_lingerTimer.cancel();
        m_routes.waitForStoreJobs();
        for (Session *s : std::vector<Session *>(m_sessions.begin(), m_sessions.end()))
            s->closeNow();
        m_ioc.restart();
        m_ioc.run();
    }

    bool listen(int fd, QString *error)
    {
        sockaddr_storage storage{};
        socklen_t length = sizeof storage;
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length);
        error_code ec;
        m_acceptor.assign(storage.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
        if (ec) {
            *error = QString::fromStdString(ec.message());
            return false;
        }
        accept();
        return true;
    }

    void run() override
    {
        m_ioc.run();
    }

    void stop(int lingerMs) override
    {
        asio::post(m_ioc, [this, lingerMs] { beginShutdown(lingerMs); });
    }

    // Front thread, for the sessions.
    asio::io_context &ioc() { return m_ioc; }
    const HttpLimits &limits() const { return m_limits; }
    HttpRoutes &routes() { return m_routes; }
    WsFront &ws() { return m_ws; }
    ShopperAdmission &admission() { return m_admission; }
    Engine &engine() { return m_engine; }
    bool stopping() const { return m_stopping; }
    ssl::context *tls() const { return m_shared->tls.get(); }
    bool adminWsAllowed(const RouteRequest &request)
    {
        return isAdminAuthorization(request.header("authorization"), m_adminToken)
            || m_wsTickets.redeem(request.query.queryItemValue(u"ticket"_qs).toLatin1());
    }
    // The sessions open on this front, for shutdown; a connection's count is released once,
    // by whichever session holds it last.
    void add(Session *session) { m_sessions.insert(session); }
    void forget(Session *session)
    {
        m_sessions.erase(session);
        if (m_stopping && m_sessions.empty())
            m_lingerTimer.cancel();
    }
    void release(const asio::ip::address &peer) { m_shared->release(peer); }
    void armWsTick()
    {
        if (m_wsTicking)
            return;
        m_wsTicking = true;
        m_wsTimer.expires_after(std::chrono::milliseconds(WsFront::kTickMs));
        m_wsTimer.async_wait([this](error_code ec) {
            m_wsTicking = false;
            if (ec || m_stopping)
                return;
            m_ws.tick();
            if (m_ws.hasClients())
                armWsTick();
        });
    }

private:
    void accept();
    void armSweep()
    {
        if (m_sweeping || m_stopping)
            return;
        m_sweeping = true;
        m_sweepTimer.expires_after(std::chrono::milliseconds(kSweepMs));
        m_sweepTimer.async_wait([this](error_code ec) {
            m_sweeping = false;
            if (ec || m_stopping)
                return;
            m_waiters.sweep(Engine::steadyMicros());
            if (!m_waiters.empty())
                armSweep();
        });
    }
    void beginShutdown(int lingerMs)
    {
        m_stopping = true;
        error_code ignored;
        // Connections the kernel completed but nobody accepted yet are reset by the close: their
        // requests were never read, so a retry with the same requestId is safe.
        m_acceptor.close(ignored);
        m_retryAccept.cancel();
        m_sweepTimer.cancel();
        m_wsTimer.cancel();
        m_waiters.finish();
        for (Session *s : std::vector<Session *>(m_sessions.begin(), m_sessions.end()))
            s->shutdownSoon();
        if (m_sessions.empty())
            return;
        m_lingerTimer.expires_after(std::chrono::milliseconds(lingerMs));
        m_lingerTimer.async_wait([this](error_code) {
            for (Session *s : std::vector<Session *>(m_sessions.begin(), m_sessions.end()))
                s->closeNow();
        });
    }

    Engine &m_engine;
    std::shared_ptr<TransportShared> m_shared;
    const HttpLimits &m_limits;
    const SharedToken &m_adminToken;
    WsTicketBook &m_wsTickets;
    ShopperAdmission &m_admission;
    asio::io_context m_ioc;
    tcp::acceptor m_acceptor;
    asio::steady_timer m_retryAccept;
    asio::steady_timer m_sweepTimer;
    asio::steady_timer m_wsTimer;
    asio::steady_timer m_lingerTimer;
    bool m_sweeping = false;
    bool m_wsTicking = false;
    bool m_stopping = false;
    std::unordered_set<Session *> m_sessions;
    WaiterTable m_waiters;
    HttpRoutes m_routes;
    WsFront m_ws;
};

// The lowest layer of either stream.
template<typename Stream>
beast::tcp_stream &tcpOf(Stream &stream)
{
    return beast::get_lowest_layer(stream);
}

// One upgraded WebSocket connection. Beast enforces masking (1002), the message size (1009)
// and UTF-8 in text messages (1007); pings keep it alive, silence drops it.
template<typename Stream>
class WsSession final : public Session, public WsConnection, public std::enable_shared_from_this<WsSession<Stream>>
{
public:
    WsSession(Front &front, Stream &&stream, asio::ip::address peer)
        : m_front(front), m_ws(std::move(stream)), m_peer(std::move(peer))
    {
        m_front.add(this);
    }
    ~WsSession() override
    {
        if (m_clientId != 0)
            m_front.ws().closed(m_clientId);
        m_front.forget(this);
        m_front.release(m_peer);
    }

    void start(http::request<http::string_body> request, bool admin, bool refused, QHostAddress client)
    {
        tcpOf(m_ws).expires_never();
        websocket::stream_base::timeout timeouts;
        timeouts.handshake_timeout = std::chrono::milliseconds(m_front.limits().headerTimeoutMs);
        timeouts.idle_timeout = std::chrono::milliseconds(2 * m_front.limits().wsPingMs);
        timeouts.keep_alive_pings = true;
        m_ws.set_option(timeouts);
        m_ws.set_option(websocket::stream_base::decorator([](websocket::response_type &response) {
            response.set(http::field::date, httpDate());
            response.set("X-Content-Type-Options", "nosniff");
        }));
        m_ws.read_message_max(std::uint64_t(WsFront::kMaxMessageBytes));
        m_ws.text(true);
        m_ws.async_accept(request, [self = this->shared_from_this(), admin, refused, client](error_code ec) {
            if (ec)
                return;
            if (refused) {
                self->m_ws.async_close(websocket::close_reason(websocket::close_code::policy_error, "wrong or missing admin token"),
                                       [self](error_code) {});
                return;
            }
            self->m_clientId = self->m_front.ws().open(self.get(), admin, client);
            self->m_front.armWsTick();
            self->read();
        });
    }

    void sendText(const QByteArray &utf8) override
    {
        if (m_closing)
            return;
        if (m_queuedBytes + std::size_t(utf8.size()) > m_front.limits().wsQueueBytes) {
            // A peer that does not read: never buffered further.
            return closeNow();
        }
        m_queue.push_back(utf8);
        m_queuedBytes += std::size_t(utf8.size());
        if (m_queue.size() == 1)
            writeNext();
    }
    std::size_t queuedBytes() const override { return m_queuedBytes; }

    void shutdownSoon() override
    {
        if (m_closing)
            return;
        m_closing = true;
        m_ws.async_close(websocket::close_reason(websocket::close_code::going_away, "the node is stopping"),
                         [self = this->shared_from_this()](error_code) {});
    }
    void closeNow() override
    {
        m_closing = true;
        error_code ignored;
        tcpOf(m_ws).socket().close(ignored);
    }

private:
    void read()
    {
        m_ws.async_read(m_buffer, [self = this->shared_from_this()](error_code ec, std::size_t) {
            if (ec) {
                // Closed, timed out, or failed by a rule (Beast has sent the close code).
                if (self->m_clientId != 0)
                    self->m_front.ws().closed(std::exchange(self->m_clientId, 0));
                return;
            }
            const auto data = self->m_buffer.cdata();
            const QByteArray payload(static_cast<const char *>(data.data()), qsizetype(data.size()));
            self->m_buffer.consume(self->m_buffer.size());
            self->m_front.ws().message(self->m_clientId, payload, !self->m_ws.got_text());
            self->read();
        });
    }
    void writeNext()
    {
        const QByteArray &next = m_queue.front();
        m_ws.async_write(asio::buffer(next.constData(), std::size_t(next.size())),
                         [self = this->shared_from_this()](error_code ec, std::size_t) {
                             self->m_queuedBytes -= std::size_t(self->m_queue.front().size());
                             self->m_queue.pop_front();
                             if (ec) {
                                 self->m_queue.clear();
                                 self->m_queuedBytes = 0;
                                 return;
                             }
                             if (!self->m_queue.empty())
                                 self->writeNext();
                         });
    }

    Front &m_front;
    websocket::stream<Stream> m_ws;
    asio::ip::address m_peer;
    beast::flat_buffer m_buffer;
    std::deque<QByteArray> m_queue;
    std::size_t m_queuedBytes = 0;
    std::uint64_t m_clientId = 0; // 0: not (or no longer) known to the WebSocket front
    bool m_closing = false;
};

// One HTTP connection: requests read one at a time and answered in order, each bounded in
// size and time; an upgrade hands the stream on to a WsSession.
template<typename Stream>
class HttpSession final : public Session, public Responder, public std::enable_shared_from_this<HttpSession<Stream>>
{
public:
    HttpSession(Front &front, Stream &&stream, beast::flat_buffer &&buffer, asio::ip::address peer, bool staffOnly)
        : m_front(front), m_stream(std::move(stream)), m_buffer(std::move(buffer)), m_peer(std::move(peer))
        , m_staffOnly(staffOnly)
    {
        m_front.add(this);
        m_peerAddress = QHostAddress(QString::fromStdString(m_peer.to_string()));
    }
    ~HttpSession() override
    {
        if (!m_upgraded) {
            m_front.forget(this);
            m_front.release(m_peer);
        }
    }

    void start() { waitForRequest(); }

    void shutdownSoon() override
    {
        if (m_idle) {
            error_code ignored;
            tcpOf(m_stream).socket().cancel(ignored); // waitForRequest starts over, with kQuietMs
        }
    }
    void closeNow() override
    {
        error_code ignored;
        tcpOf(m_stream).socket().close(ignored);
    }

    // Responder: the deferred answer comes back through this handle.
    std::shared_ptr<ReplyHandle> defer() override { return std::make_shared<Handle>(this->shared_from_this()); }

private:
    class Handle final : public ReplyHandle
    {
    public:
        explicit Handle(std::shared_ptr<HttpSession> session) : m_session(std::move(session)) {}
        bool connected() const override { return tcpOf(m_session->m_stream).socket().is_open(); }
        void send(RouteReply reply) override { m_session->answer(std::move(reply)); }

    private:
        std::shared_ptr<HttpSession> m_session;
    };

    void waitForRequest()
    {
        if (m_buffer.size() > 0)
            return readHeader();
        // Nothing buffered: wait for a first byte as long as an idle connection may stay.
        const HttpLimits &limits = m_front.limits();
        const int timeoutMs = m_front.stopping() ? kQuietMs : m_requests == 0 ? limits.headerTimeoutMs : limits.idleTimeoutMs;
        m_idle = true;
        tcpOf(m_stream).expires_after(std::chrono::milliseconds(timeoutMs));
        m_stream.async_read_some(m_buffer.prepare(4096), [self = this->shared_from_this()](error_code ec, std::size_t n) {
            self->m_idle = false;
            if (ec == asio::error::operation_aborted && self->m_front.stopping() && tcpOf(self->m_stream).socket().is_open())
                return self->waitForRequest();
            if (ec)
                return self->close();
            self->m_buffer.commit(n);
            self->readHeader();
        });
    }

    void readHeader()
    {
        const HttpLimits &limits = m_front.limits();
        m_parser.emplace();
        requestcheck::limit(*m_parser, limits);
        tcpOf(m_stream).expires_after(std::chrono::milliseconds(limits.headerTimeoutMs));
        http::async_read_header(m_stream, m_buffer, *m_parser, [self = this->shared_from_this()](error_code ec, std::size_t) {
            self->headerRead(ec);
        });
    }

    void headerRead(error_code ec)
    {
        if (ec) {
            std::optional<RouteReply> reply = requestcheck::parseError(ec, m_front.limits());
            return reply ? answer(std::move(*reply)) : close();
        }
        ++m_requests;
        requestcheck::Head head;
        if (std::optional<RouteReply> refused = requestcheck::checkHead(*m_parser, m_front.limits(), &head))
            return answer(std::move(*refused));
        m_version = head.version;
        m_keepAlive = head.keepAlive;
        m_head = head.head;
        m_method = head.method;
        if (m_parser->is_done())
            return serve();
        if (head.expectContinue) {
            static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            tcpOf(m_stream).expires_after(std::chrono::milliseconds(m_front.limits().sendTimeoutMs));
            return asio::async_write(m_stream, asio::buffer(kContinue), [self = this->shared_from_this()](error_code ec, std::size_t) {
                if (ec)
                    return self->close();
                self->readBody();
            });
        }
        readBody();
    }

    void readBody()
    {
        tcpOf(m_stream).expires_after(std::chrono::milliseconds(m_front.limits().bodyTimeoutMs));
        http::async_read(m_stream, m_buffer, *m_parser, [self = this->shared_from_this()](error_code ec, std::size_t) {
            if (ec) {
                std::optional<RouteReply> reply = requestcheck::parseError(ec, self->m_front.limits());
                return reply ? self->answer(std::move(*reply)) : self->close();
            }
            self->serve();
        });
    }

    void serve()
    {
        auto &message = m_parser->get();
        std::optional<RouteRequest> parsed = requestcheck::toRouteRequest(message, m_method);
        if (!parsed)
            return answer(transportError(400, "bad_request", u"the request target must be a path"_qs));
        RouteRequest &request = *parsed;
        request.peer = m_peerAddress;

        if (websocket::is_upgrade(message) && WsFront::isEndpoint(request.path) && !m_front.stopping()) {
            if (m_staffOnly && !WsFront::isAdminEndpoint(request.path)) {
                RouteReply refused = atCapacity();
                refused.closeAfter = true; // the client would wait for a 101 on it
                return answer(std::move(refused));
            }
            // A page elsewhere may not open a shopper connection in its visitors' browsers.
            if (!WsFront::isAdminEndpoint(request.path)
                && m_front.admission().checkOrigin(request.header("origin"), request.header("host"))
                    == ShopperAdmission::OriginCheck::Refused) {
                RouteReply refused = transportError(403, "origin_not_allowed",
                                                    u"pages at this origin may not connect; see the node's --allowed-origins"_qs);
                refused.closeAfter = true;
                return answer(std::move(refused));
            }
            return upgrade(request);
        }
        if (m_front.stopping()) {
            RouteReply reply;
            reply.error(Status::Unavailable, m_front.engine().unavailableReason());
            reply.addHeader("Retry-After", "1");
            reply.closeAfter = true;
            return answer(std::move(reply));
        }
        if (m_staffOnly && !HttpRoutes::isStaffPath(request.path))
            return answer(atCapacity());
        RouteReply reply;
        m_front.routes().handle(request, reply, *this);
        // A refused upgrade: the client would wait for a 101 on this connection forever.
        reply.closeAfter = reply.closeAfter || websocket::is_upgrade(message);
        if (!reply.deferred)
            answer(std::move(reply));
    }

    static RouteReply atCapacity()
    {
        RouteReply reply = transportError(503, "at_capacity", u"the node has no room for more connections; retry shortly"_qs);
        reply.addHeader("Retry-After", "1");
        reply.closeAfter = false; // the connection may still ask for /healthz and staff routes
        return reply;
    }

    void upgrade(const RouteRequest &request)
    {
        const bool admin = WsFront::isAdminEndpoint(request.path);
        const bool refused = admin && !m_front.adminWsAllowed(request);
        const QHostAddress client = m_front.admission().clientOf(request.peer, request.header("x-forwarded-for"));
        auto session = std::make_shared<WsSession<Stream>>(m_front, std::move(m_stream), m_peer);
        m_upgraded = true; // the connection, and its count, now belong to the WebSocket session
        m_front.forget(this);
        session->start(m_parser->release(), admin, refused, client);
    }

    void answer(RouteReply reply)
    {
        if (!tcpOf(m_stream).socket().is_open())
            return;
        const bool keepAlive = m_keepAlive && !reply.closeAfter && !reply.file && !m_front.stopping();
        const std::uint64_t length = reply.file ? std::uint64_t(reply.file->size()) : std::uint64_t(reply.body.size());
        m_out = answerHead(reply.status, m_version, reply.contentType, length, reply, keepAlive);
        if (!m_head && !reply.file)
            m_out.append(reply.body.constData(), std::size_t(reply.body.size()));
        m_file = m_head ? nullptr : reply.file;
        m_keepAlive = keepAlive;
        tcpOf(m_stream).expires_after(std::chrono::milliseconds(m_front.limits().sendTimeoutMs));
        asio::async_write(m_stream, asio::buffer(m_out), [self = this->shared_from_this()](error_code ec, std::size_t) {
            self->written(ec);
        });
    }

    void written(error_code ec)
    {
        if (ec)
            return closeNow();
        if (m_file && !m_file->atEnd()) {
            m_chunk.resize(kFileChunkBytes);
            const qint64 n = m_file->read(m_chunk.data(), qint64(m_chunk.size()));
            if (n <= 0)
                return closeNow();
            tcpOf(m_stream).expires_after(std::chrono::milliseconds(m_front.limits().sendTimeoutMs));
            return asio::async_write(m_stream, asio::buffer(m_chunk.data(), std::size_t(n)),
                                     [self = this->shared_from_this()](error_code ec, std::size_t) { self->written(ec); });
        }
        m_file.reset();
        m_out.clear();
        m_chunk = {};
        if (!m_keepAlive)
            return close();
        m_parser.reset();
        waitForRequest();
    }

    // Sends FIN after what was written, and lets the peer read the last answer.
    void close()
    {
        error_code ignored;
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            tcpOf(m_stream).expires_after(std::chrono::milliseconds(1000));
            m_stream.async_shutdown([self = this->shared_from_this()](error_code) { self->closeNow(); });
        } else {
            tcpOf(m_stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
            // Unread request bytes would make close() send a reset that can destroy the answer:
            // drain what the peer still sends, briefly.
            drainThenClose();
        }
    }

    void drainThenClose()
    {
        tcpOf(m_stream).expires_after(std::chrono::milliseconds(kQuietMs * 10));
        m_buffer.consume(m_buffer.size());
        m_stream.async_read_some(m_buffer.prepare(4096), [self = this->shared_from_this()](error_code ec, std::size_t) {
            if (ec)
                return self->closeNow();
            self->drainThenClose();
        });
    }

    Front &m_front;
    Stream m_stream;
    beast::flat_buffer m_buffer;
    asio::ip::address m_peer;
    QHostAddress m_peerAddress;
    const bool m_staffOnly;
    std::optional<http::request_parser<http::string_body>> m_parser;
    HttpMethod m_method = HttpMethod::Get;
    unsigned m_version = 11;
    bool m_head = false;
    bool m_keepAlive = false;
    bool m_idle = false;
    bool m_upgraded = false;
    std::uint64_t m_requests = 0;
    std::string m_out;
    std::shared_ptr<QFile> m_file;
    std::vector<char> m_chunk; // one piece of a file answer, while one is streamed
};

// Peeks at a new connection's first bytes: a TLS ClientHello gets a handshake, the rest plain HTTP.
class Detector final : public Session, public std::enable_shared_from_this<Detector>
{
public:
    Detector(Front &front, tcp::socket socket, asio::ip::address peer, bool staffOnly)
        : m_front(front), m_stream(std::move(socket)), m_peer(std::move(peer)), m_staffOnly(staffOnly)
    {
        m_front.add(this);
    }
    ~Detector() override
    {
        m_front.forget(this);
        if (!m_handedOn)
            m_front.release(m_peer);
    }
    void shutdownSoon() override { closeNow(); }
    void closeNow() override
    {
        error_code ignored;
        m_stream.socket().close(ignored);
    }

    void start()
    {
        m_stream.expires_after(std::chrono::milliseconds(m_front.limits().headerTimeoutMs));
        beast::async_detect_ssl(m_stream, m_buffer, [self = shared_from_this()](error_code ec, bool tls) {
            if (ec || self->m_front.stopping())
                return;
            if (!tls) {
                self->m_handedOn = true;
                self->m_front.forget(self.get());
                return std::make_shared<HttpSession<PlainStream>>(self->m_front, std::move(self->m_stream), std::move(self->m_buffer),
                                                                  self->m_peer, self->m_staffOnly)->start();
            }
            auto stream = std::make_shared<TlsStream>(std::move(self->m_stream), *self->m_front.tls());
            stream->async_handshake(ssl::stream_base::server, self->m_buffer.data(),
                                    [self, stream](error_code ec, std::size_t used) {
                                        if (ec || self->m_front.stopping())
                                            return;
                                        self->m_buffer.consume(used);
                                        self->m_handedOn = true;
                                        self->m_front.forget(self.get());
                                        std::make_shared<HttpSession<TlsStream>>(self->m_front, std::move(*stream),
                                                                                 std::move(self->m_buffer), self->m_peer,
                                                                                 self->m_staffOnly)->start();
                                    });
        });
    }

private:
    Front &m_front;
    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    asio::ip::address m_peer;
    bool m_staffOnly;
    bool m_handedOn = false;
};

void Front::accept()
{
    m_acceptor.async_accept([this](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || m_stopping)
            return;
        if (ec) {
            // Out of descriptors (or another passing failure): wait instead of spinning.
            m_retryAccept.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
            m_retryAccept.async_wait([this](error_code ec) {
                if (!ec && !m_stopping)
                    accept();
            });
            return;
        }
        error_code endpointError;
        const asio::ip::address peer = socket.remote_endpoint(endpointError).address();
        const auto admission = endpointError ? TransportShared::Admission::Full : m_shared->admit(peer);
        if (admission == TransportShared::Admission::Full) {
            // Over the caps: a short answer if the socket takes it at once, then close.
            RouteReply full = transportError(503, "at_capacity", u"too many connections from this address or in all"_qs);
            full.addHeader("Retry-After", "1");
            const std::string bytes = answerHead(full.status, 11, full.contentType, std::uint64_t(full.body.size()), full, false)
                + full.body.toStdString();
            error_code ignored;
            socket.non_blocking(true, ignored);
            socket.write_some(asio::buffer(bytes), ignored);
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
        } else {
            socket.set_option(tcp::no_delay(true), endpointError);
            const bool staffOnly = admission == TransportShared::Admission::StaffOnly;
            if (tls()) {
                std::make_shared<Detector>(*this, std::move(socket), peer, staffOnly)->start();
            } else {
                std::make_shared<HttpSession<PlainStream>>(*this, PlainStream(std::move(socket)), beast::flat_buffer(), peer,
                                                           staffOnly)->start();
            }
        }
        accept();
    });
}

} // namespace

std::unique_ptr<TransportFront> makeTransportFront(Engine &engine, const HttpServiceOptions &options,
                                                   const std::shared_ptr<TransportShared> &shared,
                                                   const SharedToken &adminToken, WsTicketBook &wsTickets,
                                                   ShopperAdmission &admission, int listeningSocket, QString *error)
{
    auto front = std::make_unique<Front>(engine, options, shared, adminToken, wsTickets, admission);
    if (!front->listen(listeningSocket, error))
        return nullptr;
    return front;
}

} // namespace flashsale
