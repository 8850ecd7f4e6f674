// A scale-out node's link to RabbitMQ and the shared PostgreSQL store: publishes accepted
// requests and staff commands to their event's queue, feeds this node's decider from the event
// queues it is the single active consumer of, and hears every other node's decisions.
#pragma once

#include "engine/cluster/amqpconnection.h"
#include "engine/cluster/clustermessages.h"
#include "engine/cluster/clusterstore.h"
#include "engine/core/eventbook.h"
#include "engine/node/scaleout.h"
#include "engine/storage/store.h"
#include "engine/core/ticketbook.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace flashsale {

// Threads: a publisher thread and a consumer thread, each with its own AMQP connection; the
// consumer thread also owns a PostgreSQL connection (take-overs, ticket blocks, health, catch-up).
// Public methods may be called from any thread; m_outMutex guards what waits to be published,
// m_settleMutex what waits to be acknowledged.
class ClusterLink : public ScaleOutLink
{
public:
    // clusterId: the store's cluster id (clusterstore::prepare), which prefixes every broker name.
    ClusterLink(ClusterHost &host, EventBook &events, TicketBook &tickets, AmqpUrl broker, StoreLocation store,
                QString nodeId, QByteArray clusterId);
    ~ClusterLink();

    void start() override;
    // Stops handing deliveries to the decider; later ones go back to the broker for another node.
    void stopIntake() override;
    // Waits up to timeoutMs for published requests to be confirmed and acknowledgements to be sent, then disconnects.
    void stop(int timeoutMs) override;

    // Broker and store reachable and ticket numbers at hand: purchases can be accepted.
    bool isAvailable() const override;
    bool waitUntilAvailable(int timeoutMs) override;
    bool brokerConnected() const override { return m_publisherUp.load(std::memory_order_relaxed); }
    bool storeReachable() const override { return m_storeUp.load(std::memory_order_relaxed); }
    const QString &nodeId() const { return m_nodeId; }
    // Requests published and not yet confirmed by the broker.
    std::int64_t unconfirmed() const override { return m_unconfirmedCount.load(std::memory_order_relaxed); }

    // Whether seq lies in a ticket number block some node has reserved, so that a ticket this
    // node has not heard of may still be queued on another node.
    bool mayBeQueuedElsewhere(std::uint64_t seq) const override { return seq > 0 && seq < m_reservedSeqLimit.load(std::memory_order_relaxed); }

    Status createEvent(const EventSnapshot &event, QString *error) override;
    void publishPurchase(PurchaseRequest request) override;
    void publishCommand(const wire::EventCommand &command) override;
    void announceDecisions(const wire::Decisions &decisions) override;
    void announceEvent(const EventSnapshot &event) override;
    // After a commit: acknowledges what it made durable, hands back what this node could not decide.
    void settle(const std::vector<DeliveryReceipt> &acks, const std::vector<DeliveryReceipt> &rejects) override;

private:
    struct Outgoing {
        QByteArray routingKey;
        QByteArray type;
        QByteArray body;
        QString eventId;                 // set for messages to an event queue (confirmed, persistent)
        std::vector<std::uint64_t> seqs; // the tickets a purchases message carries
    };

    QByteArray queueOf(const QString &eventId) const;
    void runPublisher();
    bool connectPublisher(AmqpConnection &connection);
    bool publishOne(AmqpConnection &connection, Outgoing &message, std::uint64_t *nextTag);
    void confirmed(const AmqpConfirm &confirm);

    void runConsumer();
    bool connectConsumer(AmqpConnection &connection);
    bool subscribeNewEvents(AmqpConnection &connection);
    bool handleDelivery(AmqpConnection &connection, AmqpDelivery &delivery);
    bool ensureTakenOver(EventBook::Slot &slot, int index);
    void maintainStore();
    QSqlDatabase storeDatabase();
    void refreshDepths(AmqpConnection &connection);
    void lookUpOverdueTickets();
    bool sendSettlements(AmqpConnection &connection);
    void wake(int fd);
    // Wakes waitUntilAvailable after the publisher, the store or the ticket numbers came up.
    void availabilityMayHaveChanged();
    bool sleepUnlessStopping(int ms);

    ClusterHost &m_host;
    EventBook &m_events;
    TicketBook &m_tickets;
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

    // Consumer thread only.
    std::atomic<std::uint32_t> m_generation{0};
    int m_subscribedEvents = 0;
    std::int64_t m_lostAtMs = 0; // when the consumer connection last failed; 0: never connected
    QString m_storeConnectionName;
    bool m_storeWarned = false;

    std::thread m_publisher;
    std::thread m_consumer;
};

// The scale-out of this build: makes a ClusterLink for amqp:// queue URLs (the server assembly
// hands it to the engine as EngineOptions::scaleOut).
ScaleOutFactory clusterLinkFactory();

} // namespace flashsale
