// Inside engine/api only (it shows Beast): what the transport decides about a request once Beast
// has parsed its head, and how it turns it into a RouteRequest. Used by httptransport.cpp and the
// HTTP fuzz target, so both run the same rules.
#pragma once

#include "engine/api/httpservice.h"
#include "engine/api/routerequest.h"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>

namespace flashsale::requestcheck {

using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using Message = boost::beast::http::request<boost::beast::http::string_body>;

// A parser with the limits applied.
void limit(Parser &parser, const HttpLimits &limits);

// The answer to a parse error, or nullopt for errors that just end the connection (the peer
// went away or timed out).
std::optional<RouteReply> parseError(boost::beast::error_code ec, const HttpLimits &limits);

// What the head says, once parsed.
struct Head {
    HttpMethod method = HttpMethod::Get;
    bool head = false;       // HEAD: answer as GET without the body
    bool keepAlive = false;
    unsigned version = 11;
    bool expectContinue = false; // HTTP/1.1 Expect: 100-continue
};

// Checks framing and conformance after the head was parsed: nullopt and head filled when the
// request may go on (its body to read), else the error answer (the connection then closes).
std::optional<RouteReply> checkHead(const Parser &parser, const HttpLimits &limits, Head *head);

// The route request of a complete message; nullopt when its target is not a path.
std::optional<RouteRequest> toRouteRequest(const Message &message, HttpMethod method);

// An error answer after which the connection closes.
RouteReply transportError(int status, const char *code, const QString &message);

// 413 for a body over the limit (announced or read).
RouteReply bodyTooLarge(const HttpLimits &limits);

} // namespace flashsale::requestcheck
