// Shopper passes: HS256 JWTs the shop's backend signs for its logged-in users, verified with
// libjwt against the shop secret (the current one, or the previous one during its grace period).
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace flashsale {

inline constexpr int kPassClockSkewS = 30;
inline constexpr qsizetype kMaxPassBytes = 4096;

// One signing secret of the shop; `kid` names it in the pass's header.
struct ShopKey {
    QString kid;
    QByteArray secret;
    std::int64_t retiresAtS = 0; // Unix seconds after which passes signed with it are refused; 0 = current key
};

// What a verified pass says about its holder.
struct ShopPass {
    QString subject;   // `sub`: the shop's user id, the user for every rule of the sale
    QString contact;   // `contact`, optional: fills the lead's contact
    QString audience;  // `aud`, optional: the event(s) the pass is good for, comma-joined; empty = any event
    std::int64_t expiresAtS = 0;
};

// Why a pass was refused; the order is the order of the checks.
enum class PassProblem {
    Missing = 1,
    Malformed,     // not three base64url parts of JSON, or over the size limit
    WrongAlgorithm, // anything but HS256, `none` included
    UnknownKey,    // a `kid` the node does not hold (or one retired)
    BadSignature,
    NoSubject,
    NoExpiry,
    Expired,
    WrongEvent,
};

struct PassCheck {
    std::optional<ShopPass> pass;
    PassProblem problem = PassProblem::Missing; // meaningful when !pass
};

// Verifies token for eventId at nowS with leeway for clock skew. Keys: the current one first, then
// retired ones still in their grace period. A pass without `kid` is tried against every key held.
// Any thread; no shared state.
PassCheck verifyShopPass(const QByteArray &token, QStringView eventId, const QList<ShopKey> &keys, std::int64_t nowS,
                         int clockSkewS = kPassClockSkewS);

// Text for the 401 body: names the problem for the shop's developers.
QString passProblemText(PassProblem problem);

} // namespace flashsale
