// Which address a request comes from: the peer, or behind trusted proxies the nearest address in
// X-Forwarded-For that is not one of them.
#pragma once

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

namespace flashsale {

// The networks whose X-Forwarded-For is believed (--trusted-proxies CIDR,…). Immutable once built;
// any thread may read it.
class TrustedProxies
{
public:
    // "10.0.0.0/8,127.0.0.1,::1" (a bare address is a /32 or /128). False and error when an item
    // is not an address or a CIDR.
    bool parse(const QString &list, QString *error);
    bool contains(const QHostAddress &address) const;
    bool isEmpty() const { return m_subnets.isEmpty(); }

private:
    QList<QPair<QHostAddress, int>> m_subnets;
};

// The client of a request from peer with the X-Forwarded-For header forwardedFor (empty when
// absent). An untrusted peer is the client whatever the header says; a malformed entry ends the
// walk at the last trusted hop, so a client cannot forge its way past a proxy.
QHostAddress clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor, const TrustedProxies &trusted);

} // namespace flashsale
