// Staff routes: events (create, edit, open, pause, end, restock), stats; records, reports and
// backups are handed on to recordroutes.cpp and operationroutes.cpp.
#include "engine/api/httproutes.h"

#include "engine/api/queryparams.h"
#include "engine/api/apijson.h"
#include "engine/storage/records.h"

#include <QJsonArray>

namespace flashsale {

using namespace queryparams;

namespace {

QJsonObject adminEventJson(const EventSnapshot &e)
{
    QJsonObject json = fullEventJson(e);
    json.insert(u"initialStock"_qs, qint64(e.config.stock));
    insertCounts(json, e.requests);
    json.insert(u"createdAt"_qs, isoOrNull(e.createdAtMs));
    json.insert(u"updatedAt"_qs, isoOrNull(e.updatedAtMs));
    json.insert(u"rehearsal"_qs, e.config.rehearsal);
    json.insert(u"paymentWindowSeconds"_qs, e.config.paymentWindowSeconds);
    json.insert(u"releasePolicy"_qs, toString(e.config.releasePolicy));
    json.insert(u"orders"_qs, orderCountsJson(e.orders));
    return json;
}


constexpr char kReleasePolicies[] = "\"restock\" or \"offer\"";
constexpr char kShopperIdentities[] = "\"open\" or \"signed\"";

std::optional<EventConfig> eventConfigFrom(const QJsonObject &body, QString *problem)
{
    FieldReader fields(body);
    EventConfig config;
    config.id = fields.string(u"id"_qs, true, limits::maxEventIdLength).value_or(QString());
    config.name = fields.string(u"name"_qs, true, limits::maxNameLength).value_or(QString());
    config.priceCents = fields.integer(u"priceCents"_qs, true, 0, limits::maxPriceCents).value_or(0);
    config.currency = fields.string(u"currency"_qs, false, 3, 3).value_or(config.currency);
    config.stock = fields.integer(u"stock"_qs, true, 0, limits::maxStock).value_or(0);
    config.perUserLimit = std::int32_t(fields.integer(u"perUserLimit"_qs, false, 1, limits::maxPerUserLimit).value_or(1));
    config.startsAtMs = fields.time(u"startsAt"_qs).value_or(0);
    config.endsAtMs = fields.time(u"endsAt"_qs).value_or(0);
    config.paymentWindowSeconds =
        std::int32_t(fields.integer(u"paymentWindowSeconds"_qs, false, 0, limits::maxPaymentWindowSeconds).value_or(0));
    config.releasePolicy = fields.choice(u"releasePolicy"_qs, &releasePolicyFromString, kReleasePolicies)
                               .value_or(ReleasePolicy::Restock);
    config.shopperIdentity = fields.choice(u"shopperIdentity"_qs, &shopperIdentityFromString, kShopperIdentities)
                                 .value_or(ShopperIdentity::Open);
    config.fairStartMs = std::int32_t(fields.integer(u"fairStartMs"_qs, false, 0, limits::maxFairStartMs).value_or(0));
    if (!fields.ok()) {
        *problem = fields.problem();
        return std::nullopt;
    }
    return config;
}

std::optional<EventPatch> eventPatchFrom(const QJsonObject &body, QString *problem)
{
    FieldReader fields(body);
    EventPatch patch;
    patch.name = fields.string(u"name"_qs, false, limits::maxNameLength);
    patch.priceCents = fields.integer(u"priceCents"_qs, false, 0, limits::maxPriceCents);
    patch.currency = fields.string(u"currency"_qs, false, 3, 3);
    patch.stock = fields.integer(u"stock"_qs, false, 0, limits::maxStock);
    if (auto limit = fields.integer(u"perUserLimit"_qs, false, 1, limits::maxPerUserLimit))
        patch.perUserLimit = std::int32_t(*limit);
    patch.startsAtMs = fields.time(u"startsAt"_qs);
    patch.endsAtMs = fields.time(u"endsAt"_qs);
    if (auto window = fields.integer(u"paymentWindowSeconds"_qs, false, 0, limits::maxPaymentWindowSeconds))
        patch.paymentWindowSeconds = std::int32_t(*window);
    patch.releasePolicy = fields.choice(u"releasePolicy"_qs, &releasePolicyFromString, kReleasePolicies);
    patch.shopperIdentity = fields.choice(u"shopperIdentity"_qs, &shopperIdentityFromString, kShopperIdentities);
    if (auto fairStartMs = fields.integer(u"fairStartMs"_qs, false, 0, limits::maxFairStartMs))
        patch.fairStartMs = std::int32_t(*fairStartMs);
    if (body.contains(u"id"_qs))
        *problem = u"id cannot be changed"_qs;
    else if (!fields.ok())
        *problem = fields.problem();
    if (!problem->isEmpty())
        return std::nullopt;
    return patch;
}

} // namespace

void HttpRoutes::admin(const RouteRequest &request, const Parts &parts, RouteReply &reply, Responder &responder)
{
    if (!authorized(request, reply))
        return;
    const HttpMethod method = request.method;
    const auto answer = [&](const AdminResult &result, int okStatus) {
        if (result.status == Status::Ok)
            reply.json(okStatus, adminEventJson(result.event));
        else
            reply.error(result.status, result.message);
    };
    QString problem;

    if (parts.size() == 4 && parts[3] == u"stats") {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return reply.json(200, statsJson(m_engine.stats()));
    }
    if (parts.size() == 4 && parts[3] == u"ws-tickets") {
        if (method != HttpMethod::Post)
            return methodNotAllowed(reply, "POST");
        return issueWsTicket(reply);
    }
    if (parts.size() == 4 && parts[3] == u"backup") {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return backup(reply, responder);
    }
    if (parts.size() == 4 && (parts[3] == u"orders" || parts[3] == u"intents")) {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return adminRecords(request, {}, parts[3], reply, responder); // every event's (a remote console's "All events")
    }
    if (parts.size() == 4 && parts[3] == u"leads") {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return leadCounts(request, reply);
    }
    if (parts.size() >= 4 && parts[3] == u"webhook")
        return webhook(request, parts, reply, responder);
    if (parts.size() < 4 || parts[3] != u"events")
        return reply.error(404, "not_found", u"no such resource"_qs);

    if (parts.size() == 4) {
        if (method == HttpMethod::Get) {
            QJsonArray items;
            const bool withRehearsals = queryBool(request.query, u"includeRehearsals"_qs, false);
            for (const EventSnapshot &e : m_engine.events()) {
                if (withRehearsals || !e.config.rehearsal)
                    items.append(adminEventJson(e));
            }
            return reply.json(200, QJsonObject{{u"items"_qs, items}, {u"total"_qs, items.size()}});
        }
        if (method != HttpMethod::Post)
            return methodNotAllowed(reply, "GET, POST");
        const auto body = jsonBody(request, &problem);
        if (!body)
            return reply.error(400, "bad_json", problem);
        const auto config = eventConfigFrom(*body, &problem);
        if (!config)
            return reply.error(400, "invalid_field", problem);
        // "launch": true schedules or opens the new event in the same commit (the console's
        // "Open by itself at"); absent or false: a draft.
        const QJsonValue launch = body->value(u"launch"_qs);
        if (!launch.isUndefined() && !launch.isBool())
            return reply.error(400, "invalid_field", u"launch must be true or false"_qs);
        return answer(m_engine.createEvent(*config, launch.toBool() ? CreateAs::Launched : CreateAs::Draft), 201);
    }

    const QStringView eventId = parts[4];
    if (parts.size() == 5) {
        if (method == HttpMethod::Get) {
            const auto event = m_engine.event(eventId);
            if (!event)
                return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
            return reply.json(200, adminEventJson(*event));
        }
        if (method != HttpMethod::Patch)
            return methodNotAllowed(reply, "GET, PATCH");
        const auto body = jsonBody(request, &problem);
        if (!body)
            return reply.error(400, "bad_json", problem);
        const auto patch = eventPatchFrom(*body, &problem);
        if (!patch)
            return reply.error(400, "invalid_field", problem);
        return answer(m_engine.updateEvent(eventId, *patch), 200);
    }
    if (parts.size() == 8 && parts[5] == u"orders")
        return orderAction(request, eventId, parts[6], parts[7], reply);
    if (parts.size() != 6)
        return reply.error(404, "not_found", u"no such resource"_qs);

    const QStringView verb = parts[5];
    if (verb == u"open" || verb == u"pause" || verb == u"end") {
        if (method != HttpMethod::Post)
            return methodNotAllowed(reply, "POST");
        const EventAction action = verb == u"open" ? EventAction::Open : verb == u"pause" ? EventAction::Pause : EventAction::End;
        return answer(m_engine.actOnEvent(eventId, action), 200);
    }
    if (verb == u"rehearsals") {
        // A rehearsal copy for a simulator elsewhere (a remote console's Simulate a sale).
        if (method != HttpMethod::Post)
            return methodNotAllowed(reply, "POST");
        return answer(m_engine.createRehearsal(eventId), 201);
    }
    if (verb == u"restock") {
        if (method != HttpMethod::Post)
            return methodNotAllowed(reply, "POST");
        const auto body = jsonBody(request, &problem);
        if (!body)
            return reply.error(400, "bad_json", problem);
        FieldReader fields(*body);
        const auto units = fields.integer(u"units"_qs, true, 1, limits::maxStock);
        if (!units)
            return reply.error(400, "invalid_field", fields.problem());
        return answer(m_engine.restockEvent(eventId, *units), 200);
    }
    if (verb == u"orders" || verb == u"intents" || verb == u"orders.csv" || verb == u"intents.csv" || verb == u"orders.xlsx"
        || verb == u"intents.xlsx") {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return adminRecords(request, eventId, verb, reply, responder);
    }
    if (verb == u"report") {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return report(eventId, reply, responder);
    }
    reply.error(404, "not_found", u"no such resource"_qs);
}

void HttpRoutes::orderAction(const RouteRequest &request, QStringView eventId, QStringView orderIdText, QStringView verb,
                             RouteReply &reply)
{
    if (verb != u"paid" && verb != u"cancel")
        return reply.error(404, "not_found", u"no such resource (an order takes POST .../paid or .../cancel)"_qs);
    if (request.method != HttpMethod::Post)
        return methodNotAllowed(reply, "POST");
    bool isNumber = false;
    const std::int64_t orderId = orderIdText.toLongLong(&isNumber);
    if (!isNumber || orderId < 1)
        return reply.error(400, "invalid_field", QStringLiteral("orderId must be a positive integer, got \"%1\"").arg(orderIdText.left(32)));
    const AdminResult result = m_engine.actOnOrder(eventId, orderId, verb == u"paid" ? OrderAction::Pay : OrderAction::Cancel);
    if (result.status != Status::Ok)
        return reply.error(result.status, result.message);
    reply.json(200, orderJson(records::orderRowOf(result.order)));
}

} // namespace flashsale
