#include "engine/core/types.h"

#include <QHashFunctions>

#include <array>
#include <cerrno>
#include <cstring>

#include <sys/random.h>

namespace flashsale {

OrderCounts &OrderCounts::operator+=(const OrderCounts &other)
{
    pendingOrders += other.pendingOrders;
    pendingUnits += other.pendingUnits;
    paidUnits += other.paidUnits;
    cancelledUnits += other.cancelledUnits;
    expiredUnits += other.expiredUnits;
    offeredUnits += other.offeredUnits;
    return *this;
}

RequestCounts &RequestCounts::operator+=(const RequestCounts &other)
{
    accepted += other.accepted;
    won += other.won;
    lost += other.lost;
    wonUnits += other.wonUnits;
    return *this;
}

RequestCounts &RequestCounts::operator-=(const RequestCounts &other)
{
    accepted -= other.accepted;
    won -= other.won;
    lost -= other.lost;
    wonUnits -= other.wonUnits;
    return *this;
}

namespace {
struct EventStateName {
    EventState state;
    const char16_t *name;
};
constexpr std::array eventStateNames{
    EventStateName{EventState::Draft, u"draft"},     EventStateName{EventState::Scheduled, u"scheduled"},
    EventStateName{EventState::Open, u"open"},       EventStateName{EventState::Paused, u"paused"},
    EventStateName{EventState::SoldOut, u"sold_out"}, EventStateName{EventState::Ended, u"ended"},
};
} // namespace

QString toString(EventState state)
{
    for (const auto &entry : eventStateNames) {
        if (entry.state == state)
            return QString::fromUtf16(entry.name);
    }
    return QString();
}

std::optional<EventState> eventStateFromString(QStringView text)
{
    for (const auto &entry : eventStateNames) {
        if (text == QStringView(entry.name))
            return entry.state;
    }
    return std::nullopt;
}

namespace {
template<typename Enum, std::size_t N>
struct NameTable {
    std::array<std::pair<Enum, const char16_t *>, N> names;
    QString nameOf(Enum value) const
    {
        for (const auto &[v, name] : names) {
            if (v == value)
                return QString::fromUtf16(name);
        }
        return QString();
    }
    std::optional<Enum> valueOf(QStringView text) const
    {
        for (const auto &[v, name] : names) {
            if (text == QStringView(name))
                return v;
        }
        return std::nullopt;
    }
};
constexpr NameTable<OrderStatus, 5> orderStatusNames{{{
    {OrderStatus::Final, u"final"},
    {OrderStatus::PendingPayment, u"pending_payment"},
    {OrderStatus::Paid, u"paid"},
    {OrderStatus::Cancelled, u"cancelled"},
    {OrderStatus::Expired, u"expired"},
}}};
constexpr NameTable<OrderSource, 2> orderSourceNames{{{{OrderSource::Sale, u"sale"}, {OrderSource::Offer, u"offer"}}}};
constexpr NameTable<ReleasePolicy, 2> releasePolicyNames{
    {{{ReleasePolicy::Restock, u"restock"}, {ReleasePolicy::Offer, u"offer"}}}};
constexpr NameTable<ShopperIdentity, 2> shopperIdentityNames{
    {{{ShopperIdentity::Open, u"open"}, {ShopperIdentity::Signed, u"signed"}}}};
} // namespace

QString toString(OrderStatus status)
{
    return orderStatusNames.nameOf(status);
}

QString toString(OrderSource source)
{
    return orderSourceNames.nameOf(source);
}

QString toString(ReleasePolicy policy)
{
    return releasePolicyNames.nameOf(policy);
}

std::optional<OrderStatus> orderStatusFromString(QStringView text)
{
    return orderStatusNames.valueOf(text);
}

std::optional<OrderSource> orderSourceFromString(QStringView text)
{
    return orderSourceNames.valueOf(text);
}

std::optional<ReleasePolicy> releasePolicyFromString(QStringView text)
{
    return releasePolicyNames.valueOf(text);
}

QString toString(LossReason reason)
{
    switch (reason) {
    case LossReason::None: return QString();
    case LossReason::SoldOut: return QStringLiteral("sold_out");
    case LossReason::LimitReached: return QStringLiteral("limit_reached");
    case LossReason::NotOpen: return QStringLiteral("not_open");
    }
    return QString();
}

std::optional<LossReason> lossReasonFromString(QStringView text)
{
    for (auto reason : {LossReason::SoldOut, LossReason::LimitReached, LossReason::NotOpen}) {
        if (text == toString(reason))
            return reason;
    }
    return std::nullopt;
}

QString toString(ShopperIdentity identity)
{
    return shopperIdentityNames.nameOf(identity);
}

std::optional<ShopperIdentity> shopperIdentityFromString(QStringView text)
{
    return shopperIdentityNames.valueOf(text);
}

QString toString(TicketState state)
{
    switch (state) {
    case TicketState::Pending:
    case TicketState::Queued: return QStringLiteral("queued");
    case TicketState::Won: return QStringLiteral("won");
    case TicketState::Lost: return QStringLiteral("lost");
    }
    return QString();
}

QString userKeyOf(QStringView userId)
{
    return userId.toString().normalized(QString::NormalizationForm_KC).toCaseFolded().trimmed();
}

std::uint64_t hashUserId(QStringView userKey)
{
    const std::uint64_t hash = qHash(userKey, size_t(0x9e3779b97f4a7c15ull));
    return hash ? hash : 1;
}

bool isValidEventId(QStringView id)
{
    if (id.isEmpty() || id.size() > limits::maxEventIdLength)
        return false;
    for (QChar c : id) {
        const char16_t u = c.unicode();
        if (!((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-'))
            return false;
    }
    return true;
}

QString formatTicket(std::uint64_t seq, std::uint64_t tag)
{
    return QString::number(seq) + QLatin1Char('-') + QStringLiteral("%1").arg(tag, 8, 16, QLatin1Char('0'));
}

bool parseTicket(QStringView text, std::uint64_t *seq, std::uint64_t *tag)
{
    const qsizetype dash = text.indexOf(QLatin1Char('-'));
    const qsizetype tagDigits = text.size() - dash - 1;
    if (dash <= 0 || tagDigits < 8 || tagDigits > 16)
        return false;
    bool seqOk = false;
    bool tagOk = false;
    *seq = text.left(dash).toULongLong(&seqOk, 10);
    *tag = text.mid(dash + 1).toULongLong(&tagOk, 16);
    return seqOk && tagOk && *seq > 0;
}

std::uint64_t newTicketTag()
{
    // 32 tags = 256 bytes, the most getrandom(2) returns in one call without being interrupted.
    struct Batch {
        std::array<std::uint64_t, 32> tags{};
        std::size_t next = 32;
    };
    thread_local Batch batch;
    if (batch.next == batch.tags.size()) {
        auto *bytes = reinterpret_cast<char *>(batch.tags.data());
        std::size_t filled = 0;
        while (filled < sizeof(batch.tags)) {
            const ssize_t got = getrandom(bytes + filled, sizeof(batch.tags) - filled, 0);
            if (got < 0 && errno != EINTR)
                qFatal("getrandom failed: %s", strerror(errno));
            filled += std::size_t(std::max<ssize_t>(got, 0));
        }
        batch.next = 0;
    }
    return batch.tags[batch.next++];
}

} // namespace flashsale
