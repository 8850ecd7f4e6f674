// Test helper: a sale with a known outcome, run through the real HTTP API of a node, and the
// totals its post-sale report must then show exactly.
#pragma once

#include "tests/support/apiclient.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

// What one known sale must leave in the journal.
struct KnownSale {
    QString eventId;
    QString name;
    qint64 priceCents = 1999;
    int stock = 0;
    int shoppers = 0;   // distinct users, one unit each, one after the other
    int contactEvery = 2; // shoppers 0, k, 2k, ... leave a contact

    int won() const { return std::min(stock, shoppers); }
    int lost() const { return shoppers - won(); }
    bool soldOut() const { return shoppers >= stock; }
    bool hasContact(int shopper) const { return shopper % contactEvery == 0; }
    // Shoppers buy in turn, so the first `stock` win and the rest are leads.
    int leadsWithContact() const
    {
        int n = 0;
        for (int i = won(); i < shoppers; ++i)
            n += hasContact(i) ? 1 : 0;
        return n;
    }

    // Creates and opens the event, then buys in turn with ?wait (answered once committed).
    // Returns how many purchases got a final answer (won or lost); the test compares it.
    int run(ApiClient &client) const
    {
        const QJsonObject config{{u"id"_qs, eventId}, {u"name"_qs, name}, {u"priceCents"_qs, priceCents},
                                 {u"stock"_qs, stock}, {u"perUserLimit"_qs, 1}};
        if (client.admin("POST", u"/api/v1/admin/events"_qs, config).status != 201
            || client.admin("POST", u"/api/v1/admin/events/"_qs + eventId + u"/open"_qs).status != 200)
            return -1;
        int answered = 0;
        for (int i = 0; i < shoppers; ++i) {
            const QString user = u"shopper-"_qs + QString::number(i);
            const ApiReply reply = client.call("POST", u"/api/v1/events/"_qs + eventId + u"/purchases?wait=5000"_qs,
                                               purchaseBody(u"r-"_qs + user, user, 1,
                                                            hasContact(i) ? u"+86 138 0000 %1"_qs.arg(i, 4, 10, QLatin1Char('0')) : QString()));
            const QString state = QJsonDocument::fromJson(reply.body).object().value(u"state"_qs).toString();
            answered += reply.status == 200 && (state == u"won" || state == u"lost") ? 1 : 0;
        }
        return answered;
    }
};
