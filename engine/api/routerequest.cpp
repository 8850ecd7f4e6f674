#include "engine/api/routerequest.h"

#include "engine/api/apijson.h"

#include <QJsonDocument>

namespace flashsale {

QByteArray RouteRequest::header(std::string_view lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (std::string_view(name.constData(), std::size_t(name.size())) == lowerCaseName)
            return value;
    }
    return {};
}

void RouteReply::json(int code, const QJsonObject &object)
{
    status = code;
    contentType = "application/json";
    body = QJsonDocument(object).toJson(QJsonDocument::Compact);
}

void RouteReply::error(int code, const char *errorCode, const QString &message)
{
    json(code, QJsonObject{{u"error"_qs, QString::fromLatin1(errorCode)}, {u"message"_qs, message}});
}

void RouteReply::error(Status s, const QString &message)
{
    error(statusCodeOf(s), errorCodeOf(s), message);
}

const char *reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    }
    return "Unknown";
}

} // namespace flashsale
