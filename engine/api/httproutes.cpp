#include "engine/api/httproutes.h"

#include "engine/api/adminauth.h"

namespace flashsale {

HttpRoutes::HttpRoutes(Context context)
    : m_context(std::move(context))
    , m_engine(m_context.engine)
{
    m_storeJobs.setMaxThreadCount(1);
}

HttpRoutes::~HttpRoutes()
{
    m_storeJobs.waitForDone();
}

bool HttpRoutes::isStaffPath(QStringView path)
{
    return path == u"/healthz" || path == u"/metrics" || path.startsWith(u"/api/v1/admin/") || path == u"/api/v1/admin";
}

void HttpRoutes::methodNotAllowed(RouteReply &reply, const char *allow)
{
    reply.error(405, "method_not_allowed", QStringLiteral("use %1 here").arg(QLatin1String(allow)));
    reply.addHeader("Allow", allow);
}

bool HttpRoutes::authorized(const RouteRequest &request, RouteReply &reply) const
{
    if (isAdminAuthorization(request.header("authorization"), m_context.adminToken))
        return true;
    reply.addHeader("WWW-Authenticate", "Bearer");
    reply.error(401, "unauthorized", u"send the admin token as Authorization: Bearer TOKEN"_qs);
    return false;
}

void HttpRoutes::handle(const RouteRequest &request, RouteReply &reply, Responder &responder)
{
    const QList<QStringView> parts = QStringView(request.path).split(u'/', Qt::SkipEmptyParts);
    const HttpMethod method = request.method;

    if (parts.size() == 1 && parts[0] == u"healthz") {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return healthz(reply);
    }
    if (parts.size() == 1 && parts[0] == u"metrics") {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        if (!m_context.publicMetrics && !authorized(request, reply))
            return; // it lists every event id, drafts too
        return metrics(reply);
    }
    if (parts.size() >= 2 && parts[0] == u"shop" && (parts.size() == 2 || (parts.size() == 3 && parts[1] == u"assets"))) {
        if (method != HttpMethod::Get)
            return methodNotAllowed(reply, "GET");
        return parts.size() == 2 ? shopPage(parts[1], {}, reply) : shopPage({}, parts[2], reply);
    }
    if (parts.size() < 3 || parts[0] != u"api" || parts[1] != u"v1")
        return reply.error(404, "not_found", u"no such resource"_qs);
    if (parts[2] == u"admin")
        return admin(request, parts, reply, responder);
    shopper(request, parts, reply, responder);
}

} // namespace flashsale
