// Inside engine/api only: the Boost.Beast transport behind HttpService, seen through two calls
// so that no other file compiles Beast.
#pragma once

#include "engine/api/httpservice.h"

#include <memory>

namespace flashsale {

struct TransportShared; // connection counts per address and in all, and the TLS context

// Loads the TLS files (when given); nullptr and error when they cannot be used.
std::shared_ptr<TransportShared> makeTransportShared(const HttpServiceOptions &options, QString *error);

// One acceptor thread's front: its io_context, sessions, routes, WebSocket front and waiter table.
// Thread: constructed, run and destroyed on its thread; stop() from any thread.
class TransportFront
{
public:
    virtual ~TransportFront() = default;
    // Serves until stop() has been called and the open connections were answered and closed.
    virtual void run() = 0;
    // Any thread: stop accepting, answer what is waiting (503 for the undecided), serve what is
    // already on its way for up to lingerMs, then close everything and return from run().
    virtual void stop(int lingerMs) = 0;
};

// listeningSocket: already bound and listening (SO_REUSEPORT shared with the other threads).
std::unique_ptr<TransportFront> makeTransportFront(Engine &engine, const HttpServiceOptions &options,
                                                   const std::shared_ptr<TransportShared> &shared,
                                                   const SharedToken &adminToken, WsTicketBook &wsTickets,
                                                   ShopperAdmission &admission, int listeningSocket, QString *error);

} // namespace flashsale
