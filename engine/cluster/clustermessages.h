// What engine nodes send each other through RabbitMQ, and its binary encoding (QDataStream).
#pragma once

#include "engine/core/types.h"
#include "engine/node/scaleout.h"

#include <QByteArray>

#include <vector>

namespace flashsale::wire {

// AMQP message types.
inline constexpr char kPurchases[] = "purchases"; // to an event queue: accepted requests, in order
inline constexpr char kCommand[] = "command";     // to an event queue: a staff change to the event
inline constexpr char kDecisions[] = "decisions"; // broadcast: one event's outcome of one commit
inline constexpr char kEventCreated[] = "event";  // broadcast: an event was created

// The message types are engine/node/scaleout.h's wire::EventCommand, CommandOutcome and Decisions.
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
