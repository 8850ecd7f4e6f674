#include "engine/api/httpservice.h"

#include "engine/api/httptransport.h"

#include <QSemaphore>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace flashsale {

namespace {

// How long a front keeps serving its open connections at shutdown (see TransportFront::stop).
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

// Runs one TransportFront, created and destroyed on this thread.
class HttpService::FrontThread : public QThread
{
public:
    FrontThread(HttpService &service, int socket) : m_service(service), m_socket(socket) {}

    bool startServing(QString *error)
    {
        start();
        m_ready.acquire();
        *error = m_error;
        return m_error.isEmpty();
    }
    // Any thread, once startServing succeeded.
    void stopServing()
    {
        std::lock_guard lock(m_mutex);
        if (m_front)
            m_front->stop(kShutdownLingerMs);
    }

protected:
    void run() override
    {
        std::unique_ptr<TransportFront> front = makeTransportFront(m_service.m_engine, m_service.m_options, m_service.m_shared,
                                                                   m_service.m_token, m_service.m_wsTickets, m_service.m_admission,
                                                                   m_socket, &m_error);
        if (!front) {
            ::close(m_socket);
            m_ready.release();
            return;
        }
        {
            std::lock_guard lock(m_mutex);
            m_front = front.get();
        }
        m_ready.release();
        front->run();
        std::lock_guard lock(m_mutex);
        m_front = nullptr;
    }

private:
    HttpService &m_service;
    int m_socket;
    QString m_error;
    QSemaphore m_ready;
    std::mutex m_mutex;
    TransportFront *m_front = nullptr; // guarded by m_mutex; set while run() serves
};

HttpService::HttpService(Engine &engine, HttpServiceOptions options)
    : m_engine(engine)
    , m_options(std::move(options))
    , m_admission(m_options.shoppers)
{
}

HttpService::~HttpService()
{
    stop();
}

bool HttpService::start(const QHostAddress &address, quint16 port, int threads, QString *error)
{
    if (threads < 1 || threads > kMaxThreads) {
        *error = QStringLiteral("between 1 and %1 HTTP threads are supported, not %2").arg(kMaxThreads).arg(threads);
        return false;
    }
    m_shared = makeTransportShared(m_options, error);
    if (!m_shared)
        return false;
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
        auto thread = std::make_unique<FrontThread>(*this, fd);
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
        thread->stopServing();
    for (auto &thread : m_threads)
        thread->wait();
    m_threads.clear();
}

} // namespace flashsale
