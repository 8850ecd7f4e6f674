// Reading a request's JSON body and query items, with a problem text naming the field.
#pragma once

#include "engine/api/routerequest.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <optional>

namespace flashsale::queryparams {

inline std::optional<QJsonObject> jsonBody(const RouteRequest &request, QString *problem)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *problem = QStringLiteral("the body is not valid JSON: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        *problem = u"the body must be a JSON object"_qs;
        return std::nullopt;
    }
    return document.object();
}

// Parses a non-negative integer query item; def when absent.
inline bool queryInteger(const QUrlQuery &query, const QString &key, std::int64_t def, std::int64_t max, std::int64_t *out,
                  QString *problem)
{
    *out = def;
    if (!query.hasQueryItem(key))
        return true;
    bool ok = false;
    *out = query.queryItemValue(key).toLongLong(&ok);
    if (!ok || *out < 0 || *out > max) {
        *problem = QStringLiteral("%1 must be an integer from 0 to %2").arg(key).arg(max);
        return false;
    }
    return true;
}

inline bool queryTime(const QUrlQuery &query, const QString &key, std::int64_t *out, QString *problem)
{
    *out = 0;
    if (!query.hasQueryItem(key))
        return true;
    const QDateTime t = QDateTime::fromString(query.queryItemValue(key, QUrl::FullyDecoded), Qt::ISODateWithMs);
    if (!t.isValid()) {
        *problem = QStringLiteral("%1 must be an ISO 8601 time").arg(key);
        return false;
    }
    *out = t.toMSecsSinceEpoch();
    return true;
}

inline bool queryBool(const QUrlQuery &query, const QString &key, bool def)
{
    if (!query.hasQueryItem(key))
        return def;
    const QString v = query.queryItemValue(key);
    return v == u"1" || v == u"true" || v == u"yes";
}
} // namespace flashsale::queryparams
