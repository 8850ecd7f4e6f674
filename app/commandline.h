// The flashsale command line: GUI or --headless, and the engine node's options.
#pragma once

#include "engine/server.h"

#include <QStringList>

namespace flashsale {

struct CommandLine {
    bool headless = false;
    ServerOptions server;
    QString error; // set when the arguments are invalid

    static CommandLine parse(const QStringList &arguments);
};

} // namespace flashsale
