// One HTTP acceptor: Qt HttpServer parsing on its own thread, answering from the engine, and
// holding the clients that wait for their ticket to change.
#pragma once

#include "engine/node/engine.h"
#include "engine/core/ticketinbox.h"

#include <QAbstractHttpServer>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

class QFile;
class QTcpSocket;
class QTemporaryFile;

namespace flashsale {

class WsFront;

// How long a purchase or poll waits for the journal commit beyond its own ?wait before it is
// answered 503 (retry with the same requestId).
constexpr int kDefaultDurableGraceMs = 5000;

// The admin token, shared by every front and replaceable at run time. Thread-safe.
class SharedToken
{
public:
    void set(const QString &token);
    QByteArray get() const;

private:
    mutable std::mutex m_mutex;
    QByteArray m_token; // guarded by m_mutex
};

// Thread: created, used and destroyed on one front thread; only ticketsChanged() is called
// from the writer thread, and it touches nothing but m_inbox (a TicketInbox).
class HttpFront final : public QAbstractHttpServer, public TicketListener
{
public:
    HttpFront(Engine &engine, const SharedToken &adminToken, int durableGraceMs, bool publicMetrics, QObject *parent = nullptr);
    ~HttpFront() override;

    // Serves connections accepted on an already listening socket.
    bool serve(qintptr listeningSocket, QString *error);

    void ticketsChanged(std::vector<std::uint64_t> &seqs) override;

    // Shutdown, once the engine has stopped and this thread's event loop has ended: stops
    // accepting connections, answers what the final commit decided, gives every client still
    // waiting a 503, and keeps serving the open connections (each new request gets a 503) until
    // every answer is sent and nothing more arrives, for at most lingerMs.
    void finish(int lingerMs);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Reply;
    struct Waiter {
        QPointer<QTcpSocket> socket;
        std::uint64_t tag = 0;
        TicketState until = TicketState::Queued;
        std::int64_t deadlineUs = 0;   // answer with what is known by then
        std::int64_t giveUpAtUs = 0;   // still not durable by then: 503, retry with the same requestId
        std::int64_t position = 0;
        bool purchase = false;
        bool closeAfter = false;
    };

    void route(const QHttpServerRequest &request, Reply &reply);
    void getEvent(QStringView eventId, Reply &reply);
    void postPurchase(const QHttpServerRequest &request, QStringView eventId, Reply &reply);
    void getTicket(const QHttpServerRequest &request, QStringView ticketText, Reply &reply);
    void admin(const QHttpServerRequest &request, const QList<QStringView> &parts, Reply &reply);
    // True when the request carries the admin token; otherwise answers 401 into reply.
    bool authorized(const QHttpServerRequest &request, Reply &reply) const;
    void adminRecords(const QHttpServerRequest &request, QStringView eventId, QStringView what, Reply &reply);
    void metrics(Reply &reply);
    // GET /api/v1/admin/backup: a snapshot made on m_storeJobs, then streamed from this thread.
    void backup(Reply &reply);
    void sendBackup(QPointer<QTcpSocket> socket, const std::shared_ptr<QTemporaryFile> &snapshot, const QString &error);
    // GET …/orders.xlsx and …/intents.xlsx: written on m_storeJobs, then streamed from this thread.
    template<typename Query>
    void spreadsheet(Reply &reply, const Query &query, const QString &currency, const QByteArray &fileName);
    // Streams an open file and closes the connection; an error instead answers 503 with it.
    void sendFile(QPointer<QTcpSocket> socket, const std::shared_ptr<QFile> &file, const QByteArray &contentType,
                  const QByteArray &fileName, const QString &error);
    void shopPage(QStringView eventId, QStringView asset, Reply &reply);
    // GET /api/v1/admin/events/{id}/report: computed on m_storeJobs, answered from this thread.
    void report(QStringView eventId, Reply &reply);

    // Answers now if the ticket already reached `until`, else parks the client.
    void answerOrWait(Reply &reply, const TicketView &view, Waiter waiter);
    void answerTicket(QTcpSocket *socket, bool closeAfter, const TicketView &view, bool purchase, std::int64_t position);
    void drainInbox();
    void expireWaiters();

    Engine &m_engine;
    const SharedToken &m_adminToken;
    const std::int64_t m_durableGraceUs;
    const bool m_publicMetrics; // /metrics answers without the admin token
    int m_listenerId = -1;
    std::unordered_multimap<std::uint64_t, Waiter> m_waiters;
    QTimer m_waitTimer;

    TicketInbox m_inbox;
    std::vector<std::uint64_t> m_draining; // this thread only

    // Reads the store off this thread's event loop, one job at a time: backup snapshots,
    // spreadsheet exports and post-sale reports. Its jobs post their result back to this object;
    // destroyed (waiting for them) before this object is.
    QThreadPool m_storeJobs;

    std::unique_ptr<WsFront> m_webSockets; // declared last: goes first, before the server it came from
};

} // namespace flashsale
