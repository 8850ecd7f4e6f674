// A scale-out node's intake: its link to RabbitMQ and the shared PostgreSQL store. Publishes
// accepted requests and staff commands to their event's queue, feeds this node's decider from the
// event queues it is the single active consumer of, and hears every other node's decisions. All
// broker bookkeeping (delivery tags, take-overs, queue depths) lives here; the node's events and
// tickets change only through its ClusterHost operations.
#pragma once

#include "engine/cluster/amqpconnection.h"
#include "engine/cluster/clustermessages.h"
#include "engine/cluster/clusterstore.h"
#include "engine/node/scaleout.h"
#include "engine/storage/store.h"

#include <QHash>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace flashsale {

// Threads: a publisher thread and a consumer thread, each with its own AMQP connection; the
// consumer thread also owns a PostgreSQL connection (take-overs, ticket blocks, health, catch-up).
// Public methods may be called from any thread; m_outMutex guards what waits to be published,
// m_settleMutex what waits to be acknowledged, m_commandMutex the staff commands awaiting answers.
class ClusterLink : public ScaleOutLink
{
public:
    // clusterId: the store's cluster id (clusterstore::prepare), which prefixes every broker name.
    ClusterLink(ClusterHost &host, AmqpUrl broker, StoreLocation store, QString nodeId, QByteArray clusterId);
    ~ClusterLink();

    void start() override;
    // Stops handing deliveries to the decider; later ones go back to the broker for another node.
    void stopIntake() override;
    // Waits up to timeoutMs for published requests to be confirmed and acknowledgements to be sent, then disconnects.
    void stop(int timeoutMs) override;

    // Broker and store reachable and ticket numbers at hand: purchases can be accepted.
    bool isAvailable() const override;
    QString unavailableReason() const override;
    QString inflightDescription() const override;
    bool waitUntilAvailable(int timeoutMs) override;
    bool brokerConnected() const { return m_publisherUp.load(std::memory_order_relaxed); }
    bool storeReachable() const { return m_storeUp.load(std::memory_order_relaxed); }
    const QString &nodeId() const { return m_nodeId; }
    // Messages ready in the event's queue (by event index), and in all of them, as last asked of the broker.
    std::int64_t waitingRequests(int eventIndex) const override;
    std::int64_t waitingRequests() const { return m_waitingTotal.load(std::memory_order_relaxed); }
    // A new request waits behind everything ready in its event's queue.
    std::int64_t positionOfNewest(const EventBook::Slot &, int eventIndex) const override { return waitingRequests(eventIndex); }
    void authorityLost(int eventIndex) override;

    // Whether seq lies in a ticket number block some node has reserved, so that a ticket this
    // node has not heard of may still be queued on another node.
    bool mayBeQueuedElsewhere(std::uint64_t seq) const override { return seq > 0 && seq < m_reservedSeqLimit.load(std::memory_order_relaxed); }

    // Publishes the purchase to its event's queue; the broker's confirm makes it queued.
    void accept(PurchaseRequest request) override;
    // Inserts the event in the shared store and tells every node; a launched one is then opened
    // through its queue like any open (the new event has no decider yet).
    AdminResult createEvent(const EventConfig &config, CreateAs as) override;
    // Sends the command through the event's queue and waits up to a few seconds for its decider's outcome.
    AdminResult command(wire::EventCommand command) override;
    // Decisions are made across the cluster: counts them from the events every node mirrors.
    void describe(EngineStats &stats) const override;
    void announceDecisions(const wire::Decisions &decisions) override;
    // After a commit: acknowledges what it made durable, hands back what this node could not decide.
    void settle(const IntakeSettlement &settled) override;

private:
    // A broker delivery to settle once its effect is committed (or to hand back).
    struct DeliveryReceipt {
        std::uint64_t deliveryTag = 0;
        std::uint32_t generation = 0; // which consumer connection the tag belongs to
    };
    // The deliveries handed to the decider and not settled yet, by ticket seq or command
    // correlation id. A key can be delivered again before its first delivery is settled (after
    // a reconnect), and the node settles deliveries in the order they were handed over: oldest first.
    using PendingDeliveries = std::unordered_map<std::uint64_t, std::deque<DeliveryReceipt>>;
    // Moves the oldest receipt of each key to into (m_settleMutex held).
    static void takeReceipts(PendingDeliveries &pending, const std::vector<std::uint64_t> &keys,
                             std::vector<DeliveryReceipt> &into);

    struct Outgoing {
        QByteArray routingKey;
        QByteArray type;
        QByteArray body;
        QString eventId;                 // set for messages to an event queue (confirmed, persistent)
        std::vector<std::uint64_t> seqs; // the tickets a purchases message carries
    };

    QByteArray queueOf(const QString &eventId) const;
    // Status::Exists if the id is taken, Status::Unavailable (error says why) when the store does not answer.
    Status insertEvent(const EventSnapshot &event, QString *error);
    void publishCommand(const wire::EventCommand &command);
    void announceEvent(const EventSnapshot &event);
    // A staff command's outcome reached this node (its own commit, or another decider's broadcast).
    void commandAnswered(const wire::CommandOutcome &outcome);
    void runPublisher();
    bool connectPublisher(AmqpConnection &connection);
    bool publishOne(AmqpConnection &connection, Outgoing &message, std::uint64_t *nextTag);
    void confirmed(const AmqpConfirm &confirm);

    void runConsumer();
    bool connectConsumer(AmqpConnection &connection);
    bool subscribeNewEvents(AmqpConnection &connection);
    bool handleDelivery(AmqpConnection &connection, AmqpDelivery &delivery);
    bool ensureTakenOver(const QString &eventId, int index);
    void maintainStore();
    // Sends ExpireDue to the queues of events whose unpaid orders are overdue (their decider is gone).
    void wakeDecidersOfOverdueOrders(QSqlDatabase &db);
    QSqlDatabase storeDatabase();
    void refreshDepths(AmqpConnection &connection);
    // Consumer thread: this node's confirmed tickets whose decision has not been announced for a
    // while; they are looked up in the store (an announcement can be lost when its decider dies
    // between its commit and its broadcast).
    std::vector<std::uint64_t> overdueTickets(std::int64_t nowMs);
    void lookUpOverdueTickets();
    bool sendSettlements(AmqpConnection &connection);
    void wake(int fd);
    // Wakes waitUntilAvailable after the publisher, the store or the ticket numbers came up.
    void availabilityMayHaveChanged();
    bool sleepUnlessStopping(int ms);

    ClusterHost &m_host; // the node: the link reads and changes its events and tickets only through it
    const AmqpUrl m_broker;
    const StoreLocation m_store;
    const QString m_nodeId;
    const QByteArray m_clusterId;
    const QByteArray m_exchange;
    int m_publisherWake = -1; // eventfds
    int m_consumerWake = -1;

    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_intakeStopped{false};
    std::atomic<bool> m_publisherUp{false};
    std::atomic<bool> m_storeUp{false};
    std::atomic<std::int64_t> m_unconfirmedCount{0};
    std::atomic<std::uint64_t> m_reservedSeqLimit{0}; // one past the highest block any node reserved

    std::mutex m_outMutex;
    std::vector<PurchaseRequest> m_outPurchases; // guarded by m_outMutex
    std::vector<Outgoing> m_outOther;            // guarded by m_outMutex

    // Publisher thread only.
    std::deque<std::pair<std::uint64_t, Outgoing>> m_awaitingConfirm;
    std::vector<Outgoing> m_resend;
    std::vector<QString> m_declaredQueues;

    std::mutex m_availableMutex; // pairs m_availableChanged with the atomics isAvailable() reads
    std::condition_variable m_availableChanged;

    std::mutex m_settleMutex;
    std::vector<DeliveryReceipt> m_acks;    // guarded by m_settleMutex
    std::vector<DeliveryReceipt> m_rejects; // guarded by m_settleMutex
    PendingDeliveries m_pendingPurchases;  // guarded by m_settleMutex
    PendingDeliveries m_pendingCommands;   // guarded by m_settleMutex

    // This node's confirmed tickets, oldest first, to look up in the store if their decision is
    // not announced in time (the publisher adds, the consumer looks up).
    struct QueuedTicket {
        std::uint64_t seq = 0;
        std::int64_t dueAtMs = 0; // when to look it up (again)
        int lookups = 0;
    };
    std::mutex m_queuedMutex;
    std::deque<QueuedTicket> m_queuedTickets; // guarded by m_queuedMutex

    // Staff commands sent from this node, waiting for their decider's outcome.
    std::mutex m_commandMutex;
    std::condition_variable m_commandAnswered;
    std::unordered_set<std::uint64_t> m_waitingCommands;                        // guarded by m_commandMutex
    std::unordered_map<std::uint64_t, wire::CommandOutcome> m_commandOutcomes; // guarded by m_commandMutex

    // Event indexes this node has taken over since its consumer connected and not lost since:
    // any other event is loaded from the store before its next delivery is decided.
    std::mutex m_takenMutex;
    std::unordered_set<int> m_takenOver; // guarded by m_takenMutex

    // Written by the consumer thread (refreshDepths), read by front threads.
    mutable std::shared_mutex m_depthMutex;
    std::vector<std::int64_t> m_waitingByEvent; // guarded by m_depthMutex
    std::atomic<std::int64_t> m_waitingTotal{0};

    // Consumer thread only.
    std::atomic<std::uint32_t> m_generation{0};
    int m_subscribedEvents = 0;
    std::int64_t m_lostAtMs = 0; // when the consumer connection last failed; 0: never connected
    QString m_storeConnectionName;
    bool m_storeWarned = false;
    QHash<QString, std::int64_t> m_expiryRequestedAtMs; // overdue event id -> when this node last sent it ExpireDue

    std::thread m_publisher;
    std::thread m_consumer;
};

// The scale-out of this build: makes a ClusterLink for amqp:// queue URLs (the server assembly
// hands it to the engine as EngineOptions::scaleOut).
ScaleOutFactory clusterLinkFactory();

} // namespace flashsale
