// What engine nodes send each other through RabbitMQ, and its binary encoding (QDataStream).
#pragma once

#include "engine/eventbook.h"
#include "engine/types.h"

#include <QByteArray>

#include <vector>

namespace flashsale::wire {

// AMQP message types.
inline constexpr char kPurchases[] = "purchases"; // to an event queue: accepted requests, in order
inline constexpr char kCommand[] = "command";     // to an event queue: a staff change to the event
inline constexpr char kDecisions[] = "decisions"; // broadcast: one event's outcome of one commit
inline constexpr char kEventCreated[] = "event";  // broadcast: an event was created

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

QByteArray encodePurchases(const PurchaseRequest *first, std::size_t count);
bool decodePurchases(const QByteArray &body, std::vector<PurchaseRequest> *requests);
QByteArray encodeCommand(const EventCommand &command);
bool decodeCommand(const QByteArray &body, EventCommand *command);
QByteArray encodeDecisions(const Decisions &decisions);
bool decodeDecisions(const QByteArray &body, Decisions *decisions);
QByteArray encodeEvent(const EventSnapshot &event);
bool decodeEvent(const QByteArray &body, EventSnapshot *event);

// Broker names are prefixed with the cluster's id (kept in its store), so that clusters sharing a
// broker never see each other's messages.
// The durable queue that carries one event's purchases and commands.
QByteArray eventQueueName(const QByteArray &clusterId, const QString &eventId);
// The topic exchange every node of the cluster binds its broadcast queue to.
QByteArray exchangeName(const QByteArray &clusterId);

} // namespace flashsale::wire
