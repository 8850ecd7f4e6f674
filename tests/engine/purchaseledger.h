// Test helper: what the API told each purchase, checked for idempotency as the answers arrive.
#pragma once

#include "apiclient.h"

#include <QDebug>
#include <QHash>
#include <QJsonObject>
#include <QSet>

#include <functional>

// Thread: the test's thread (ApiClient calls back on it).
struct PurchaseLedger {
    QHash<QString, QString> ticketByRequest;    // requestId -> ticket
    QHash<QString, QJsonObject> resultByTicket; // decided answers (won/lost)
    QSet<QString> unavailable; // requestIds answered 503 (retry with the same requestId)
    QSet<QString> unanswered;  // requestIds that got no HTTP answer (connection refused or dropped)
    int answered = 0;
    // Not 200/202, a 202 that is not "queued", or a requestId given two tickets; a 503 or no
    // answer too unless allowUnavailable.
    int unexpected = 0;
    bool allowUnavailable = false;

    // The callback to pass to ApiClient::send for a purchase with this requestId.
    std::function<void(const ApiReply &)> recorder(const QString &requestId)
    {
        return [this, requestId](const ApiReply &r) {
            ++answered;
            if (allowUnavailable && (r.status == 503 || r.status == 0)) {
                (r.status == 503 ? unavailable : unanswered).insert(requestId);
                return;
            }
            if (r.status != 200 && r.status != 202) {
                ++unexpected;
                qWarning() << "unexpected" << r.status << r.body;
                return;
            }
            const QString ticket = r.json.value(QStringLiteral("ticket")).toString();
            const QString previous = ticketByRequest.value(requestId);
            if (!previous.isEmpty() && previous != ticket) {
                ++unexpected;
                qWarning() << "idempotency broken for" << requestId;
            }
            ticketByRequest.insert(requestId, ticket);
            const QString state = r.json.value(QStringLiteral("state")).toString();
            if (r.status == 202 && state != QLatin1String("queued"))
                ++unexpected;
            if (state == QLatin1String("won") || state == QLatin1String("lost"))
                resultByTicket.insert(ticket, r.json);
        };
    }

    // Polls, with ?wait, every ticket whose result the client has not seen yet; true once all
    // are known within timeoutMs.
    bool collectResults(ApiClient &client, int timeoutMs)
    {
        for (auto it = ticketByRequest.cbegin(); it != ticketByRequest.cend(); ++it) {
            if (resultByTicket.contains(it.value()))
                continue;
            const QString ticket = it.value();
            client.send("GET", QStringLiteral("/api/v1/tickets/%1?wait=10000").arg(ticket), {}, false,
                        [this, ticket](const ApiReply &r) {
                            if (r.status == 200 && r.json.value(QStringLiteral("state")).toString() != QLatin1String("queued"))
                                resultByTicket.insert(ticket, r.json);
                        });
        }
        return ApiClient::waitUntil([this] { return resultByTicket.size() == ticketByRequest.size(); }, timeoutMs);
    }
};
