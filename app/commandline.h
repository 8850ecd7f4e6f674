// The flashsale command line: GUI or --headless, and the engine node's options.
#pragma once

#include "engine/api/server.h"
#include "engine/tools/simulator.h"

#include <QStringList>

namespace flashsale {

struct CommandLine {
    bool headless = false;
    ServerOptions server;
    bool listenGiven = false;  // --listen was on the command line (it beats the console's settings)
    bool dataDirGiven = false; // --data-dir likewise
    // --simulate EVENT_ID:N (headless): send N simulated shoppers through the API after start.
    QString simulateEventId;
    std::int64_t simulateShoppers = 0;
    int simulatePacePerSecond = kDefaultShoppersPerSecond; // --pace: shoppers per second, 0: unpaced
    // --backup FILE: copy the database (of --data-dir, or of the node at --connect URL) and exit.
    QString backupFile;
    // --report EVENT_ID --output FILE.pdf|FILE.png: the event's post-sale report (of --data-dir,
    // --store or the node at --connect URL), rendered without a window, and exit.
    QString reportEventId;
    QString reportOutput;
    QString connectUrl; // the console attaches to this node; with --backup or --report, asks it
    QString error; // set when the arguments are invalid

    static CommandLine parse(const QStringList &arguments);
};

} // namespace flashsale
