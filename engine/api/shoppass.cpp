#include "engine/api/shoppass.h"

#include <jwt.h>

#include <QJsonArray>
#include <QJsonDocument>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace flashsale {

namespace {

struct JwtDeleter {
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// Decodes and checks the signature with secret; null when it does not match or parse.
JwtPtr decodeVerified(const QByteArray &token, const QByteArray &secret)
{
    jwt_t *raw = nullptr;
    const int rc = jwt_decode(&raw, token.constData(), reinterpret_cast<const unsigned char *>(secret.constData()),
                              int(secret.size()));
    JwtPtr jwt(raw);
    return rc == 0 ? std::move(jwt) : nullptr;
}

QString grantText(jwt_t *jwt, const char *name)
{
    const char *value = jwt_get_grant(jwt, name);
    return value ? QString::fromUtf8(value) : QString();
}

// `aud` as RFC 7519 allows it: absent (any event), one string, or an array of strings.
// Returns false when present but of another shape.
bool audiences(jwt_t *jwt, QStringList *out)
{
    if (const char *one = jwt_get_grant(jwt, "aud")) {
        *out = {QString::fromUtf8(one)};
        return true;
    }
    char *json = jwt_get_grants_json(jwt, "aud");
    if (!json)
        return true;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(json));
    std::free(json);
    if (!document.isArray())
        return false;
    for (const QJsonValue &value : document.array()) {
        if (!value.isString())
            return false;
        out->append(value.toString());
    }
    return true;
}

} // namespace

PassCheck verifyShopPass(const QByteArray &token, QStringView eventId, const QList<ShopKey> &keys, std::int64_t nowS,
                         int clockSkewS)
{
    if (token.isEmpty())
        return {std::nullopt, PassProblem::Missing};
    if (token.size() > kMaxPassBytes || token.count('.') != 2 || token.contains('\0'))
        return {std::nullopt, PassProblem::Malformed};

    // The header is read before any verification only to learn the algorithm and which key
    // signed it (libjwt 1.10 reports no algorithm for a token decoded without a key).
    const QByteArray::FromBase64Result headerBytes =
        QByteArray::fromBase64Encoding(token.left(token.indexOf('.')), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    const QJsonDocument header = QJsonDocument::fromJson(*headerBytes);
    if (!headerBytes || !header.isObject())
        return {std::nullopt, PassProblem::Malformed};
    if (header[u"alg"].toString() != u"HS256")
        return {std::nullopt, PassProblem::WrongAlgorithm};
    const QJsonValue kidValue = header[u"kid"];
    if (!kidValue.isUndefined() && !kidValue.isString())
        return {std::nullopt, PassProblem::Malformed};
    const QString kid = kidValue.toString();

    JwtPtr verified;
    bool keyFound = false;
    for (const ShopKey &key : keys) {
        if (!kid.isEmpty() && key.kid != kid)
            continue;
        if (key.retiresAtS != 0 && nowS > key.retiresAtS)
            continue;
        keyFound = true;
        verified = decodeVerified(token, key.secret);
        if (verified)
            break;
    }
    if (!keyFound)
        return {std::nullopt, PassProblem::UnknownKey};
    // libjwt checks the signature against the algorithm in the header; insist it is still HS256.
    if (!verified || jwt_get_alg(verified.get()) != JWT_ALG_HS256)
        return {std::nullopt, PassProblem::BadSignature};

    ShopPass pass;
    pass.subject = grantText(verified.get(), "sub");
    if (pass.subject.isEmpty())
        return {std::nullopt, PassProblem::NoSubject};
    errno = 0;
    const long exp = jwt_get_grant_int(verified.get(), "exp");
    if (errno != 0 || exp <= 0)
        return {std::nullopt, PassProblem::NoExpiry};
    pass.expiresAtS = exp;
    if (nowS > pass.expiresAtS + clockSkewS)
        return {std::nullopt, PassProblem::Expired};
    QStringList audience;
    if (!audiences(verified.get(), &audience))
        return {std::nullopt, PassProblem::Malformed};
    if (!audience.isEmpty() && !audience.contains(eventId))
        return {std::nullopt, PassProblem::WrongEvent};
    pass.audience = audience.join(u',');
    pass.contact = grantText(verified.get(), "contact");
    return {std::move(pass), PassProblem::Missing};
}

QString passProblemText(PassProblem problem)
{
    switch (problem) {
    case PassProblem::Missing:
        return QStringLiteral("this event needs a pass signed by the shop: send it as \"pass\"");
    case PassProblem::Malformed:
        return QStringLiteral("the pass is not a JWT (three base64url parts, at most %1 bytes)").arg(kMaxPassBytes);
    case PassProblem::WrongAlgorithm:
        return QStringLiteral("the pass must be signed with HS256");
    case PassProblem::UnknownKey:
        return QStringLiteral("the pass names a signing key (kid) this node does not hold or has retired");
    case PassProblem::BadSignature:
        return QStringLiteral("the pass's signature does not match the shop secret");
    case PassProblem::NoSubject:
        return QStringLiteral("the pass has no \"sub\" (the shop's user id)");
    case PassProblem::NoExpiry:
        return QStringLiteral("the pass has no numeric \"exp\"");
    case PassProblem::Expired:
        return QStringLiteral("the pass has expired");
    case PassProblem::WrongEvent:
        return QStringLiteral("the pass is for another event (\"aud\")");
    }
    return {};
}

} // namespace flashsale
