// The one place that decides whether a request speaks for staff: the admin token in the
// Authorization header, or (admin WebSocket only) a short-lived single-use ticket.
#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace flashsale {

// The admin token, shared by every front and replaceable at run time. Thread-safe.
class SharedToken
{
public:
    void set(const QString &token);
    QByteArray get() const;

private:
    mutable std::mutex m_mutex;
    QByteArray m_token; // guarded by m_mutex
};

// True when an Authorization header value is "Bearer TOKEN" with the current, non-empty admin
// token (compared in constant time; surrounding blanks ignored). No other place reads tokens.
bool isAdminAuthorization(const QByteArray &authorizationHeader, const SharedToken &token);

// Single-use tickets for opening the admin WebSocket without putting the long-lived token in a
// URL: POST /api/v1/admin/ws-tickets hands one out; /api/v1/admin/ws?ticket=T takes it once.
// Thread-safe (every front thread issues and redeems): m_mutex guards m_tickets.
class WsTicketBook
{
public:
    static constexpr int kLifetimeMs = 30'000;
    static constexpr std::size_t kMaxOutstanding = 1024; // the oldest go first beyond this

    // A new random ticket, valid for kLifetimeMs.
    QByteArray issue();
    // True (and the ticket is spent) when ticket was issued and has not expired or been used.
    bool redeem(const QByteArray &ticket);

private:
    using Clock = std::chrono::steady_clock;
    void dropExpired(Clock::time_point now);

    std::mutex m_mutex;
    std::unordered_map<std::string, Clock::time_point> m_tickets; // ticket → expiry; guarded by m_mutex
};

} // namespace flashsale
