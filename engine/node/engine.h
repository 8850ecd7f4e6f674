// The sale engine's façade: what front ends (HTTP, WebSocket, the console) call.
#pragma once

#include "engine/core/eventbook.h"
#include "engine/core/latencyhistogram.h"
#include "engine/core/ticketbook.h"
#include "engine/core/types.h"
#include "engine/node/enginestats.h"
#include "engine/node/intake.h"
#include "engine/node/scaleout.h"
#include "engine/storage/store.h"

#include <QList>
#include <QSet>
#include <QString>

#include <array>
#include <condition_variable>
#include <deque>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

namespace flashsale {

class DeciderThread;
class Writer;
struct WriterBatch;

struct EngineOptions {
    StoreLocation store;
    // Scale-out: the RabbitMQ broker the nodes share (empty: the embedded in-process queue) and
    // this node's name. Needs a PostgreSQL store.
    QString queueUrl;
    QString nodeId;
    // Makes the link to queueUrl's broker; empty in a build without RabbitMQ, where a queueUrl
    // is refused at start.
    ScaleOutFactory scaleOut;
    // Accepted requests not yet decided; beyond this new requests get Status::Overloaded.
    std::int64_t maxQueueDepth = 200'000;
    // SQLite: the write-ahead log is kept under this during sustained load (SqlStore).
    std::int64_t walLimitBytes = kDefaultWalLimitBytes;
    // The ticket table's bound and test hooks.
    TicketBookOptions tickets;
    // Decided tickets are kept in memory this long (in whole chunks of
    // TicketBook::kTicketsPerChunk), those of ended events not at all; then the journal answers
    // for them. Embedded nodes only: a scale-out node keeps every ticket it has seen.
    std::int64_t ticketMemoryMs = kDefaultTicketMemoryMs;
    static constexpr std::int64_t kDefaultTicketMemoryMs = 3 * 3600 * 1000;
};

// A front end that answers clients once their tickets change.
class TicketListener
{
public:
    virtual ~TicketListener() = default;
    // Called on the writer thread with the seqs this listener watched that changed. Must only
    // take the seqs (swap) and wake its own thread: the commit pipeline waits for it.
    virtual void ticketsChanged(std::vector<std::uint64_t> &seqs) = 0;
};

// Why start() failed, when the caller must act differently (the process's exit code).
enum class StartFailure : std::uint8_t {
    Other = 1,
    SchemaTooNew, // the database was made by a newer build; it was not opened for writing
};

struct SubmitResult {
    Status status = Status::Invalid;
    TicketView ticket;          // when status is Ok (only seq and eventIndex when inStore)
    bool created = false;       // false: an earlier request with the same requestId
    // The earlier request's ticket left memory: read it with storedTicket (off the front's
    // event loop) and answer only if its user hash is userHash (else an idempotency conflict).
    bool inStore = false;
    std::uint64_t userHash = 0;
    std::int64_t position = 0;  // requests of this event ahead in the queue
    std::int64_t startsAtMs = 0; // when status is NotOpen
    QString message;             // when status is Unavailable: why (see Engine::unavailableReason)
};

// Thread safety: every public method may be called from any thread once start() returned.
// Threads the engine owns: the writer (store, group commit) and the decider; a scale-out node
// also the cluster link's publisher and consumer threads, which call the ClusterHost methods.
class Engine : private ClusterHost
{
public:
    explicit Engine(EngineOptions options);
    ~Engine();

    // Opens the store (upgrading its schema), rebuilds memory from it (events, per-user units,
    // every ticket) and starts the threads. On failure, failure (if given) says why.
    bool start(QString *error, StartFailure *failure = nullptr);
    // Refuses new requests and waits up to drainTimeoutMs for the queue to be decided and
    // committed while front ends can still answer; then the decider decides what is left,
    // the writer commits it, and the threads stop.
    void stop(int drainTimeoutMs = 30000);

    // Listener ids are 0..TicketBook::kMaxListeners-1; -1 when all are taken.
    int addListener(TicketListener *listener);
    void removeListener(int id);

    // Shopper side. waitUntil: the state at which listener wants to hear about the ticket.
    SubmitResult submit(QStringView eventId, PurchaseRequest request, int listener, TicketState waitUntil);
    // Cluster mode: a ticket another node accepted and nobody decided yet reads as queued, with
    // eventIndex -1 (this node cannot check its tag until the decision is announced).
    std::optional<TicketView> ticket(std::uint64_t seq, std::uint64_t tag) const;
    std::optional<TicketView> watchTicket(std::uint64_t seq, std::uint64_t tag, int listener, TicketState waitUntil);
    // A lost ticket whose shopper may still be offered freed units: the view now, and listener
    // is told once an offer is committed (TicketView::offerOrderId).
    std::optional<TicketView> watchOffer(std::uint64_t seq, std::uint64_t tag, int listener);
    // Whether seq's ticket left memory (EngineOptions::ticketMemoryMs): ticket() no longer finds
    // it and storedTicket() reads it from the journal.
    bool isInStore(std::uint64_t seq) const { return m_tickets.isInStore(seq); }
    // A decided ticket as the journal holds it, with its offer if any. Blocks on the store: call
    // it on a store-jobs thread, never a front's event loop. status: Ok, NotFound, or
    // Unavailable (message says why).
    struct StoredTicket {
        Status status = Status::NotFound;
        TicketView view;
        std::uint64_t userHash = 0; // of the user who sent it
        QString message;
    };
    StoredTicket storedTicket(std::uint64_t seq) const;
    std::optional<EventSnapshot> event(QStringView id) const;
    // As event(), but drafts and rehearsal copies are not found: what shoppers may see. Fronts
    // answer them exactly like an unknown event (404), so their ids cannot be probed.
    std::optional<EventSnapshot> shopperEvent(QStringView id) const;
    // The id of the event a ticket belongs to (TicketView::eventIndex).
    QString eventIdAt(int index) const override; // also ClusterHost's

    // Staff side: each change is committed before it returns (Status::Unavailable if the store
    // does not commit within a few seconds; the change then lands when the store is back).
    QList<EventSnapshot> events() const;
    AdminResult createEvent(const EventConfig &config, CreateAs as = CreateAs::Draft);
    AdminResult updateEvent(QStringView id, const EventPatch &patch);
    AdminResult actOnEvent(QStringView id, EventAction action);
    AdminResult restockEvent(QStringView id, std::int64_t units);
    // The shop's action on an order of an event with a payment window: decided by the decider
    // in order with the purchases and committed before it returns; a repeat is answered alike
    // and writes nothing. The result's order is the order as it now is. On a scale-out node it
    // travels through the event's queue to the event's decider, which may be another node.
    AdminResult actOnOrder(QStringView eventId, std::int64_t orderId, OrderAction action);
    // A rehearsal copy of sourceId for the simulator: the same settings under its own id
    // ("<id>-rehearsal-<n>"), marked rehearsal, no schedule, and opened whatever the source's
    // state. The source is not touched. Status::NotFound when sourceId is unknown.
    AdminResult createRehearsal(QStringView sourceId);

    EngineStats stats() const;
    // Front ends report WebSocket connections opened (+1) and closed (-1) for stats().
    void countWebSocketClients(int delta) { m_webSocketClients.fetch_add(delta, std::memory_order_relaxed); }
    // A front refused a purchase before submitting it: over a rate limit (429), or without a
    // valid pass on a signed event (401). Any thread.
    void countRateLimited() { m_rejectedRate.fetch_add(1, std::memory_order_relaxed); }
    void countInvalidPass() { m_rejectedPass.fetch_add(1, std::memory_order_relaxed); }
    const StoreLocation &storeLocation() const { return m_options.store; }
    // SQLite: journal mode and synchronous level of the writer's connection, as it reports them.
    StoreDurability storeDurability() const { return m_store ? m_store->durability() : StoreDurability(); }
    bool isClustered() const { return m_cluster != nullptr; }
    // The ids of the events this node decides: a scale-out node's own (it delivers their
    // webhooks), an embedded node's every one.
    QStringList decidedEventIds() const;
    const QString &nodeId() const { return m_options.nodeId; }
    bool isAccepting() const;
    // Why purchases are refused right now, for the 503's message; empty while accepting.
    QString unavailableReason() const;

    static std::int64_t nowMs();
    static std::int64_t steadyMicros();

private:
    // Start-up, after the store is open and loaded: events with their counters, then every
    // ticket (idempotency keys and results), on the starting thread before any other runs.
    // False (with error) if the journal holds tickets beyond what the ticket table holds.
    bool rebuildMemory(LoadedState &loaded, QString *error);
    // Start-up of a scale-out node, after the decider: makes and starts the broker link
    // (EngineOptions::scaleOut) and waits up to 5 s for it to be available.
    bool startScaleOut(QString *error);
    void onCommitted(WriterBatch &batch);
    void onCommittedClustered(WriterBatch &batch);
    void onFenced(const std::vector<FencedEvent> &fenced, WriterBatch &dropped);
    // Tells each listener about the tickets it watched among notify (then clears notify).
    void dispatch(std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> &notify);
    // Drops decided tickets older than EngineOptions::ticketMemoryMs, and those of ended events,
    // from memory (writer thread, or the starting thread before it runs).
    void dropOldTickets(std::int64_t nowMs);

    // Cluster mode: runs a staff command delivered from the event's queue (decider thread).
    void runCommand(const wire::EventCommand &command);

    // ClusterHost
    void requestsQueued(std::vector<TicketChange> &queued) override;
    void requestsDelivered(std::vector<PurchaseRequest> &requests) override;
    void commandDelivered(wire::EventCommand command) override;
    std::optional<EventSnapshot> eventSnapshot(int index) const override;
    void tookOver(int eventIndex, EventTakeover loaded) override;
    void decisionsAnnounced(wire::Decisions &decisions) override;
    void eventAnnounced(const EventSnapshot &event) override;
    void caughtUp(StoreCatchUp &catchUp) override;
    std::optional<TicketState> ticketState(std::uint64_t seq) const override;
    int eventCount() const override;
    int eventIndexOf(QStringView eventId) const override;
    std::uint64_t ticketNumbersLeft() const override;
    void addTicketNumbers(std::uint64_t first, std::uint64_t count) override;

    EngineOptions m_options;
    std::unique_ptr<SqlStore> m_store;
    std::unique_ptr<Writer> m_writer;
    std::unique_ptr<EventBook> m_events;
    std::unique_ptr<DeciderThread> m_decider;
    TicketBook m_tickets;
    // Where accepted purchases and staff changes go: the in-process queue, or a scale-out link
    // (then m_cluster is the same object, for the commit pipeline and the ClusterHost side).
    // Set by start() before any other thread runs; destroyed before the decider and the writer.
    std::unique_ptr<Intake> m_intake;
    ScaleOutLink *m_cluster = nullptr;

    std::atomic<bool> m_running{false};
    std::atomic<std::int64_t> m_inflight{0};
    // RequestCounts that front threads (accepted) and the writer thread (decided) add to.
    class LiveCounts
    {
    public:
        void add(const RequestCounts &delta);
        RequestCounts load() const;

    private:
        std::atomic<std::int64_t> m_accepted{0};
        std::atomic<std::int64_t> m_won{0};
        std::atomic<std::int64_t> m_lost{0};
        std::atomic<std::int64_t> m_wonUnits{0};
    };
    LiveCounts m_totals;
    std::atomic<std::int64_t> m_rejectedOverload{0};
    std::atomic<std::int64_t> m_rejectedRate{0};
    std::atomic<std::int64_t> m_rejectedPass{0};
    std::atomic<std::int64_t> m_webSocketClients{0};
    // The part of the totals above that rehearsal copies made; stats() leaves it out.
    LiveCounts m_rehearsalTotals;
    LatencyHistogram m_latency;

    // The generation of the last event row enqueued, per calling thread's change.
    std::atomic<std::uint64_t> m_lastRowGeneration{0};

    mutable std::mutex m_listenerMutex; // guards m_listeners; held while dispatching
    std::array<TicketListener *, TicketBook::kMaxListeners> m_listeners{};

    // Writer thread only: reused between commits.
    std::vector<TicketChange> m_changes;
    std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> m_notify;
    // When old tickets were last dropped: at start, then by the writer thread after commits.
    std::atomic<std::int64_t> m_lastDropMs{0};
};

} // namespace flashsale
