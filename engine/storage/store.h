// Durable storage of events, the request journal, orders and intents, through Qt Sql.
#pragma once

#include "engine/storage/migrations.h"
#include "engine/core/eventbook.h"
#include "engine/core/ticketbook.h"
#include "engine/core/types.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace flashsale {

namespace webhooks {
struct OutboxEntry;
}
class IntentProjector;

// Where the data lives: SQLite in a data dir (the embedded default) or a PostgreSQL server.
struct StoreLocation {
    QString driver; // "QSQLITE" or "QPSQL"
    QString databaseName;
    QString host;
    int port = 0;
    QString user;
    QString password;

    static StoreLocation sqliteIn(const QString &dataDir);
    // Parses postgresql://USER:PASS@HOST:PORT/DB. Returns a location with an empty driver on error.
    static StoreLocation fromUrl(const QString &url, QString *error);
    bool isSqlite() const { return driver == QLatin1String("QSQLITE"); }
};

// Opens a new named connection to location on the calling thread (Qt Sql connections are
// per thread). SQLite connections get WAL and synchronous=FULL.
QSqlDatabase openConnection(const StoreLocation &location, const QString &connectionName, QString *error);

// The connection for reading records on the calling thread, opened on first use.
QSqlDatabase readerConnection(const StoreLocation &location, QString *error);

// How a SQLite connection makes commits durable, as the connection itself reports it.
struct StoreDurability {
    QString journalMode;  // PRAGMA journal_mode: "wal"
    int synchronous = -1; // PRAGMA synchronous: 2 is FULL
};

// A request with its decision: what one journal row records.
struct DecidedRequest {
    // Cluster mode also passes requests through the commit that are not decided here.
    enum class Disposition : std::uint8_t {
        Decided = 1, // journaled with its decision
        Repeat,      // already decided (a redelivery or a retry on another node): announced again, not journaled
        Returned,    // this node no longer decides the event: handed back to the broker
    };
    PurchaseRequest request;
    Decision decision;
    Disposition disposition = Disposition::Decided;
};

// What one group commit writes: decided requests and event rows (the writer's batch adds what
// it passes through untouched, engine/node/writer.h).
struct CommitBatch {
    std::vector<DecidedRequest> decided;
    std::vector<EventSnapshot> eventRows; // upserts, in the order the changes were made
    std::vector<OrderChange> orderChanges; // offers made and order status changes, in order

    bool isEmpty() const { return decided.empty() && eventRows.empty() && orderChanges.empty(); }
    void clear()
    {
        decided.clear();
        eventRows.clear();
        orderChanges.clear();
    }
};

// An event whose commit was refused because another node decides it now (a newer epoch).
struct FencedEvent {
    QString eventId;
    std::int64_t epoch = 0;
};

// Everything the engine rebuilds its memory from at start-up.
// A sold_out loss of an event under ReleasePolicy::Offer, and whether its shopper was offered units.
struct LoadedLead {
    QString eventId;
    std::uint64_t seq = 0;
    QString userId;
    std::int32_t quantity = 0;
    QString requestId;
    QString contact;
    bool simulated = false;
    bool offered = false;
};

struct LoadedTicket {
    TicketView view; // eventIndex unset; see eventId
    QString eventId;
    QString requestId;
    std::uint64_t userHash = 0; // hashUserId of the user who sent it
};

// Start-up: units of an event's orders by how they came about and ended.
struct LoadedOrderUnits {
    std::int64_t saleUnits = 0; // every won request's units
    OrderCounts counts;         // by status, and offered (the decider's EventRuntime::orderCounts)
};

struct LoadedState {
    std::vector<EventSnapshot> events;
    // Units held (orders neither cancelled nor expired) per event and user.
    QHash<QString, QHash<QString, std::int32_t>> wonUnitsByEventAndUser;
    QHash<QString, LoadedOrderUnits> unitsByEvent;
    std::vector<OrderView> windowedOrders; // every order of events with a payment window, by id
    std::vector<LoadedLead> leads;         // offer-policy events' sold_out losses, in seq order
    QHash<QString, RequestCounts> requestsByEvent; // journaled requests per event: accepted, won, lost
    std::int64_t maxOrderId = 0;
};

// Reads the orders part of LoadedState (units held per user, units by how they came about,
// windowed orders, offer leads) for every event (eventId empty: start-up), or for one (a cluster
// take-over). Leads come in seq order, which is decision order on one node; for one event they
// come by decision time, then seq (ticket numbers of different nodes are not in decision order).
bool loadOrders(QSqlDatabase &db, const QString &eventId, LoadedState *state, QString *error);
// Moves loaded's windowed orders and leads into what EventBook installs per event (by id), with
// each event's offered and freed units; leads already offered something are left out.
QHash<QString, RestoredOrders> takeRestoredOrders(LoadedState &loaded);

// The write-ahead log's size the checkpoints keep SQLite under during sustained load.
inline constexpr std::int64_t kDefaultWalLimitBytes = 256ll * 1024 * 1024;

// Copies SQLite's write-ahead log back into the database on a thread and connection of its own,
// every half second, so that no group commit pays for a checkpoint (PASSIVE: never blocks the
// writer). A PASSIVE checkpoint never catches up with a writer that never pauses, so the log
// would grow for as long as a sale runs: once it passes half of walLimitBytes, overLimit is
// raised and the writer truncates it between two commits (SqlStore::commit). Thread: started and stopped by
// the writer; runs on its own std::thread.
class WalCheckpointer
{
public:
    WalCheckpointer(StoreLocation location, std::int64_t walLimitBytes, std::atomic<bool> &overLimit);
    ~WalCheckpointer();

private:
    void run();

    StoreLocation m_location;
    const std::int64_t m_walLimitBytes;
    std::atomic<bool> &m_overLimit; // set here, cleared by the writer once it truncated the log
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false; // guarded by m_mutex
    std::thread m_thread;
};

// Holds PostgreSQL's session lock for schema changes while alive, so that nodes starting
// together change the schema one at a time (SQLite: does nothing).
class SchemaLock
{
public:
    SchemaLock(const QSqlDatabase &db, bool isSqlite);
    ~SchemaLock();
    SchemaLock(const SchemaLock &) = delete;
    SchemaLock &operator=(const SchemaLock &) = delete;

private:
    static constexpr int kSchemaLockKey = 0x5eca11; // any constant the nodes agree on
    QSqlDatabase m_db;
};

// The columns of the events table, in the order readEventRow reads them.
extern const char kEventColumns[];
// The event in the current row of a query that selected kEventColumns.
EventSnapshot readEventRow(const QSqlQuery &query);

// The journal's columns for a ticket, in the order readTicketRow reads them.
extern const char kTicketColumns[];
LoadedTicket readTicketRow(const QSqlQuery &query);

// Reads every journal row in seq order on a connection of its own (opened and closed on the
// calling thread), handing each to ticket until it returns false. False (with error) if the
// store failed or ticket stopped early. Start-up streams the tickets through this instead of
// holding them all.
bool streamJournal(const StoreLocation &location, const std::function<bool(LoadedTicket &)> &ticket, QString *error);

// Journal row seq as a ticket, read on the calling thread's reader connection (an indexed
// lookup by primary key): view.seq is 0 when there is no such row; nullopt (and error) when the
// store failed.
std::optional<LoadedTicket> readJournaledTicket(const StoreLocation &location, std::uint64_t seq, QString *error);

// The writer's side of the store. Thread: used only by the writer thread after open().
class SqlStore
{
public:
    // walLimitBytes: SQLite's write-ahead log is truncated when it passes this (see WalCheckpointer).
    explicit SqlStore(StoreLocation location, std::int64_t walLimitBytes = kDefaultWalLimitBytes);
    ~SqlStore();

    // Opens the database and brings its schema to this build's version (engine/storage/migrations.h);
    // refuses one made by a newer build without writing to it.
    bool open(QString *error);
    // What open() found and did to the schema.
    const schema::UpgradeResult &schemaUpgrade() const { return m_upgrade; }
    bool load(LoadedState *state, QString *error);
    // Writes the whole batch in one transaction; on failure nothing of it is written. Losses go to
    // the journal only: the intent projector (engine/storage/projector.h) lists them. In cluster
    // mode each event's rows are written only while the store still names their epoch as the
    // event's decider; otherwise the commit fails and fenced lists the events to drop.
    bool commit(const CommitBatch &batch, QString *error, std::vector<FencedEvent> *fenced = nullptr);
    void close();
    // Replaces the writer's connection with a new one (after the server dropped it).
    bool reconnect(QString *error);

    const StoreLocation &location() const { return m_location; }
    // SQLite: the settings the writer's own connection reported when it was last opened (empty
    // for PostgreSQL). Any thread.
    StoreDurability durability() const;

private:
    struct Statements;
    // What the commit's webhooks need of an event it did not write in this batch.
    struct EventFacts {
        QString currency;
        bool rehearsal = false; // a rehearsal copy's orders send no webhooks
    };
    bool prepare(QString *error);
    // The event's state as stored (none: not stored yet); refreshes m_eventFacts. ok: the query ran.
    std::optional<EventState> storedState(const QString &eventId, bool *ok);
    // Adds the webhook of an order (not of a rehearsal copy) to entries; false if the store failed.
    bool addOrderWebhook(QStringView type, const OrderView &order, std::int64_t nowMs,
                         std::vector<webhooks::OutboxEntry> &entries);
    void readDurability(const QSqlDatabase &db);
    // Writer thread, between commits: checkpoints the whole log and truncates it, waiting at most
    // briefly for readers (a long backup makes it try again after the next commit instead).
    void truncateWal(QSqlDatabase &db);

    StoreLocation m_location;
    std::int64_t m_walLimitBytes;
    std::atomic<bool> m_walOverLimit{false}; // raised by the checkpointer thread
    QString m_connectionName;
    std::unique_ptr<Statements> m_statements;
    QHash<QString, EventFacts> m_eventFacts; // by event id: from load() and every commit
    schema::UpgradeResult m_upgrade;
    std::unique_ptr<WalCheckpointer> m_checkpointer; // SQLite only
    std::unique_ptr<IntentProjector> m_projector;    // folds the journal's losses into intents
    std::int64_t m_commitNo = 0; // SQLite: the last commit's number (requests.commit_no)
    mutable std::mutex m_durabilityMutex;
    StoreDurability m_durability; // guarded by m_durabilityMutex; written by the writer thread
};

} // namespace flashsale
