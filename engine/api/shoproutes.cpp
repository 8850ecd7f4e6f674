// The shopper page and its assets, served from the resources.
#include "engine/api/httproutes.h"

#include "engine/core/types.h"

#include <QFile>

#include <algorithm>
#include <array>

namespace flashsale {

// GET /shop/{eventId} is the shopper page; /shop/assets/{file} its script and style sheet.
void HttpRoutes::shopPage(QStringView eventId, QStringView asset, RouteReply &reply)
{
    struct Asset {
        const char *name;
        const char *contentType;
    };
    static constexpr Asset kAssets[] = {{"shop.html", "text/html; charset=utf-8"},
                                        {"shop.css", "text/css; charset=utf-8"},
                                        {"shop.js", "text/javascript; charset=utf-8"}};
    // Read once from the resources; immutable afterwards, so every front thread may share them.
    static const std::array<QByteArray, 3> kBodies = [] {
        std::array<QByteArray, 3> bodies;
        for (std::size_t i = 0; i < bodies.size(); ++i) {
            QFile file(u":/flashsale/shop/"_qs + QLatin1String(kAssets[i].name));
            if (file.open(QIODevice::ReadOnly))
                bodies[i] = file.readAll();
        }
        return bodies;
    }();
    std::size_t index = 0;
    if (eventId.isEmpty()) {
        index = std::find_if(std::begin(kAssets), std::end(kAssets),
                             [&](const Asset &a) { return asset == QLatin1String(a.name); }) - std::begin(kAssets);
        if (index == 0 || index >= std::size(kAssets))
            return reply.error(404, "not_found", QStringLiteral("no shop asset \"%1\"").arg(asset));
    } else if (!isValidEventId(eventId)) {
        return reply.error(404, "not_found", QStringLiteral("no event \"%1\"").arg(eventId));
    }
    reply.status = 200;
    reply.contentType = kAssets[index].contentType;
    reply.body = kBodies[index];
}

} // namespace flashsale
