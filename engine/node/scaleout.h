// The seam between a node and its scale-out link: what the engine and a broker link (built in
// engine/cluster, only with FLASHSALE_WITH_RABBITMQ) say to each other, so the node links no
// broker code and a build without RabbitMQ still runs every embedded node.
#pragma once

#include "engine/core/eventbook.h"
#include "engine/core/ticketbook.h"
#include "engine/core/types.h"
#include "engine/node/intake.h"
#include "engine/storage/store.h"

#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace flashsale {

// What engine nodes send each other (and wire::EventCommand, in intake.h);
// engine/cluster/clustermessages.h encodes it.
namespace wire {

// The decider's answer to one EventCommand.
struct CommandOutcome {
    std::uint64_t correlationId = 0;
    QString originNode;
    Status status = Status::Invalid;
    QString message;
    OrderView order{}; // Kind::Order: the order as it now is
};

// Freed units offered to the shopper of a lost ticket (ReleasePolicy::Offer): the ticket shows it.
struct Offer {
    std::uint64_t seq = 0; // the lead's lost ticket
    std::int64_t orderId = 0;
    std::int64_t expiresAtMs = 0;
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

// What one commit of an event's decider changed: its tickets, its commands, the offers it made,
// the event after it.
struct Decisions {
    QString deciderNode;
    std::int64_t epoch = 0; // the decider's fencing epoch; a higher one supersedes
    EventSnapshot event;
    std::vector<DecidedTicket> tickets;
    std::vector<CommandOutcome> commands;
    std::vector<Offer> offers;
};

} // namespace wire

// What one commit settled: the purchases (ticket seqs) and staff commands (correlation ids)
// delivered to this node's decider that it made durable, and those it hands back undecided.
// Each delivery is settled exactly once, in delivery order; the link keeps what it needs to
// acknowledge them (the node never sees a broker's delivery tags).
struct IntakeSettlement {
    std::vector<std::uint64_t> committedSeqs;
    std::vector<std::uint64_t> returnedSeqs;
    std::vector<std::uint64_t> committedCommands;
    std::vector<std::uint64_t> returnedCommands;

    bool isEmpty() const
    {
        return committedSeqs.empty() && returnedSeqs.empty() && committedCommands.empty() && returnedCommands.empty();
    }
};

// What changed in the shared store since a time: every event, and the tickets decided and the
// offers made since then.
struct StoreCatchUp {
    std::vector<EventSnapshot> events;
    std::vector<LoadedTicket> tickets;
    std::vector<wire::Offer> offers;
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
    virtual void commandDelivered(wire::EventCommand command) = 0;
    // Any thread: the event at index as this node has it (none if the index is unknown).
    virtual std::optional<EventSnapshot> eventSnapshot(int index) const = 0;
    // Consumer thread: this node now decides the event; install loaded before deciding more.
    virtual void tookOver(int eventIndex, EventTakeover loaded) = 0;
    // Consumer thread: another node's decisions.
    virtual void decisionsAnnounced(wire::Decisions &decisions) = 0;
    // Any thread: an event created in the shared store (by another node, or by this one's staff).
    virtual void eventAnnounced(const EventSnapshot &event) = 0;
    // Consumer thread: what was decided while this node could not hear the broadcasts.
    virtual void caughtUp(StoreCatchUp &catchUp) = 0;
    // Any thread: the state of a ticket this node knows (none if unknown).
    virtual std::optional<TicketState> ticketState(std::uint64_t seq) const = 0;

    // The node's events as the link names them: how many, the id at an index (events are never
    // removed, so indexes stay), the index of an id (-1 if unknown). Any thread.
    virtual int eventCount() const = 0;
    virtual QString eventIdAt(int index) const = 0;
    virtual int eventIndexOf(QStringView eventId) const = 0;
    // Ticket numbers this node may still hand out, and a block of them reserved in the shared
    // store (consumer thread).
    virtual std::uint64_t ticketNumbersLeft() const = 0;
    virtual void addTicketNumbers(std::uint64_t first, std::uint64_t count) = 0;
};

// A scale-out node's intake: the broker link (engine/cluster/clusterlink.h implements it). Beyond
// the Intake it serves the engine's commit pipeline and its start-up.
// Thread: every method may be called from any thread.
class ScaleOutLink : public Intake
{
public:
    virtual void start() = 0;
    // Waits until isAvailable() (true) or up to timeoutMs (false); woken by the link's threads.
    virtual bool waitUntilAvailable(int timeoutMs) = 0;
    // This node stopped deciding the event: it loads it from the store again before the next delivery.
    virtual void authorityLost(int eventIndex) = 0;
    // After a commit (writer thread): tells every node what this node decided, answers this
    // node's staff commands among them, acknowledges what the commit made durable and hands
    // back what this node could not decide.
    virtual void announceDecisions(const wire::Decisions &decisions) = 0;
    virtual void settle(const IntakeSettlement &settled) = 0;
};

// What a link is made from: the engine's side of it, and the options naming the broker.
struct ScaleOutSetup {
    ClusterHost &host;
    StoreLocation store;
    QString queueUrl; // amqp://..., already checked by checkQueueUrl
    QString nodeId;
};

// Makes the link (null with error set when the store or the broker refuses). Called once, on
// the thread that starts the engine. A build without RabbitMQ has none (EngineOptions::scaleOut empty).
using ScaleOutFactory = std::function<std::unique_ptr<ScaleOutLink>(const ScaleOutSetup &setup, QString *error)>;

} // namespace flashsale
