#include "engine/api/httpservice.h"

#include <QSemaphore>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flashsale {

namespace {

// How long a front keeps serving its open connections at shutdown (see HttpFront::finish).
constexpr int kShutdownLingerMs = 2000;

// A listening, non-blocking TCP socket, or -1 and error. The acceptor threads each listen on
// the same port with SO_REUSEPORT (shared); a probe listens without it, to find the port free.
int listeningSocket(const QHostAddress &address, quint16 port, bool shared, QString *error)
{
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (shared)
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (v6) {
        auto *sa = reinterpret_cast<sockaddr_in6 *>(&storage);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&sa->sin6_addr, &bytes, sizeof bytes);
        length = sizeof(sockaddr_in6);
    } else {
        auto *sa = reinterpret_cast<sockaddr_in *>(&storage);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        sa->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 || ::listen(fd, 4096) != 0) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(address.toString())
                     .arg(port)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    return fd;
}

quint16 boundPort(int fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length);
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
}

} // namespace

// Owns one HttpFront, created and destroyed on this thread's event loop.
class HttpService::FrontThread : public QThread
{
public:
    FrontThread(Engine &engine, const SharedToken &token, int durableGraceMs, bool publicMetrics, int socket)
        : m_engine(engine), m_token(token), m_durableGraceMs(durableGraceMs), m_publicMetrics(publicMetrics), m_socket(socket)
    {
    }

    bool startServing(QString *error)
    {
        start();
        m_ready.acquire();
        *error = m_error;
        return m_error.isEmpty();
    }

protected:
    void run() override
    {
        HttpFront front(m_engine, m_token, m_durableGraceMs, m_publicMetrics);
        if (!front.serve(m_socket, &m_error)) {
            ::close(m_socket);
            m_ready.release();
            return;
        }
        m_ready.release();
        exec();
        front.finish(kShutdownLingerMs);
    }

private:
    Engine &m_engine;
    const SharedToken &m_token;
    const int m_durableGraceMs;
    const bool m_publicMetrics;
    int m_socket;
    QString m_error;
    QSemaphore m_ready;
};

HttpService::HttpService(Engine &engine, int durableGraceMs, bool publicMetrics)
    : m_engine(engine)
    , m_durableGraceMs(durableGraceMs)
    , m_publicMetrics(publicMetrics)
{
}

HttpService::~HttpService()
{
    stop();
}

bool HttpService::start(const QHostAddress &address, quint16 port, int threads, QString *error)
{
    // Threads started from here on get Qt's plain Unix event loop instead of GLib's. With GLib,
    // switching one socket's write notifier on or off walks a list of every socket on the
    // thread, so pushing one update to N WebSocket watchers cost O(N²) (7.9 s for 19,700).
    qputenv("QT_NO_THREADED_GLIB", "1");
    if (threads < 1 || threads > kMaxThreads) {
        *error = QStringLiteral("between 1 and %1 HTTP threads are supported, not %2").arg(kMaxThreads).arg(threads);
        return false;
    }
    m_address = address;
    // SO_REUSEPORT would let a second node started on a taken port share it silently.
    if (port != 0) {
        const int probe = listeningSocket(address, port, false, error);
        if (probe < 0) {
            *error += QStringLiteral(" (is another flashsale node using this port?)");
            return false;
        }
        ::close(probe);
    }
    for (int i = 0; i < threads; ++i) {
        const int fd = listeningSocket(address, i == 0 ? port : m_port, true, error);
        if (fd < 0) {
            stop();
            return false;
        }
        if (i == 0)
            m_port = boundPort(fd);
        auto thread = std::make_unique<FrontThread>(m_engine, m_token, m_durableGraceMs, m_publicMetrics, fd);
        thread->setObjectName(QStringLiteral("http-%1").arg(i));
        if (!thread->startServing(error)) {
            thread->wait();
            stop();
            return false;
        }
        m_threads.push_back(std::move(thread));
    }
    return true;
}

void HttpService::stop()
{
    // All fronts finish together: each stops accepting and answers its open connections.
    for (auto &thread : m_threads)
        thread->quit();
    for (auto &thread : m_threads)
        thread->wait();
    m_threads.clear();
}

} // namespace flashsale
