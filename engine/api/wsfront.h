// The WebSocket side of one front thread: shopper connections (purchase, subscribe, watch) and
// the admin live feed, answered from engine snapshots. Independent of the WebSocket library: the
// transport hands it whole text messages and sends what it gives back.
#pragma once

#include "engine/node/engine.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace flashsale {

class ShopperAdmission;
class WaiterTable;

// One upgraded connection as the front sees it. Thread: the front thread only.
class WsConnection
{
public:
    virtual ~WsConnection() = default;
    // Queues a text message (valid UTF-8). The transport closes the connection when its queue
    // would pass its cap (a peer that does not read).
    virtual void sendText(const QByteArray &utf8) = 0;
    // Bytes queued and not yet written to the socket.
    virtual std::size_t queuedBytes() const = 0;
};

// Thread: created, used and destroyed on its front thread, which owns every connection.
class WsFront final
{
public:
    static constexpr qint64 kMaxMessageBytes = 64 * 1024; // larger messages close with 1009
    static constexpr int kEventGapMs = 200;               // at most 5 `event` messages a second
    static constexpr int kAdminFeedMs = 500;
    static constexpr int kTickMs = 100;                   // call tick() this often while clients are open
    static constexpr int kMaxWaitsPerClient = 256;
    static constexpr int kMaxWatchesPerClient = 16;
    static constexpr std::size_t kSlowReaderBytes = 256 * 1024; // skip `event` messages while this much is unsent
    static constexpr int kMaxEchoChars = 64; // error answers echo at most this much of the input

    WsFront(Engine &engine, WaiterTable &waiters, ShopperAdmission &admission);
    ~WsFront();

    // /api/v1/ws or /api/v1/admin/ws.
    static bool isEndpoint(QStringView path);
    static bool isAdminEndpoint(QStringView path) { return path == u"/api/v1/admin/ws"; }

    // A connection the transport accepted (admin already authenticated, a shopper's Origin
    // already checked) from client (the address purchases are rate limited by); its id for the
    // calls below.
    std::uint64_t open(WsConnection *connection, bool admin, const QHostAddress &client);
    // One whole message (text messages are valid UTF-8: the transport closed with 1007 otherwise).
    void message(std::uint64_t clientId, const QByteArray &payload, bool binary);
    // The connection is gone; nothing more is sent to it.
    void closed(std::uint64_t clientId);
    bool hasClients() const { return !m_clients.empty(); }
    void tick();

private:
    struct Client {
        WsConnection *connection = nullptr;
        bool admin = false;
        QHostAddress address; // the client, behind trusted proxies the forwarded one
        std::shared_ptr<int> waits = std::make_shared<int>(0); // tickets this connection waits for
        std::int64_t nextEventUs = 0; // earliest time for the next `event` message
        std::size_t watchCursor = 0;  // round robin over watched events
        std::vector<std::pair<QString, std::uint64_t>> watching; // event id, version sent
        // Shared with its ticket waiters, cleared when the connection goes.
        std::shared_ptr<WsConnection *> alive;
    };
    struct WatchedEvent {
        EventSnapshot last;
        QByteArray message;         // the `event` message for `last`
        bool countdownOnly = false; // message was built before a scheduled event's startsAt
        std::uint64_t version = 0;
        int watchers = 0;
    };
    class TicketPush;

    void purchase(std::uint64_t clientId, Client &client, const QJsonObject &message);
    void subscribe(std::uint64_t clientId, Client &client, const QJsonObject &message);
    void watch(Client &client, const QJsonObject &message);
    void unwatch(Client &client, const QJsonObject &message);
    void refreshWatchedEvents(std::int64_t nowUs);
    void sendAdminFeed();

    static void sendJson(WsConnection &connection, const QJsonObject &object);
    static void sendError(WsConnection &connection, const char *code, const QString &message, QJsonObject extra = {});
    // At most kMaxEchoChars of an input string, for error answers.
    static QString echo(const QString &text) { return text.left(kMaxEchoChars); }

    Engine &m_engine;
    WaiterTable &m_waiters;
    ShopperAdmission &m_admission;
    std::uint64_t m_nextClientId = 1;
    std::unordered_map<std::uint64_t, Client> m_clients;
    QHash<QString, WatchedEvent> m_watched;
    int m_adminClients = 0;
    std::uint64_t m_ticks = 0;

    // The admin feed's previous totals, for per-second rates.
    EngineStats m_previousStats;
    bool m_havePreviousStats = false;
};

} // namespace flashsale
