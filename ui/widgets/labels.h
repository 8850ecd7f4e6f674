// Translated names of engine enums and locale-aware formatting of money, counts and times.
#pragma once

#include "engine/core/admintypes.h"
#include "engine/core/types.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

namespace flashsale {

// Thread: any, but call from the GUI thread so the current translator and default locale apply.
class Labels
{
    Q_DECLARE_TR_FUNCTIONS(flashsale::Labels)
public:
    static QString state(EventState state);
    static QString reason(LossReason reason);
    // The engine reports a Status and an English detail; staff read the status in their language.
    static QString status(Status status);
    static QString adminFailure(const AdminResult &result);
    // An order action's failure: as adminFailure, worded for an order.
    static QString orderFailure(const AdminResult &result);
    static QString orderStatus(OrderStatus status);
    static QString orderSource(OrderSource source);

    // priceCents in the event's currency, e.g. "¥1,299.00" or "US$12.50".
    static QString money(std::int64_t cents, const QString &currency);
    // Parses a locale-formatted amount ("1,299.5" or "1299.50") into minor units.
    static std::optional<std::int64_t> parseMoney(const QString &text);
    static QString count(std::int64_t value);
    // Local date and time for epoch ms; "—" for 0.
    static QString time(std::int64_t epochMs);
    // Time left, h:mm:ss (with days beyond a day), rounded up to the second.
    static QString countdown(std::int64_t durationMs);
};

} // namespace flashsale
