// The webhook routes: the shop's endpoint and the deliveries, read and written on a store-jobs
// thread (never the front's event loop).
#include "engine/api/apijson.h"
#include "engine/api/httproutes.h"
#include "engine/api/queryparams.h"
#include "engine/storage/webhooks.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QThread>

namespace flashsale {

using namespace queryparams;

namespace {

QJsonObject endpointJson(const WebhookEndpoint &endpoint)
{
    return QJsonObject{{u"url"_qs, endpoint.url.isEmpty() ? QJsonValue() : QJsonValue(endpoint.url)},
                       {u"configuredAt"_qs, isoOrNull(endpoint.configuredAtMs)}};
}

QJsonObject deliveryJson(const WebhookDeliveryRow &row)
{
    return QJsonObject{{u"id"_qs, row.id},
                       {u"type"_qs, row.type},
                       {u"eventId"_qs, row.eventId},
                       {u"createdAt"_qs, isoOrNull(row.createdAtMs)},
                       {u"status"_qs, webhooks::toString(row.status)},
                       {u"attempts"_qs, row.attempts},
                       {u"lastHttpStatus"_qs, row.lastHttpStatus > 0 ? QJsonValue(row.lastHttpStatus) : QJsonValue()},
                       {u"lastError"_qs, row.lastError.isEmpty() ? QJsonValue() : QJsonValue(row.lastError)},
                       {u"lastAttemptAt"_qs, isoOrNull(row.lastAttemptAtMs)},
                       {u"nextAttemptAt"_qs, isoOrNull(row.nextAttemptAtMs)},
                       {u"deliveredAt"_qs, isoOrNull(row.deliveredAtMs)}};
}

RouteReply storeError(const QString &error)
{
    RouteReply reply;
    reply.error(503, "unavailable", QStringLiteral("cannot reach the store: %1").arg(error));
    return reply;
}

} // namespace

void HttpRoutes::onStoreThread(RouteReply &reply, Responder &responder, std::function<RouteReply(QSqlDatabase &db)> job)
{
    reply.deferred = true;
    m_storeJobs.start([this, location = m_engine.storeLocation(), job = std::move(job), handle = responder.defer()] {
        const QString name = QStringLiteral("flashsale-webhook-job-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
        RouteReply answer;
        {
            QString error;
            QSqlDatabase db = openConnection(location, name, &error);
            answer = db.isOpen() ? job(db) : storeError(error);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        m_context.postToFront([handle, answer = std::move(answer)]() mutable { handle->send(std::move(answer)); });
    });
}

void HttpRoutes::webhook(const RouteRequest &request, const Parts &parts, RouteReply &reply, Responder &responder)
{
    const HttpMethod method = request.method;
    if (parts.size() == 4) {
        if (method == HttpMethod::Get) {
            return onStoreThread(reply, responder, [](QSqlDatabase &db) {
                WebhookEndpoint endpoint;
                QString error;
                if (!webhooks::readEndpoint(db, &endpoint, nullptr, &error))
                    return storeError(error);
                RouteReply answer;
                answer.json(200, endpointJson(endpoint));
                return answer;
            });
        }
        if (method == HttpMethod::Delete) {
            return onStoreThread(reply, responder, [](QSqlDatabase &db) {
                QString error;
                if (!webhooks::clearEndpoint(db, &error))
                    return storeError(error);
                RouteReply answer;
                answer.json(200, endpointJson(WebhookEndpoint()));
                return answer;
            });
        }
        if (method != HttpMethod::Put)
            return methodNotAllowed(reply, "GET, PUT, DELETE");
        QString problem;
        const auto body = jsonBody(request, &problem);
        if (!body)
            return reply.error(400, "bad_json", problem);
        for (const QString &key : body->keys()) {
            if (key != u"url" && key != u"secret")
                return reply.error(400, "invalid_field", QStringLiteral("unknown field \"%1\": send url and, optionally, secret").arg(key.left(64)));
        }
        if (!body->value(u"url"_qs).isString())
            return reply.error(400, "invalid_field", u"url is required: the https:// address that receives the webhooks"_qs);
        const QString url = body->value(u"url"_qs).toString();
        if (const QString why = webhooks::checkEndpointUrl(url); !why.isEmpty())
            return reply.error(400, "invalid_field", why);
        QString secret = webhooks::newSecret();
        if (body->contains(u"secret"_qs)) {
            if (!body->value(u"secret"_qs).isString())
                return reply.error(400, "invalid_field", u"secret must be a string"_qs);
            secret = body->value(u"secret"_qs).toString();
            if (const QString why = webhooks::checkSecret(secret); !why.isEmpty())
                return reply.error(400, "invalid_field", why);
        }
        return onStoreThread(reply, responder, [url, secret](QSqlDatabase &db) {
            QString error;
            const std::int64_t nowMs = Engine::nowMs();
            if (!webhooks::setEndpoint(db, url, secret, nowMs, &error))
                return storeError(error);
            // The only answer that carries the secret: staff copy it to the shop's backend now.
            QJsonObject json = endpointJson(WebhookEndpoint{url, nowMs});
            json.insert(u"secret"_qs, secret);
            RouteReply answer;
            answer.json(200, json);
            return answer;
        });
    }
    if (parts[4] != u"deliveries" || parts.size() > 7)
        return reply.error(404, "not_found", u"no such resource"_qs);
    if (parts.size() == 5) {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        WebhookDeliveryQuery query;
        QString problem;
        if (request.query.hasQueryItem(u"status"_qs)) {
            query.status = webhooks::statusFromString(request.query.queryItemValue(u"status"_qs));
            if (!query.status) {
                return reply.error(400, "invalid_field",
                                   u"status must be pending, retrying, delivered, failed or skipped"_qs);
            }
        }
        if (!queryInteger(request.query, u"limit"_qs, 100, 1000, &query.limit, &problem))
            return reply.error(400, "invalid_field", problem);
        return onStoreThread(reply, responder, [query](QSqlDatabase &db) {
            std::vector<WebhookDeliveryRow> rows;
            QString error;
            if (!webhooks::listDeliveries(db, query, &rows, &error))
                return storeError(error);
            QJsonArray items;
            for (const WebhookDeliveryRow &row : rows)
                items.append(deliveryJson(row));
            RouteReply answer;
            answer.json(200, QJsonObject{{u"items"_qs, items}, {u"total"_qs, items.size()}});
            return answer;
        });
    }
    // …/deliveries/retry (every failed one) or …/deliveries/{id}/retry
    if (parts.back() != u"retry")
        return reply.error(404, "not_found", u"no such resource: POST …/deliveries/retry or …/deliveries/{id}/retry"_qs);
    if (method != HttpMethod::Post)
        return methodNotAllowed(reply, "POST");
    const QString id = parts.size() == 7 ? parts[5].toString() : QString();
    return onStoreThread(reply, responder, [id](QSqlDatabase &db) {
        int count = 0;
        QString error;
        if (!webhooks::retryNow(db, id, Engine::nowMs(), &count, &error))
            return storeError(error);
        RouteReply answer;
        if (!id.isEmpty() && count == 0)
            answer.error(404, "not_found", QStringLiteral("no webhook \"%1\"").arg(id.left(64)));
        else
            answer.json(200, QJsonObject{{u"retried"_qs, count}});
        return answer;
    });
}

} // namespace flashsale
