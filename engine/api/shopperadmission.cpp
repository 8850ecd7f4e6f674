#include "engine/api/shopperadmission.h"

#include "engine/api/apijson.h"
#include "engine/node/engine.h"

#include <QUrl>

namespace flashsale {

namespace {

// A token bucket refilling perSecond with a burst of twice as many (at least one).
RateLimiter makeLimiter(double perSecond)
{
    return RateLimiter(perSecond, std::max(1, int(perSecond * 2)));
}

// "scheme://host[:port]" of text in lower case, without a trailing slash; empty when text is not one.
QByteArray canonicalOrigin(QStringView text)
{
    QString origin = text.trimmed().toString().toLower();
    while (origin.endsWith(u'/'))
        origin.chop(1);
    const QUrl url(origin, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()
        || !url.path().isEmpty() || url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return {};
    return origin.toLatin1();
}

// The "host[:port]" part of an origin.
QByteArrayView authorityOf(QByteArrayView origin)
{
    const qsizetype at = origin.indexOf("://");
    return at < 0 ? QByteArrayView() : origin.sliced(at + 3);
}

} // namespace

bool ShopperPolicy::setAllowedOrigins(const QString &list, QString *error)
{
    QStringList origins;
    for (const QString &item : list.split(u',', Qt::SkipEmptyParts)) {
        const QString trimmed = item.trimmed();
        if (trimmed == u"*") {
            origins.append(trimmed);
            continue;
        }
        const QByteArray origin = canonicalOrigin(trimmed);
        if (origin.isEmpty()) {
            *error = QStringLiteral("\"%1\" is not an origin such as https://shop.example or http://127.0.0.1:3000").arg(trimmed);
            return false;
        }
        origins.append(QString::fromLatin1(origin));
    }
    allowedOrigins = origins;
    return true;
}

ShopperAdmission::ShopperAdmission(const ShopperPolicy &policy)
    : m_byAddress(makeLimiter(policy.purchasesPerAddressPerSecond))
    , m_byUser(makeLimiter(policy.purchasesPerUserPerSecond))
{
    QString ignored;
    m_trustedProxies.parse(policy.trustedProxies, &ignored);
    for (const QString &origin : policy.allowedOrigins) {
        if (origin == u"*")
            m_anyOrigin = true;
        else
            m_allowedOrigins.append(origin.toLatin1());
    }
}

ShopperAdmission::OriginCheck ShopperAdmission::checkOrigin(const QByteArray &origin, const QByteArray &host) const
{
    if (origin.isEmpty())
        return OriginCheck::NoOrigin;
    const QByteArray lower = origin.trimmed().toLower();
    if (!host.isEmpty() && authorityOf(lower) == host.trimmed().toLower())
        return OriginCheck::SameOrigin;
    if (m_anyOrigin || m_allowedOrigins.contains(lower))
        return OriginCheck::Allowed;
    return OriginCheck::Refused;
}

QByteArray ShopperAdmission::allowOriginHeader(const QByteArray &origin, OriginCheck check) const
{
    if (check != OriginCheck::Allowed)
        return {};
    return m_anyOrigin ? QByteArray("*") : origin.trimmed();
}

QHostAddress ShopperAdmission::clientOf(const QHostAddress &peer, const QByteArray &forwardedFor) const
{
    return clientAddress(peer, forwardedFor, m_trustedProxies);
}

RateLimiter::Verdict ShopperAdmission::admitAddress(const QHostAddress &client)
{
    if (!m_byAddress.enabled())
        return {};
    const Q_IPV6ADDR bytes = client.toIPv6Address(); // v4 as ::ffff:a.b.c.d: one key per address
    return m_byAddress.take(QByteArray(reinterpret_cast<const char *>(bytes.c), 16), Engine::steadyMicros());
}

RateLimiter::Verdict ShopperAdmission::admitUser(const QString &userKey)
{
    if (!m_byUser.enabled())
        return {};
    return m_byUser.take(userKey.toUtf8(), Engine::steadyMicros());
}

QString ShopperAdmission::applyPass(const EventSnapshot &event, const QJsonValue &passValue, PurchaseRequest &purchase) const
{
    if (event.config.shopperIdentity != ShopperIdentity::Signed)
        return {};
    if (!passValue.isUndefined() && !passValue.isNull() && !passValue.isString())
        return QStringLiteral("pass must be a string: the JWT the shop signed");
    const QByteArray token = passValue.toString().toLatin1();
    const PassCheck check = verifyShopPass(token, event.config.id, m_keys.get(), Engine::nowMs() / 1000);
    if (!check.pass)
        return passProblemText(check.problem);
    const ShopPass &pass = *check.pass;
    if (pass.subject.size() > limits::maxUserIdLength || controlOrFormatCharacterAt(pass.subject) >= 0)
        return QStringLiteral("the pass's sub must be at most %1 characters, without control characters")
            .arg(limits::maxUserIdLength);
    QString userKey = userKeyOf(pass.subject);
    if (!purchase.userId.isEmpty() && userKeyOf(purchase.userId) != userKey)
        return QStringLiteral("userId does not match the pass's sub; leave userId out on signed events");
    purchase.userId = pass.subject;
    purchase.userKey = std::move(userKey);
    if (!pass.contact.isEmpty())
        purchase.contact = pass.contact.left(limits::maxContactLength);
    return {};
}

} // namespace flashsale
