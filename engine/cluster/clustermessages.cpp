#include "engine/cluster/clustermessages.h"

#include <QDataStream>
#include <QIODevice>

namespace flashsale::wire {

namespace {
// Bumped whenever a layout below changes; a node refuses messages of another version.
// 2: 64-bit ticket tags; a decided ticket carries its user id.
// 4: events carry their payment window and release policy; order commands, their outcome's
// order, and the offers a commit made.
constexpr quint8 kFormatVersion = 4;

template<typename Enum>
void putEnum(QDataStream &out, Enum value)
{
    out << quint8(value);
}

template<typename Enum>
Enum takeEnum(QDataStream &in)
{
    quint8 value = 0;
    in >> value;
    return Enum(value);
}

QDataStream &operator<<(QDataStream &out, const EventSnapshot &e)
{
    out << e.config.id << e.config.name << qint64(e.config.priceCents) << e.config.currency << qint64(e.config.stock)
        << qint32(e.config.perUserLimit) << qint64(e.config.startsAtMs) << qint64(e.config.endsAtMs);
    putEnum(out, e.state);
    out << qint64(e.stockTotal) << qint64(e.remaining) << qint64(e.requests.accepted) << qint64(e.requests.decided())
        << qint64(e.requests.won) << qint64(e.requests.lost) << qint64(e.createdAtMs) << qint64(e.updatedAtMs)
        << e.config.rehearsal;
    putEnum(out, e.config.shopperIdentity);
    out << qint32(e.config.fairStartMs) << qint32(e.config.paymentWindowSeconds);
    putEnum(out, e.config.releasePolicy);
    out << qint64(e.orders.pendingOrders) << qint64(e.orders.pendingUnits) << qint64(e.orders.paidUnits)
        << qint64(e.orders.cancelledUnits) << qint64(e.orders.expiredUnits) << qint64(e.orders.offeredUnits);
    return out;
}

QDataStream &operator>>(QDataStream &in, EventSnapshot &e)
{
    qint64 price, stock, startsAt, endsAt, stockTotal, remaining, accepted, decided, won, lost, created, updated;
    qint32 limit;
    in >> e.config.id >> e.config.name >> price >> e.config.currency >> stock >> limit >> startsAt >> endsAt;
    e.state = takeEnum<EventState>(in);
    in >> stockTotal >> remaining >> accepted >> decided >> won >> lost >> created >> updated >> e.config.rehearsal;
    e.config.shopperIdentity = takeEnum<ShopperIdentity>(in);
    qint32 fairStartMs = 0, paymentWindowSeconds = 0;
    in >> fairStartMs >> paymentWindowSeconds;
    e.config.fairStartMs = fairStartMs;
    e.config.paymentWindowSeconds = paymentWindowSeconds;
    e.config.releasePolicy = takeEnum<ReleasePolicy>(in);
    qint64 pendingOrders, pendingUnits, paidUnits, cancelledUnits, expiredUnits, offeredUnits;
    in >> pendingOrders >> pendingUnits >> paidUnits >> cancelledUnits >> expiredUnits >> offeredUnits;
    e.orders = OrderCounts{pendingOrders, pendingUnits, paidUnits, cancelledUnits, expiredUnits, offeredUnits};
    e.config.priceCents = price;
    e.config.stock = stock;
    e.config.perUserLimit = limit;
    e.config.startsAtMs = startsAt;
    e.config.endsAtMs = endsAt;
    e.stockTotal = stockTotal;
    e.remaining = remaining;
    e.requests.accepted = accepted;
    e.requests.won = won;
    e.requests.lost = lost; // decided is won + lost: sent for the format's sake, not read
    e.requests.wonUnits = stockTotal - remaining;
    e.createdAtMs = created;
    e.updatedAtMs = updated;
    return in;
}

QDataStream &operator<<(QDataStream &out, const OrderView &o)
{
    out << qint64(o.orderId) << o.eventId << o.userId << qint32(o.quantity) << qint64(o.priceCents) << o.requestId
        << quint64(o.ticketSeq) << o.contact << o.simulated << qint64(o.decidedAtMs);
    putEnum(out, o.status);
    putEnum(out, o.source);
    out << qint64(o.expiresAtMs) << qint64(o.paidAtMs);
    return out;
}

QDataStream &operator>>(QDataStream &in, OrderView &o)
{
    qint64 orderId, price, decidedAt, expiresAt, paidAt;
    qint32 quantity;
    quint64 ticketSeq;
    in >> orderId >> o.eventId >> o.userId >> quantity >> price >> o.requestId >> ticketSeq >> o.contact >> o.simulated
        >> decidedAt;
    o.status = takeEnum<OrderStatus>(in);
    o.source = takeEnum<OrderSource>(in);
    in >> expiresAt >> paidAt;
    o.orderId = orderId;
    o.quantity = quantity;
    o.priceCents = price;
    o.ticketSeq = ticketSeq;
    o.decidedAtMs = decidedAt;
    o.expiresAtMs = expiresAt;
    o.paidAtMs = paidAt;
    return in;
}

template<typename Fn>
QByteArray write(Fn &&fn)
{
    QByteArray body;
    QDataStream out(&body, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << kFormatVersion;
    fn(out);
    return body;
}

template<typename Fn>
bool read(const QByteArray &body, Fn &&fn)
{
    QDataStream in(body);
    in.setVersion(QDataStream::Qt_6_4);
    quint8 version = 0;
    in >> version;
    if (version != kFormatVersion)
        return false;
    fn(in);
    return in.status() == QDataStream::Ok;
}

// Integers and enums travel as qint64 whatever their C++ type.
template<typename T>
void putOptional(QDataStream &out, const std::optional<T> &value)
{
    out << value.has_value();
    if (!value)
        return;
    if constexpr (std::is_integral_v<T> || std::is_enum_v<T>)
        out << qint64(*value);
    else
        out << *value;
}

template<typename T>
void takeOptional(QDataStream &in, std::optional<T> &value)
{
    bool present = false;
    in >> present;
    if (!present)
        return;
    if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
        qint64 v = 0;
        in >> v;
        value = T(v);
    } else {
        T v{};
        in >> v;
        value = std::move(v);
    }
}
} // namespace

QByteArray eventQueueName(const QByteArray &clusterId, const QString &eventId)
{
    return "flashsale." + clusterId + ".event." + eventId.toUtf8();
}

QByteArray exchangeName(const QByteArray &clusterId)
{
    return "flashsale." + clusterId;
}

QByteArray encodePurchases(const PurchaseRequest *first, std::size_t count)
{
    return write([&](QDataStream &out) {
        out << quint32(count);
        for (std::size_t i = 0; i < count; ++i) {
            const PurchaseRequest &r = first[i];
            out << quint64(r.seq) << quint64(r.ticketTag) << qint32(r.quantity) << qint64(r.acceptedAtMs) << r.eventId
                << r.requestId << r.userId << r.contact << r.simulated;
        }
    });
}

bool decodePurchases(const QByteArray &body, std::vector<PurchaseRequest> *requests)
{
    return read(body, [&](QDataStream &in) {
        quint32 count = 0;
        in >> count;
        for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
            PurchaseRequest r;
            quint64 seq;
            quint64 tag;
            qint32 quantity;
            qint64 acceptedAt;
            in >> seq >> tag >> quantity >> acceptedAt >> r.eventId >> r.requestId >> r.userId >> r.contact >> r.simulated;
            r.seq = seq;
            r.ticketTag = tag;
            r.quantity = quantity;
            r.acceptedAtMs = acceptedAt;
            r.userKey = userKeyOf(r.userId);
            r.userHash = hashUserId(r.userKey);
            requests->push_back(std::move(r));
        }
    });
}

QByteArray encodeCommand(const EventCommand &c)
{
    return write([&](QDataStream &out) {
        putEnum(out, c.kind);
        out << quint64(c.correlationId) << c.originNode << c.eventId;
        putOptional(out, c.patch.name);
        putOptional(out, c.patch.priceCents);
        putOptional(out, c.patch.currency);
        putOptional(out, c.patch.stock);
        putOptional(out, c.patch.perUserLimit);
        putOptional(out, c.patch.startsAtMs);
        putOptional(out, c.patch.endsAtMs);
        putOptional(out, c.patch.shopperIdentity);
        putOptional(out, c.patch.fairStartMs);
        putEnum(out, c.action);
        out << qint64(c.units) << qint64(c.orderId);
        putEnum(out, c.orderAction);
    });
}

bool decodeCommand(const QByteArray &body, EventCommand *c)
{
    return read(body, [&](QDataStream &in) {
        c->kind = takeEnum<EventCommand::Kind>(in);
        quint64 correlation;
        in >> correlation >> c->originNode >> c->eventId;
        c->correlationId = correlation;
        takeOptional(in, c->patch.name);
        takeOptional(in, c->patch.priceCents);
        takeOptional(in, c->patch.currency);
        takeOptional(in, c->patch.stock);
        takeOptional(in, c->patch.perUserLimit);
        takeOptional(in, c->patch.startsAtMs);
        takeOptional(in, c->patch.endsAtMs);
        takeOptional(in, c->patch.shopperIdentity);
        takeOptional(in, c->patch.fairStartMs);
        c->action = takeEnum<EventAction>(in);
        qint64 units, orderId;
        in >> units >> orderId;
        c->units = units;
        c->orderId = orderId;
        c->orderAction = takeEnum<OrderAction>(in);
    });
}

QByteArray encodeDecisions(const Decisions &d)
{
    return write([&](QDataStream &out) {
        out << d.deciderNode << qint64(d.epoch) << d.event << quint32(d.tickets.size());
        for (const DecidedTicket &t : d.tickets) {
            out << quint64(t.seq) << quint64(t.tag) << t.requestId << t.userId;
            putEnum(out, t.state);
            putEnum(out, t.reason);
            out << qint64(t.orderId) << qint64(t.acceptedAtMs);
        }
        out << quint32(d.commands.size());
        for (const CommandOutcome &c : d.commands) {
            out << quint64(c.correlationId) << c.originNode;
            putEnum(out, c.status);
            out << c.message << c.order;
        }
        out << quint32(d.offers.size());
        for (const Offer &o : d.offers)
            out << quint64(o.seq) << qint64(o.orderId) << qint64(o.expiresAtMs);
    });
}

bool decodeDecisions(const QByteArray &body, Decisions *d)
{
    return read(body, [&](QDataStream &in) {
        qint64 epoch;
        quint32 count = 0;
        in >> d->deciderNode >> epoch >> d->event >> count;
        d->epoch = epoch;
        for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
            DecidedTicket t;
            quint64 seq, tag;
            qint64 orderId, acceptedAt;
            in >> seq >> tag >> t.requestId >> t.userId;
            t.state = takeEnum<TicketState>(in);
            t.reason = takeEnum<LossReason>(in);
            in >> orderId >> acceptedAt;
            t.seq = seq;
            t.tag = tag;
            t.orderId = orderId;
            t.acceptedAtMs = acceptedAt;
            d->tickets.push_back(std::move(t));
        }
        in >> count;
        for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
            CommandOutcome c;
            quint64 correlation;
            in >> correlation >> c.originNode;
            c.correlationId = correlation;
            c.status = takeEnum<Status>(in);
            in >> c.message >> c.order;
            d->commands.push_back(std::move(c));
        }
        in >> count;
        for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
            quint64 seq;
            qint64 orderId, expiresAt;
            in >> seq >> orderId >> expiresAt;
            d->offers.push_back(Offer{seq, orderId, expiresAt});
        }
    });
}

QByteArray encodeEvent(const EventSnapshot &event)
{
    return write([&](QDataStream &out) { out << event; });
}

bool decodeEvent(const QByteArray &body, EventSnapshot *event)
{
    return read(body, [&](QDataStream &in) { in >> *event; });
}

} // namespace flashsale::wire
