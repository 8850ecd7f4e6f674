#include "engine/api/clientaddress.h"

namespace flashsale {

namespace {

// IPv4-mapped IPv6 peers (::ffff:a.b.c.d, as dual-stack sockets report them) compare as IPv4.
QHostAddress plain(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

} // namespace

bool TrustedProxies::parse(const QString &list, QString *error)
{
    m_subnets.clear();
    for (const QString &item : list.split(u',', Qt::SkipEmptyParts)) {
        const QString text = item.trimmed();
        QPair<QHostAddress, int> subnet = text.contains(u'/') ? QHostAddress::parseSubnet(text)
                                                               : qMakePair(QHostAddress(text), -1);
        if (subnet.first.isNull()) {
            *error = QStringLiteral("\"%1\" is not an address or a CIDR network").arg(text);
            return false;
        }
        subnet.first = plain(subnet.first);
        if (subnet.second < 0)
            subnet.second = subnet.first.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
        m_subnets.append(subnet);
    }
    return true;
}

bool TrustedProxies::contains(const QHostAddress &address) const
{
    const QHostAddress candidate = plain(address);
    for (const auto &subnet : m_subnets) {
        if (candidate.isInSubnet(subnet))
            return true;
    }
    return false;
}

QHostAddress clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor, const TrustedProxies &trusted)
{
    QHostAddress client = plain(peer);
    if (forwardedFor.isEmpty() || !trusted.contains(client))
        return client;
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (auto hop = hops.crbegin(); hop != hops.crend(); ++hop) {
        const QHostAddress address(QString::fromLatin1(hop->trimmed()));
        if (address.isNull())
            return client; // garbage: trust no further than the last proxy that is ours
        client = plain(address);
        if (!trusted.contains(client))
            return client;
    }
    return client;
}

} // namespace flashsale
