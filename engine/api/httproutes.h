// The HTTP API's routes, independent of the HTTP library: an RouteRequest in, an RouteReply out
// (now, or later through a ReplyHandle). One class, its handlers in one file per area:
// httproutes.cpp (dispatch), shopperroutes.cpp, adminroutes.cpp, recordroutes.cpp,
// operationroutes.cpp, shoproutes.cpp.
#pragma once

#include "engine/api/routerequest.h"
#include "engine/core/ratelimiter.h"
#include "engine/node/engine.h"

#include <QThreadPool>

class QSqlDatabase;

#include <functional>
#include <memory>

namespace flashsale {

class SharedToken;
class ShopperAdmission;
class WaiterTable;
class WsTicketBook;

// Thread: created, used and destroyed on one front thread. Store jobs run on m_storeJobs and
// hand their result back through postToFront.
class HttpRoutes
{
public:
    struct Context {
        Engine &engine;
        const SharedToken &adminToken;
        WsTicketBook &wsTickets;
        WaiterTable &waiters;
        ShopperAdmission &admission;
        bool publicMetrics = false; // /metrics answers without the admin token
        // Any thread: runs a function on the front thread (store jobs answer through it).
        std::function<void(std::function<void()>)> postToFront;
    };

    explicit HttpRoutes(Context context);
    ~HttpRoutes();

    // Answers request into reply, or sets reply.deferred and answers later through responder.
    void handle(const RouteRequest &request, RouteReply &reply, Responder &responder);
    // Blocks until the store jobs have finished (their answers are posted to the front).
    void waitForStoreJobs() { m_storeJobs.waitForDone(); }
    // True for paths only staff use (they keep answering when the connection cap's headroom is
    // all that is left).
    static bool isStaffPath(QStringView path);

private:
    using Parts = QList<QStringView>;
    // shopperroutes.cpp
    void shopper(const RouteRequest &request, const Parts &parts, RouteReply &reply, Responder &responder);
    void getEvent(QStringView eventId, RouteReply &reply);
    void postPurchase(const RouteRequest &request, QStringView eventId, RouteReply &reply, Responder &responder);
    void getTicket(const RouteRequest &request, QStringView ticketText, RouteReply &reply, Responder &responder);
    // 429 rate_limited with Retry-After; who names the key ("this address", "this user").
    void rateLimited(RouteReply &reply, const RateLimiter::Verdict &verdict, const QString &who);
    // Answers now if the ticket already reached until, else parks the client in the waiter table.
    // heldMs: how long the ticket may still sit in its event's fair-start window (the commit, and
    // so any answer, comes after it).
    void answerOrWait(RouteReply &reply, Responder &responder, const TicketView &view, TicketState until, int waitMs,
                      bool purchase, std::int64_t position, std::int64_t heldMs);
    // adminroutes.cpp
    void admin(const RouteRequest &request, const Parts &parts, RouteReply &reply, Responder &responder);
    // recordroutes.cpp
    // POST /api/v1/admin/events/{id}/orders/{orderId}/paid and /cancel.
    void orderAction(const RouteRequest &request, QStringView eventId, QStringView orderIdText, QStringView verb,
                     RouteReply &reply);
    void adminRecords(const RouteRequest &request, QStringView eventId, QStringView what, RouteReply &reply,
                      Responder &responder);
    template<typename Query>
    void spreadsheet(Responder &responder, const Query &query, const QString &currency, const QByteArray &fileName);
    void report(QStringView eventId, RouteReply &reply, Responder &responder);
    // GET /api/v1/admin/leads?eventId=&since=&includeSimulated=: the dashboard's lead figures
    // (records::countLeads) for a remote console.
    void leadCounts(const RouteRequest &request, RouteReply &reply);
    // webhookroutes.cpp: /api/v1/admin/webhook (GET, PUT, DELETE), …/webhook/deliveries (GET) and
    // …/webhook/deliveries[/{id}]/retry (POST).
    void webhook(const RouteRequest &request, const Parts &parts, RouteReply &reply, Responder &responder);
    // Answers a purchase retry (purchase: with the retrying user's userHash) or a poll (with the
    // ticket's tag) of a ticket that left memory, read from the journal on a store-jobs thread.
    void answerFromStore(RouteReply &reply, Responder &responder, std::uint64_t seq, std::uint64_t tag, bool purchase,
                         std::uint64_t userHash, const QString &eventId);
    // Runs job on a store-jobs thread with a connection of its own and answers with what it returns.
    void onStoreThread(RouteReply &reply, Responder &responder, std::function<RouteReply(QSqlDatabase &db)> job);
    // operationroutes.cpp
    void healthz(RouteReply &reply);
    void metrics(RouteReply &reply);
    void backup(RouteReply &reply, Responder &responder);
    void issueWsTicket(RouteReply &reply);
    // shoproutes.cpp
    void shopPage(QStringView eventId, QStringView asset, RouteReply &reply);

    // A file answer (streamed, then the connection closes), or 503 with error when it is set.
    static RouteReply fileReply(const std::shared_ptr<QFile> &file, const QByteArray &contentType,
                              const QByteArray &fileName, const QString &error);
    // True when the request carries the admin token; otherwise answers 401 into reply.
    bool authorized(const RouteRequest &request, RouteReply &reply) const;
    static void methodNotAllowed(RouteReply &reply, const char *allow);

    Context m_context;
    Engine &m_engine;

    // Reads the store off the front thread, one job at a time: backup snapshots, spreadsheet
    // exports and post-sale reports. Destroyed (waiting for its jobs) before the rest.
    QThreadPool m_storeJobs;
};

} // namespace flashsale
