// The WebSocket side of one HTTP acceptor thread: shopper connections (purchase, subscribe,
// watch) and the admin live feed, answered from engine snapshots.
#pragma once

#include "engine/node/engine.h"
#include "engine/core/ticketinbox.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

class QWebSocket;

namespace flashsale {

class SharedToken;

// Thread: created, used and destroyed on its front's thread, which owns every connection.
// Only ticketsChanged() runs on the writer thread; it touches nothing but m_inbox
// and wakes this thread with one queued call per commit batch.
class WsFront final : public QObject, public TicketListener
{
public:
    static constexpr qint64 kMaxMessageBytes = 64 * 1024; // larger frames close with 1009
    static constexpr int kEventGapMs = 200;               // at most 5 `event` messages a second
    static constexpr int kAdminFeedMs = 500;

    WsFront(Engine &engine, const SharedToken &adminToken, QObject *parent = nullptr);
    ~WsFront() override;

    // Takes a connection the HTTP server has just upgraded; serves /api/v1/ws and
    // /api/v1/admin/ws, closes anything else with 1008.
    void adopt(std::unique_ptr<QWebSocket> socket);

    void ticketsChanged(std::vector<std::uint64_t> &seqs) override;

    // /api/v1/ws or /api/v1/admin/ws.
    static bool isEndpoint(QStringView path);

private:
    struct Client {
        std::unique_ptr<QWebSocket> socket;
        bool admin = false;
        bool pongDue = false;       // pinged, no sign of life since
        int waits = 0;              // tickets this connection waits for
        std::int64_t nextEventUs = 0; // earliest time for the next `event` message
        std::size_t watchCursor = 0;  // round robin over watched events
        std::vector<std::pair<QString, std::uint64_t>> watching; // event id, version sent
    };
    struct TicketWait {
        std::uint64_t client = 0;
        std::uint64_t tag = 0;
        bool queuedSent = true;      // false: a purchase not yet told it is queued
        std::int64_t position = 0;
        std::int64_t giveUpAtUs = 0; // a purchase not durable by then gets "unavailable"; 0: never
        QString requestId;           // echoed back; empty for subscribe
    };
    struct WatchedEvent {
        EventSnapshot last;
        QString message;       // the `event` message for `last`
        bool countdownOnly = false; // message was built before a scheduled event's startsAt
        std::uint64_t version = 0;
        int watchers = 0;
    };

    // Closes with 1008 (policy violated).
    static void refuse(std::unique_ptr<QWebSocket> socket, const QString &reason);
    void onText(std::uint64_t clientId, const QString &text);
    void purchase(std::uint64_t clientId, Client &client, const QJsonObject &message);
    void subscribe(std::uint64_t clientId, Client &client, const QJsonObject &message);
    void watch(Client &client, const QJsonObject &message);
    void unwatch(Client &client, const QJsonObject &message);
    void drop(std::uint64_t clientId);

    // Sends `queued` and/or `result` as the ticket's state allows; true once the result went out.
    bool advance(std::uint64_t seq, const TicketView &view, TicketWait &wait, Client &client);
    void drainInbox();
    void tick();
    void refreshWatchedEvents(std::int64_t nowUs);
    void sendAdminFeed();
    void sweepWaits(std::int64_t nowUs);
    void pingClients();

    static void sendJson(Client &client, const QJsonObject &object);
    static void sendError(Client &client, const char *code, const QString &message, QJsonObject extra = {});

    Engine &m_engine;
    const SharedToken &m_adminToken;
    int m_listenerId = -1;
    std::uint64_t m_nextClientId = 1;
    std::unordered_map<std::uint64_t, Client> m_clients;
    std::unordered_multimap<std::uint64_t, TicketWait> m_waits; // by ticket seq
    QHash<QString, WatchedEvent> m_watched;
    int m_adminClients = 0;
    QTimer m_timer;  // housekeeping ticks while any client is connected
    std::uint64_t m_ticks = 0;
    int m_pingEveryTicks = 150;

    // The admin feed's previous totals, for per-second rates.
    EngineStats m_previousStats;
    bool m_havePreviousStats = false;

    TicketInbox m_inbox;
    std::vector<std::uint64_t> m_draining; // this thread only
};

} // namespace flashsale
