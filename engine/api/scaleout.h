// Which scale-out this build links, for the server assembly to hand to its engine.
#pragma once

#include "engine/node/scaleout.h"

namespace flashsale {

// RabbitMQ's ClusterLink (engine/cluster) when built with FLASHSALE_WITH_RABBITMQ, else none:
// the engine then refuses a queue URL with a message that says so.
ScaleOutFactory linkedScaleOut();

} // namespace flashsale
