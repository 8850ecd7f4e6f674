// Checks for the scale-out options: the RabbitMQ URL and the node id (shared by --queue/--node-id and Settings).
#pragma once

#include <QString>

namespace flashsale {

// Returns why url is not a usable amqp://USER:PASS@HOST:PORT/VHOST, or an empty string when it
// is. Rules: parses strictly; scheme amqp; a host; a port, if given, from 1 to 65535; the path
// empty, "/" or "/VHOST" (a "/" inside the vhost name written %2F); no query, no fragment.
// USER:PASS may be left out. The text shows the URL without its password.
QString checkQueueUrl(const QString &url);

// Returns why id cannot name a node, or an empty string when it can: 1 to 64 characters from
// A-Z a-z 0-9 . _ -
QString checkNodeId(const QString &id);

} // namespace flashsale
