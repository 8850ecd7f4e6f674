// Test helper: what the API told each purchase, checked for idempotency as the answers arrive,
// and the per-user limit and lead rows checked against those answers at the end.
#pragma once

#include "tests/support/apiclient.h"
#include "tests/support/sqlcheck.h"

#include <QDateTime>
#include <QDebug>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QStringList>

#include <functional>

// Thread: the test's thread (ApiClient calls back on it).
struct PurchaseLedger {
    // What a purchase asked for (a retry resends the same fields with the same requestId).
    struct Sent {
        QString userId;
        int quantity = 0;
        QString contact;
    };
    // One user's decided requests, as the client was told.
    struct UserOutcome {
        int wonUnits = 0;
        int lostRequests = 0;
        QSet<QString> lostReasons;
        QSet<int> lostQuantities;
        QSet<QString> contacts; // the non-empty contacts sent with lost requests
    };

    QHash<QString, Sent> sentByRequest;         // requestId -> first purchase sent with it
    QHash<QString, QString> ticketByRequest;    // requestId -> ticket
    QHash<QString, QJsonObject> resultByTicket; // decided answers (won/lost)
    QSet<QString> unavailable; // requestIds answered 503 (retry with the same requestId)
    QSet<QString> unanswered;  // requestIds that got no HTTP answer (connection refused or dropped)
    int answered = 0;
    // Not 200/202, a 202 that is not "queued", or a requestId given two tickets; a 503 or no
    // answer too unless allowUnavailable.
    int unexpected = 0;
    bool allowUnavailable = false;

    // The callback to pass to ApiClient::send for a purchase with these fields.
    std::function<void(const ApiReply &)> recorder(const QString &requestId, const QString &userId, int quantity,
                                                   const QString &contact = {})
    {
        if (!sentByRequest.contains(requestId))
            sentByRequest.insert(requestId, Sent{userId, quantity, contact});
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

    // Every user's decided requests (call once collectResults returned true).
    QHash<QString, UserOutcome> outcomesByUser() const
    {
        QHash<QString, UserOutcome> outcomes;
        for (auto it = ticketByRequest.cbegin(); it != ticketByRequest.cend(); ++it) {
            const Sent sent = sentByRequest.value(it.key());
            const QJsonObject result = resultByTicket.value(it.value());
            UserOutcome &o = outcomes[sent.userId];
            if (result.value(QStringLiteral("state")).toString() == QLatin1String("won")) {
                o.wonUnits += sent.quantity;
            } else {
                ++o.lostRequests;
                o.lostReasons.insert(result.value(QStringLiteral("reason")).toString());
                o.lostQuantities.insert(sent.quantity);
                if (!sent.contact.isEmpty())
                    o.contacts.insert(sent.contact);
            }
        }
        return outcomes;
    }

    // What contradicts the per-user limit in the answers: a user who won more than the limit, or
    // a request refused for the limit although the user's units won (at the end, so at least
    // as many as when it was decided) plus the quantity asked fit within it. The limit is
    // checked before the stock, so such a refusal is wrong whether stock remained or not.
    QStringList limitProblems(int perUserLimit) const
    {
        QStringList problems;
        const QHash<QString, UserOutcome> outcomes = outcomesByUser();
        for (auto it = ticketByRequest.cbegin(); it != ticketByRequest.cend(); ++it) {
            const Sent sent = sentByRequest.value(it.key());
            const int wonUnits = outcomes.value(sent.userId).wonUnits;
            const QJsonObject result = resultByTicket.value(it.value());
            if (result.value(QStringLiteral("reason")).toString() == QLatin1String("limit_reached")
                && wonUnits + sent.quantity <= perUserLimit) {
                problems << QStringLiteral("%1 was refused %2 unit(s) for the limit of %3 with only %4 won")
                                .arg(sent.userId).arg(sent.quantity).arg(perUserLimit).arg(wonUnits);
            }
        }
        for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it) {
            if (it->wonUnits > perUserLimit)
                problems << QStringLiteral("%1 won %2 units, over the limit of %3").arg(it.key()).arg(it->wonUnits).arg(perUserLimit);
        }
        return problems;
    }

    // What contradicts the answers in the journal read from the file: every requestId answered
    // has its row, with the ticket, state, order id and reason the client was told.
    QStringList journalProblems(const QHash<QString, JournalEntry> &journal) const
    {
        QStringList problems;
        for (auto it = ticketByRequest.cbegin(); it != ticketByRequest.cend(); ++it) {
            const JournalEntry entry = journal.value(it.key());
            const QJsonObject told = resultByTicket.value(it.value());
            if (entry.ticket != it.value() || entry.state != told.value(QStringLiteral("state")).toString()
                || entry.orderId != told.value(QStringLiteral("orderId")).toInteger()
                || entry.reason != told.value(QStringLiteral("reason")).toString()) {
                problems << QStringLiteral("%1: told %2 %3, journal has %4 %5 (order %6, reason %7)")
                                .arg(it.key(), it.value(), told.value(QStringLiteral("state")).toString(), entry.ticket,
                                     entry.state)
                                .arg(entry.orderId)
                                .arg(entry.reason);
            }
        }
        return problems;
    }

    // What contradicts the decided answers in what the node tells now (after a restart, say):
    // GET /tickets gives every ticket's state, order id and reason again.
    QStringList answerProblems(ApiClient &client) const
    {
        QStringList problems;
        for (auto it = resultByTicket.cbegin(); it != resultByTicket.cend(); ++it) {
            const ApiReply r = client.call("GET", QStringLiteral("/api/v1/tickets/") + it.key());
            for (const QString field : {QStringLiteral("state"), QStringLiteral("orderId"), QStringLiteral("reason")}) {
                if (r.status != 200 || r.json.value(field) != it->value(field)) {
                    problems << QStringLiteral("%1: %2 was %3, now %4 (HTTP %5)")
                                    .arg(it.key(), field, it->value(field).toVariant().toString(),
                                         r.json.value(field).toVariant().toString())
                                    .arg(r.status);
                }
            }
        }
        return problems;
    }

    // What contradicts the answers in the event's lead rows (admin API intents items): one row
    // per user who lost, none for the others, attempts = requests lost, a contact they sent,
    // a reason and a quantity of one of their lost requests, firstAt <= lastAt.
    QStringList leadProblems(const QJsonArray &leads) const
    {
        QStringList problems;
        const QHash<QString, UserOutcome> outcomes = outcomesByUser();
        QSet<QString> seen;
        for (const QJsonValue &value : leads) {
            const QJsonObject lead = value.toObject();
            const QString userId = lead.value(QStringLiteral("userId")).toString();
            if (seen.contains(userId))
                problems << QStringLiteral("%1 has two lead rows").arg(userId);
            seen.insert(userId);
            const UserOutcome o = outcomes.value(userId);
            const auto problem = [&](const QString &what) { problems << userId + QStringLiteral(": ") + what; };
            if (o.lostRequests == 0) {
                problem(QStringLiteral("a lead row, but no request lost"));
                continue;
            }
            if (lead.value(QStringLiteral("attempts")).toInt() != o.lostRequests)
                problem(QStringLiteral("%1 attempts, %2 lost").arg(lead.value(QStringLiteral("attempts")).toInt()).arg(o.lostRequests));
            const QString contact = lead.value(QStringLiteral("contact")).toString();
            if (o.contacts.isEmpty() ? !contact.isEmpty() : !o.contacts.contains(contact))
                problem(QStringLiteral("contact \"%1\" is not one the user sent").arg(contact));
            if (!o.lostReasons.contains(lead.value(QStringLiteral("lastReason")).toString()))
                problem(QStringLiteral("last reason %1 was never answered").arg(lead.value(QStringLiteral("lastReason")).toString()));
            if (!o.lostQuantities.contains(lead.value(QStringLiteral("quantity")).toInt()))
                problem(QStringLiteral("quantity %1 was never lost").arg(lead.value(QStringLiteral("quantity")).toInt()));
            const QDateTime first = QDateTime::fromString(lead.value(QStringLiteral("firstAt")).toString(), Qt::ISODateWithMs);
            const QDateTime last = QDateTime::fromString(lead.value(QStringLiteral("lastAt")).toString(), Qt::ISODateWithMs);
            if (!first.isValid() || !last.isValid() || first > last)
                problem(QStringLiteral("firstAt %1, lastAt %2").arg(first.toString(Qt::ISODateWithMs), last.toString(Qt::ISODateWithMs)));
        }
        for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it) {
            if (it->lostRequests > 0 && !seen.contains(it.key()))
                problems << QStringLiteral("%1 lost %2 request(s) but has no lead row").arg(it.key()).arg(it->lostRequests);
        }
        return problems;
    }
};

// Units of an event with a payment window, checked from its admin JSON and its whole order list
// (GET .../orders): won + offered − freed = sold = stock − remaining, remaining never negative,
// at most one unit-holding order per request and per offered lead (nothing sold twice), and no
// order both paid and past its deadline unpaid. Empty when all hold.
inline QStringList orderUnitProblems(const QJsonObject &event, const QJsonArray &orders)
{
    QStringList problems;
    qint64 won = 0, offered = 0, freed = 0, held = 0;
    QSet<QString> holdingRequests;
    for (const QJsonValue &value : orders) {
        const QJsonObject o = value.toObject();
        const qint64 units = o.value(QStringLiteral("quantity")).toInteger();
        const QString status = o.value(QStringLiteral("status")).toString();
        const bool offer = o.value(QStringLiteral("source")).toString() == QLatin1String("offer");
        (offer ? offered : won) += units;
        if (status == QLatin1String("cancelled") || status == QLatin1String("expired")) {
            freed += units;
        } else {
            held += units;
            const QString key = o.value(QStringLiteral("requestId")).toString();
            if (holdingRequests.contains(key))
                problems << QStringLiteral("request %1 holds units through two orders").arg(key);
            holdingRequests.insert(key);
        }
        if (status == QLatin1String("paid") && o.value(QStringLiteral("paidAt")).toString().isEmpty())
            problems << QStringLiteral("order %1 is paid without paidAt").arg(o.value(QStringLiteral("orderId")).toInteger());
        if (status == QLatin1String("expired") && !o.value(QStringLiteral("paidAt")).isNull())
            problems << QStringLiteral("order %1 is expired and was paid").arg(o.value(QStringLiteral("orderId")).toInteger());
    }
    const qint64 stock = event.value(QStringLiteral("stock")).toInteger();
    const qint64 remaining = event.value(QStringLiteral("remaining")).toInteger();
    if (won + offered - freed != held)
        problems << QStringLiteral("won %1 + offered %2 - freed %3 != sold %4").arg(won).arg(offered).arg(freed).arg(held);
    if (held != stock - remaining)
        problems << QStringLiteral("sold %1 != stock %2 - remaining %3").arg(held).arg(stock).arg(remaining);
    if (remaining < 0)
        problems << QStringLiteral("remaining %1 is negative").arg(remaining);
    return problems;
}

// Where the event's "orders" counts (admin event JSON) disagree with its orders as listed: each
// counter against the orders' units by status and source. Empty when they agree. Only for a node
// that decides the event (a cluster's other nodes do not count orders).
inline QStringList orderCountProblems(const QJsonObject &event, const QJsonArray &orders)
{
    QHash<QString, qint64> expected;
    for (const QJsonValue &value : orders) {
        const QJsonObject o = value.toObject();
        const qint64 units = o.value(QStringLiteral("quantity")).toInteger();
        const QString status = o.value(QStringLiteral("status")).toString();
        if (status == QLatin1String("pending_payment")) {
            expected[QStringLiteral("pendingOrders")] += 1;
            expected[QStringLiteral("pendingUnits")] += units;
        } else if (status == QLatin1String("paid")) {
            expected[QStringLiteral("paidUnits")] += units;
        } else if (status == QLatin1String("cancelled") || status == QLatin1String("expired")) {
            expected[status + QStringLiteral("Units")] += units;
            expected[QStringLiteral("freedUnits")] += units;
        }
        if (o.value(QStringLiteral("source")).toString() == QLatin1String("offer"))
            expected[QStringLiteral("offeredUnits")] += units;
    }
    QStringList problems;
    const QJsonObject counts = event.value(QStringLiteral("orders")).toObject();
    for (const char *name : {"pendingOrders", "pendingUnits", "paidUnits", "cancelledUnits", "expiredUnits",
                             "offeredUnits", "freedUnits"}) {
        const QString key = QLatin1String(name);
        if (!counts.contains(key))
            problems << QStringLiteral("the event's orders have no %1").arg(key);
        else if (counts.value(key).toInteger() != expected.value(key))
            problems << QStringLiteral("orders.%1 is %2, the orders add up to %3").arg(key).arg(counts.value(key).toInteger()).arg(expected.value(key));
    }
    return problems;
}
