// Makes the console's backends (embedded or remote) and checks the embedded engine's settings.
#pragma once

#include "engine/api/server.h"
#include "ui/backend/consolebackend.h"

namespace flashsale {

// What the console gets from the layer below. commandLine: the options the console was started
// with (--listen, --data-dir, --store, …); the saved settings fill in what it left out each time
// an embedded engine is made (listenGiven/dataDirGiven: the command line set them).
BackendServices backendServices(const ServerOptions &commandLine, bool listenGiven, bool dataDirGiven);

} // namespace flashsale
