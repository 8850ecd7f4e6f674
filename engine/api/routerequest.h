// The plain request and reply values the route handlers work on, independent of the HTTP library
// underneath (the Beast transport in httptransport.cpp fills and sends them).
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

class QFile;

namespace flashsale {

enum class Status : std::uint8_t;

// The methods the API knows; anything else is answered 501 by the transport. HEAD reaches the
// routes as Get (the transport drops the body).
enum class HttpMethod { Get = 1, Post, Put, Delete, Patch, Options };

// One parsed request. Header names are lower case; values as sent (trimmed).
struct RouteRequest {
    HttpMethod method = HttpMethod::Get;
    QString path; // percent-decoded
    QUrlQuery query;
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress peer;

    // The first value of a header (name in lower case), or an empty array.
    QByteArray header(std::string_view lowerCaseName) const;
};

// One answer: a body in memory, or a file streamed and then the connection closed.
struct RouteReply {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers; // beyond the ones every answer gets
    bool closeAfter = false;
    QByteArray allowOrigin; // Access-Control-Allow-Origin (set for allowed cross-origin callers)
    bool deferred = false; // the handler keeps a ReplyHandle and answers later
    std::shared_ptr<QFile> file; // open for reading; streamed instead of body, then close

    void json(int code, const QJsonObject &object);
    void error(int code, const char *errorCode, const QString &message);
    void error(Status status, const QString &message);
    void addHeader(QByteArray name, QByteArray value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// A deferred answer's way back to its connection. Thread: used only on the front thread that
// handed it out; send() at most once.
class ReplyHandle
{
public:
    virtual ~ReplyHandle() = default;
    // False once the peer went away: the answer would go nowhere.
    virtual bool connected() const = 0;
    virtual void send(RouteReply reply) = 0;
};

// What a route handler may ask of the connection its request came on.
class Responder
{
public:
    virtual ~Responder() = default;
    // A handle for answering later (sets nothing in the reply: the handler sets reply.deferred).
    virtual std::shared_ptr<ReplyHandle> defer() = 0;
};

// Reason phrase of a status code ("Unknown" for codes the API never sends).
const char *reasonPhrase(int status);

} // namespace flashsale
