#include "ui/widgets/labels.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace flashsale {

QString Labels::state(EventState state)
{
    switch (state) {
    case EventState::Draft: return tr("Draft");
    case EventState::Scheduled: return tr("Scheduled");
    case EventState::Open: return tr("Open");
    case EventState::Paused: return tr("Paused");
    case EventState::SoldOut: return tr("Sold out");
    case EventState::Ended: return tr("Ended");
    }
    return QString();
}

QString Labels::reason(LossReason reason)
{
    switch (reason) {
    case LossReason::None: return QString();
    case LossReason::SoldOut: return tr("Sold out");
    case LossReason::LimitReached: return tr("Limit reached");
    case LossReason::NotOpen: return tr("Not open");
    }
    return QString();
}

QString Labels::status(Status status)
{
    switch (status) {
    case Status::Ok: return tr("Done");
    case Status::NotFound: return tr("The event no longer exists.");
    case Status::Invalid: return tr("A value is not valid.");
    case Status::Exists: return tr("An event with this id already exists.");
    case Status::InvalidState: return tr("The event's state does not allow this.");
    case Status::NotOpen: return tr("The event is not open.");
    case Status::Overloaded: return tr("The engine is overloaded; try again in a moment.");
    case Status::Unavailable: return tr("The database is not answering; the change will be saved when it is back.");
    case Status::IdempotencyConflict: return tr("This request id was already used by another user.");
    }
    return QString();
}

QString Labels::adminFailure(const AdminResult &result)
{
    if (result.message.isEmpty())
        return status(result.status);
    //: %1 is the translated problem, %2 the engine's detail (English)
    return tr("%1\n(%2)").arg(status(result.status), result.message);
}

QString Labels::orderFailure(const AdminResult &result)
{
    QString problem;
    switch (result.status) {
    case Status::InvalidState: problem = tr("The order's status does not allow this."); break;
    case Status::NotFound: problem = tr("The order or its event no longer exists."); break;
    default: problem = status(result.status); break;
    }
    if (result.message.isEmpty())
        return problem;
    return tr("%1\n(%2)").arg(problem, result.message);
}

QString Labels::orderStatus(OrderStatus status)
{
    switch (status) {
    //: An order of an event without a payment window: the win is the sale
    case OrderStatus::Final: return tr("Final");
    case OrderStatus::PendingPayment: return tr("Awaiting payment");
    case OrderStatus::Paid: return tr("Paid");
    case OrderStatus::Cancelled: return tr("Cancelled");
    case OrderStatus::Expired: return tr("Expired");
    }
    return QString();
}

QString Labels::orderSource(OrderSource source)
{
    switch (source) {
    //: How an order came about: a shopper won it in the sale
    case OrderSource::Sale: return tr("Sale");
    //: How an order came about: freed units offered to a lead
    case OrderSource::Offer: return tr("Offer");
    }
    return QString();
}

QString Labels::money(std::int64_t cents, const QString &currency)
{
    const QLocale locale;
    const QString symbol = currency == locale.currencySymbol(QLocale::CurrencyIsoCode) ? locale.currencySymbol()
                                                                                       : currency + u' ';
    return locale.toCurrencyString(double(cents) / 100.0, symbol, 2);
}

std::optional<std::int64_t> Labels::parseMoney(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    bool ok = false;
    double value = QLocale().toDouble(trimmed, &ok);
    if (!ok)
        value = QLocale::c().toDouble(trimmed, &ok);
    if (!ok || !std::isfinite(value) || value < 0 || value > 1e13)
        return std::nullopt;
    const double cents = value * 100.0;
    if (std::abs(cents - std::round(cents)) > 1e-6)
        return std::nullopt; // more than two decimals
    return std::int64_t(std::llround(cents));
}

QString Labels::count(std::int64_t value)
{
    return QLocale().toString(qint64(value));
}

QString Labels::countdown(std::int64_t durationMs)
{
    const std::int64_t seconds = std::max<std::int64_t>(0, (durationMs + 999) / 1000);
    const QLocale locale;
    const auto two = [&](std::int64_t v) { return locale.toString(qint64(v)).rightJustified(2, u'0'); };
    const QString minutesSeconds = two(seconds / 60 % 60) + u':' + two(seconds % 60);
    if (seconds >= 24 * 3600) {
        //: a countdown longer than a day: %1 days, %2 hours:minutes:seconds
        return tr("%n day(s) %1", nullptr, int(seconds / 86400))
            .arg(locale.toString(qint64(seconds / 3600 % 24)) + u':' + minutesSeconds);
    }
    return locale.toString(qint64(seconds / 3600)) + u':' + minutesSeconds;
}

QString Labels::time(std::int64_t epochMs)
{
    if (epochMs <= 0)
        return QStringLiteral("—");
    // The short format, with seconds: sales are decided within seconds.
    const QLocale locale;
    QString timeFormat = locale.timeFormat(QLocale::ShortFormat);
    if (!timeFormat.contains(u's'))
        timeFormat.replace(u"mm"_qs, u"mm:ss"_qs);
    return locale.toString(QDateTime::fromMSecsSinceEpoch(epochMs),
                           locale.dateFormat(QLocale::ShortFormat) + u' ' + timeFormat);
}

} // namespace flashsale
