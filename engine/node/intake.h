// Where a node's accepted purchases and staff changes go on their way to an event's decider. Two
// implementations: the in-process queue of an embedded node (InProcessIntake) and the broker
// queues that scale-out nodes share (ClusterLink in engine/cluster, through ScaleOutLink). The
// façade (Engine) asks only this interface; it never checks whether it is clustered.
#pragma once

#include "engine/core/eventbook.h"
#include "engine/core/types.h"

#include <QString>

namespace flashsale {

struct EngineStats;

// A staff change that the event's decider applies in queue order (encoded for the broker by
// engine/cluster/clustermessages.h).
namespace wire {
struct EventCommand {
    // ExpireDue changes nothing by itself: a node sends it when an event's orders are overdue
    // and nobody expired them (its decider died), so that the queue delivers to a node that
    // takes the event over, and that node's decider expires them on its next clock tick.
    enum class Kind : std::uint8_t { Update = 1, Act, Restock, Order, ExpireDue };
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
    std::int64_t orderId = 0;                // Order: the shop's action on one of the event's orders
    OrderAction orderAction = OrderAction::Pay;
};
} // namespace wire

// Thread: every method may be called from any thread once the engine started.
class Intake
{
public:
    virtual ~Intake() = default;

    // Stops taking work for the decider; what it already handed over is still decided.
    virtual void stopIntake() = 0;
    // After the decider and the writer stopped: waits up to timeoutMs for what is still in
    // flight outside the node, then disconnects.
    virtual void stop(int timeoutMs) = 0;

    // Purchases can be accepted; when not, unavailableReason() says why (for the 503's message).
    virtual bool isAvailable() const = 0;
    virtual QString unavailableReason() const = 0;
    // How the stop warning describes accepted requests still in flight after the drain timeout.
    virtual QString inflightDescription() const = 0;

    // Hands one accepted purchase (seq, tag and event set) on to its event's decider.
    virtual void accept(PurchaseRequest request) = 0;
    // Requests of the event waiting outside this node; they count against the queue bound.
    virtual std::int64_t waitingRequests(int eventIndex) const = 0;
    // Requests of the event ahead of the one just accepted (slot is the event's at eventIndex).
    virtual std::int64_t positionOfNewest(const EventBook::Slot &slot, int eventIndex) const = 0;
    // Whether a ticket this node has not heard of may still be queued on another node.
    virtual bool mayBeQueuedElsewhere(std::uint64_t seq) const = 0;

    // Staff changes, applied by the event's decider and committed before they return
    // (Status::Unavailable with a message when that does not happen in time).
    virtual AdminResult createEvent(const EventConfig &config, CreateAs as) = 0;
    virtual AdminResult command(wire::EventCommand command) = 0;

    // Adds what the intake knows to the node's stats (stats.queueDepth holds the node's in-flight requests).
    virtual void describe(EngineStats &stats) const = 0;
};

} // namespace flashsale
