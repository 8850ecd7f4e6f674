// The seam between a node and its scale-out link: what the engine and a broker link (built in
// engine/cluster, only with FLASHSALE_WITH_RABBITMQ) say to each other, so the node links no
// broker code and a build without RabbitMQ still runs every embedded node.
#pragma once

#include "engine/core/eventbook.h"
#include "engine/core/ticketbook.h"
#include "engine/core/types.h"
#include "engine/storage/store.h"

#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace flashsale {

// What engine nodes send each other; engine/cluster/clustermessages.h encodes it.
namespace wire {

// A staff change that the event's decider applies in queue order.
struct EventCommand {
    enum class Kind : std::uint8_t { Update = 1, Act, Restock };
    // A command of kind for the event; the caller fills in what the kind needs.
    static EventCommand to(QStringView eventId, Kind kind)
    {
        EventCommand command;
        command.kind = kind;
        command.eventId = eventId.toString();
        return command;
    }
    Kind kind = Kind::Update;
    std::uint64_t correlationId = 0; // lets the sending node match the outcome
    QString originNode;
    QString eventId;
    EventPatch patch;                        // Update
    EventAction action = EventAction::Open; // Act
    std::int64_t units = 0;                  // Restock
};

// The decider's answer to one EventCommand.
struct CommandOutcome {
    std::uint64_t correlationId = 0;
    QString originNode;
    Status status = Status::Invalid;
    QString message;
};

// One decided ticket, as every node records it.
struct DecidedTicket {
    std::uint64_t seq = 0;
    std::uint64_t tag = 0;
    QString requestId;
    QString userId; // as sent: binds the requestId to its user on every node (hashes are per process)
    TicketState state = TicketState::Lost;
    LossReason reason = LossReason::None;
    std::int64_t orderId = 0;
    std::int64_t acceptedAtMs = 0;
};

// What one commit of an event's decider changed: its tickets, its commands, the event after it.
struct Decisions {
    QString deciderNode;
    std::int64_t epoch = 0; // the decider's fencing epoch; a higher one supersedes
    EventSnapshot event;
    std::vector<DecidedTicket> tickets;
    std::vector<CommandOutcome> commands;
};

} // namespace wire

// A broker delivery to settle once its effect is committed (or to hand back).
struct DeliveryReceipt {
    std::uint64_t deliveryTag = 0;
    std::uint32_t generation = 0;
};

// What changed in the shared store since a time: every event, and the tickets decided since then.
struct StoreCatchUp {
    std::vector<EventSnapshot> events;
    std::vector<LoadedTicket> tickets;
};

// What the link hands to the engine. Each call names the link thread it comes from.
class ClusterHost
{
public:
    virtual ~ClusterHost() = default;
    // Publisher thread: the broker confirmed these tickets' requests (they are durable now).
    virtual void requestsQueued(std::vector<TicketChange> &queued) = 0;
    // Consumer thread: requests from an event queue this node decides, in queue order.
    virtual void requestsDelivered(std::vector<PurchaseRequest> &requests) = 0;
    virtual void commandDelivered(wire::EventCommand command, DeliveryReceipt receipt) = 0;
    // Consumer thread: this node now decides the event; install loaded before deciding more.
    virtual void tookOver(int eventIndex, EventTakeover loaded) = 0;
    // Consumer thread: another node's decisions, or an event created elsewhere.
    virtual void decisionsAnnounced(wire::Decisions &decisions) = 0;
    virtual void eventAnnounced(const EventSnapshot &event) = 0;
    // Consumer thread: what was decided while this node could not hear the broadcasts.
    virtual void caughtUp(StoreCatchUp &catchUp) = 0;
    // Consumer thread: tickets this node accepted that have waited for their decision's
    // announcement for a while; the link looks them up in the store (an announcement can be
    // lost when its decider dies between its commit and its broadcast).
    virtual std::vector<std::uint64_t> overdueTickets(std::int64_t nowMs) = 0;
};

// What the engine asks of its scale-out link (engine/cluster/clusterlink.h implements it).
// Thread: every method may be called from any thread.
class ScaleOutLink
{
public:
    virtual ~ScaleOutLink() = default;

    virtual void start() = 0;
    // Stops handing deliveries to the decider; later ones go back to the broker for another node.
    virtual void stopIntake() = 0;
    // Waits up to timeoutMs for published requests to be confirmed and acknowledgements to be sent, then disconnects.
    virtual void stop(int timeoutMs) = 0;

    // Broker and store reachable and ticket numbers at hand: purchases can be accepted.
    virtual bool isAvailable() const = 0;
    // Waits until isAvailable() (true) or up to timeoutMs (false); woken by the link's threads.
    virtual bool waitUntilAvailable(int timeoutMs) = 0;
    virtual bool brokerConnected() const = 0;
    virtual bool storeReachable() const = 0;
    // Requests published and not yet confirmed by the broker.
    virtual std::int64_t unconfirmed() const = 0;
    // Whether seq lies in a ticket number block some node has reserved, so that a ticket this
    // node has not heard of may still be queued on another node.
    virtual bool mayBeQueuedElsewhere(std::uint64_t seq) const = 0;

    // Inserts a new event in the shared store: Status::Exists if the id is taken,
    // Status::Unavailable (error says why) when the store does not answer.
    virtual Status createEvent(const EventSnapshot &event, QString *error) = 0;
    virtual void publishPurchase(PurchaseRequest request) = 0;
    virtual void publishCommand(const wire::EventCommand &command) = 0;
    virtual void announceDecisions(const wire::Decisions &decisions) = 0;
    virtual void announceEvent(const EventSnapshot &event) = 0;
    // After a commit: acknowledges what it made durable, hands back what this node could not decide.
    virtual void settle(const std::vector<DeliveryReceipt> &acks, const std::vector<DeliveryReceipt> &rejects) = 0;
};

// What a link is made from: the engine's side of it, and the options naming the broker.
struct ScaleOutSetup {
    ClusterHost &host;
    EventBook &events;
    TicketBook &tickets;
    StoreLocation store;
    QString queueUrl; // amqp://..., already checked by checkQueueUrl
    QString nodeId;
};

// Makes the link (null with error set when the store or the broker refuses). Called once, on
// the thread that starts the engine. A build without RabbitMQ has none (EngineOptions::scaleOut empty).
using ScaleOutFactory = std::function<std::unique_ptr<ScaleOutLink>(const ScaleOutSetup &setup, QString *error)>;

} // namespace flashsale
