#include "engine/api/adminauth.h"

#include "engine/api/admintoken.h"

#include <QRandomGenerator>

#include <algorithm>

namespace flashsale {

void SharedToken::set(const QString &token)
{
    std::lock_guard lock(m_mutex);
    m_token = token.toUtf8();
}

QByteArray SharedToken::get() const
{
    std::lock_guard lock(m_mutex);
    return m_token;
}

bool isAdminAuthorization(const QByteArray &authorizationHeader, const SharedToken &token)
{
    const QByteArray header = authorizationHeader.trimmed();
    if (!header.startsWith("Bearer "))
        return false;
    const QByteArray given = header.mid(7).trimmed();
    const QByteArray expected = token.get();
    return !expected.isEmpty() && !given.isEmpty() && tokensEqual(given, expected);
}

QByteArray WsTicketBook::issue()
{
    quint32 words[6];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray ticket = QByteArray(reinterpret_cast<const char *>(words), sizeof words)
                                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const auto now = Clock::now();
    std::lock_guard lock(m_mutex);
    dropExpired(now);
    if (m_tickets.size() >= kMaxOutstanding) {
        const auto oldest = std::min_element(m_tickets.begin(), m_tickets.end(),
                                             [](const auto &a, const auto &b) { return a.second < b.second; });
        m_tickets.erase(oldest);
    }
    m_tickets.emplace(ticket.toStdString(), now + std::chrono::milliseconds(kLifetimeMs));
    return ticket;
}

bool WsTicketBook::redeem(const QByteArray &ticket)
{
    if (ticket.isEmpty() || ticket.size() > 64)
        return false;
    const auto now = Clock::now();
    std::lock_guard lock(m_mutex);
    const auto it = m_tickets.find(ticket.toStdString());
    if (it == m_tickets.end())
        return false;
    const bool valid = it->second > now;
    m_tickets.erase(it);
    return valid;
}

void WsTicketBook::dropExpired(Clock::time_point now)
{
    std::erase_if(m_tickets, [now](const auto &entry) { return entry.second <= now; });
}

} // namespace flashsale
