// What a shopper's request must pass before it reaches the engine: the origin allowlist, token
// buckets per client address and per signed user, and on signed events the shop's pass.
#pragma once

#include "engine/api/clientaddress.h"
#include "engine/api/shoppass.h"
#include "engine/api/shopsecrets.h"
#include "engine/core/ratelimiter.h"
#include "engine/core/types.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonValue>
#include <QStringList>

namespace flashsale {

// The node's shopper-facing rules, from the command line (README → Fair sales).
struct ShopperPolicy {
    // Purchases a second from one client address, with a burst of twice as many; 0 = no limit.
    // Far above what a person clicks, far below what a script sends; shoppers behind one
    // carrier-grade NAT share it (raise it there, or put a trusted proxy in front).
    double purchasesPerAddressPerSecond = 50;
    // Purchases a second by one user of a signed event (the pass's `sub`), burst twice as many.
    double purchasesPerUserPerSecond = 5;
    // Peers whose X-Forwarded-For is believed; loopback by default (a proxy on the same host).
    QString trustedProxies = QStringLiteral("127.0.0.0/8,::1");
    // Origins ("https://shop.example") whose pages may call the shopper API from a browser; "*"
    // is any page. The node's own pages are same-origin and always allowed.
    QStringList allowedOrigins;

    // Parses "https://a.example,https://b.example" or "*" into allowedOrigins; false and error
    // when an item is not scheme://host[:port].
    bool setAllowedOrigins(const QString &list, QString *error);
};

// Thread-safe: one per node, shared by every front thread (the limiters are sharded and locked,
// the keys are swapped whole, the rest is immutable after construction). Refusals are counted
// in the engine (Engine::countRefused), where the dashboard and /metrics read them.
class ShopperAdmission
{
public:
    // policy.trustedProxies must parse (the command line checked it).
    explicit ShopperAdmission(const ShopperPolicy &policy);

    // How a request's Origin header relates to the node.
    enum class OriginCheck {
        NoOrigin,   // not sent: not a browser's cross-site request (curl, the shop's backend)
        SameOrigin, // the node's own page
        Allowed,    // in --allowed-origins
        Refused,
    };
    OriginCheck checkOrigin(const QByteArray &origin, const QByteArray &host) const;
    // The Access-Control-Allow-Origin value for an answer to origin, or empty for none.
    QByteArray allowOriginHeader(const QByteArray &origin, OriginCheck check) const;

    // The client a request comes from (X-Forwarded-For only through trusted proxies).
    QHostAddress clientOf(const QHostAddress &peer, const QByteArray &forwardedFor) const;
    // Takes a purchase token for the client address / the signed user (userKeyOf of `sub`).
    RateLimiter::Verdict admitAddress(const QHostAddress &client);
    RateLimiter::Verdict admitUser(const QString &userKey);

    // On a signed event: verifies passValue (the body's `pass`) for event and makes its `sub`
    // the purchase's user and its `contact` the lead's contact. An open event takes the purchase
    // as it is. Sets the purchase's userKey (userKeyOf of `sub`) for the per-user rate limit and
    // the engine. Returns the problem for a 401 invalid_pass, or an empty string.
    QString applyPass(const EventSnapshot &event, const QJsonValue &passValue, PurchaseRequest &purchase) const;

    // The keys passes are checked against (replaced at a rotation of the shop secret).
    SharedShopKeys &shopKeys() { return m_keys; }

private:
    TrustedProxies m_trustedProxies;
    QList<QByteArray> m_allowedOrigins; // lower case, no trailing slash
    bool m_anyOrigin = false;
    RateLimiter m_byAddress;
    RateLimiter m_byUser;
    SharedShopKeys m_keys;
};

} // namespace flashsale
