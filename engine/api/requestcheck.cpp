#include "engine/api/requestcheck.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace flashsale::requestcheck {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::optional<HttpMethod> methodOf(http::verb verb, bool *head)
{
    *head = false;
    switch (verb) {
    case http::verb::get: return HttpMethod::Get;
    case http::verb::head: *head = true; return HttpMethod::Get;
    case http::verb::post: return HttpMethod::Post;
    case http::verb::put: return HttpMethod::Put;
    case http::verb::delete_: return HttpMethod::Delete;
    case http::verb::patch: return HttpMethod::Patch;
    case http::verb::options: return HttpMethod::Options;
    default: return std::nullopt;
    }
}

bool allDigits(beast::string_view text)
{
    return !text.empty() && text.size() <= 18 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

beast::string_view trimmed(beast::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

} // namespace

RouteReply transportError(int status, const char *code, const QString &message)
{
    RouteReply reply;
    reply.error(status, code, message);
    reply.closeAfter = true;
    return reply;
}

RouteReply bodyTooLarge(const HttpLimits &limits)
{
    return transportError(413, "payload_too_large", QStringLiteral("the body is over %1 bytes").arg(limits.bodyBytes));
}

void limit(Parser &parser, const HttpLimits &limits)
{
    parser.header_limit(std::uint32_t(limits.headerBytes));
    parser.body_limit(std::uint64_t(limits.bodyBytes));
}

std::optional<RouteReply> parseError(beast::error_code ec, const HttpLimits &limits)
{
    if (ec == http::error::header_limit)
        return transportError(431, "header_too_large", QStringLiteral("the request line and headers are over %1 bytes").arg(limits.headerBytes));
    if (ec == http::error::body_limit)
        return bodyTooLarge(limits);
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == beast::error::timeout
        || ec == asio::error::operation_aborted || ec == asio::error::eof || ec == asio::error::connection_reset)
        return std::nullopt;
    if (ec == http::error::bad_transfer_encoding || ec == http::error::bad_content_length)
        return transportError(400, "bad_framing", u"send one Content-Length of digits only, or Transfer-Encoding: chunked, not both"_qs);
    return transportError(400, "bad_request", QStringLiteral("malformed request: %1").arg(QString::fromStdString(ec.message())));
}

std::optional<RouteReply> checkHead(const Parser &parser, const HttpLimits &limits, Head *head)
{
    const Message &request = parser.get();
    // Framing, stricter than the parser: one Content-Length of digits only, the only known
    // transfer coding, never both.
    int lengths = 0;
    bool transferEncoding = false;
    for (const auto &field : request) {
        if (field.name() == http::field::content_length) {
            ++lengths;
            if (!allDigits(trimmed(field.value())))
                return transportError(400, "bad_framing", u"Content-Length must be one number of digits only"_qs);
        } else if (field.name() == http::field::transfer_encoding) {
            if (transferEncoding || !beast::iequals(trimmed(field.value()), "chunked"))
                return transportError(501, "not_implemented", u"the only transfer coding understood is chunked"_qs);
            transferEncoding = true;
        }
    }
    if (lengths > 1)
        return transportError(400, "bad_framing", u"send Content-Length once"_qs);
    if (lengths > 0 && transferEncoding)
        return transportError(400, "bad_framing", u"send Content-Length or Transfer-Encoding, not both"_qs);
    if (request.version() != 10 && request.version() != 11)
        return transportError(505, "version_not_supported", u"speak HTTP/1.1 or HTTP/1.0"_qs);
    if (request.version() == 11 && request.count(http::field::host) != 1)
        return transportError(400, "bad_request", u"HTTP/1.1 requests need one Host header"_qs);
    const std::optional<HttpMethod> method = methodOf(request.method(), &head->head);
    if (!method)
        return transportError(501, "not_implemented", u"use GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS"_qs);
    head->method = *method;
    head->version = request.version();
    head->keepAlive = parser.keep_alive();
    if (parser.content_length() && *parser.content_length() > std::uint64_t(limits.bodyBytes))
        return bodyTooLarge(limits);
    const auto expect = request[http::field::expect];
    if (!expect.empty() && !parser.is_done()) {
        if (!beast::iequals(trimmed(expect), "100-continue"))
            return transportError(417, "expectation_failed", u"the only expectation met is 100-continue"_qs);
        head->expectContinue = request.version() == 11;
    }
    return std::nullopt;
}

std::optional<RouteRequest> toRouteRequest(const Message &message, HttpMethod method)
{
    const beast::string_view target = message.target();
    if (target.empty() || target.front() != '/')
        return std::nullopt;
    RouteRequest request;
    request.method = method;
    const std::size_t question = target.find('?');
    const beast::string_view rawPath = target.substr(0, question);
    request.path = QString::fromUtf8(QByteArray::fromPercentEncoding(QByteArray(rawPath.data(), qsizetype(rawPath.size()))));
    if (question != beast::string_view::npos) {
        const beast::string_view rawQuery = target.substr(question + 1);
        request.query.setQuery(QString::fromUtf8(rawQuery.data(), qsizetype(rawQuery.size())));
    }
    request.headers.reserve(16);
    for (const auto &field : message) {
        const beast::string_view name = field.name_string();
        const beast::string_view value = trimmed(field.value());
        request.headers.emplace_back(QByteArray(name.data(), qsizetype(name.size())).toLower(),
                                     QByteArray(value.data(), qsizetype(value.size())));
    }
    request.body = QByteArray(message.body().data(), qsizetype(message.body().size()));
    return request;
}

} // namespace flashsale::requestcheck
