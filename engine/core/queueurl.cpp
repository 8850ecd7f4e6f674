#include "engine/core/queueurl.h"

#include <QUrl>

namespace flashsale {

QString checkQueueUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    // Never repeat the password (nor QUrl::errorString(), which quotes the whole input).
    const QString shown = text.isEmpty()    ? QStringLiteral("an empty URL")
                          : url.isValid() ? url.toDisplayString(QUrl::RemovePassword)
                                            : QStringLiteral("an invalid URL");
    // Not QString::arg(): "%2F" in the vhost hint would be taken for a placeholder.
    const auto problem = [&shown](QLatin1String detail) {
        return QLatin1String("expected amqp://USER:PASS@HOST:PORT/VHOST") + detail + QLatin1String(", got ") + shown;
    };
    if (!url.isValid() || url.scheme() != QLatin1String("amqp"))
        return problem(QLatin1String(""));
    if (url.host().isEmpty())
        return problem(QLatin1String(" with a host"));
    if (url.port() == 0)
        return problem(QLatin1String(" with a port from 1 to 65535"));
    const QString path = url.path(QUrl::FullyEncoded);
    if ((!path.isEmpty() && !path.startsWith(u'/')) || path.indexOf(u'/', 1) >= 0)
        return problem(QLatin1String(" with one vhost (a / in its name written %2F)"));
    if (url.hasQuery() || url.hasFragment())
        return problem(QLatin1String(" without ?query or #fragment"));
    return QString();
}

QString checkNodeId(const QString &id)
{
    constexpr qsizetype maxLength = 64;
    bool ok = !id.isEmpty() && id.size() <= maxLength;
    for (QChar c : id) {
        const char16_t u = c.unicode();
        ok = ok && ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '.' || u == '_' || u == '-');
    }
    return ok ? QString() : QStringLiteral("expected 1 to 64 characters from A-Z a-z 0-9 . _ -");
}

} // namespace flashsale
