#include "engine/core/eventbook.h"

#include <QDebug>
#include <QRegularExpression>

#include <algorithm>

namespace flashsale {

namespace {

AdminResult failure(Status status, QString message)
{
    AdminResult result;
    result.status = status;
    result.message = std::move(message);
    return result;
}
} // namespace

EventBook::EventBook(RowSink sink)
    : m_sink(std::move(sink))
{
}

QString EventBook::validate(const EventConfig &config)
{
    if (!isValidEventId(config.id))
        return QStringLiteral("id must be 1-64 characters of a-z, 0-9 and '-'");
    if (config.name.trimmed().isEmpty() || config.name.size() > limits::maxNameLength)
        return QStringLiteral("name must be 1-%1 characters").arg(limits::maxNameLength);
    if (config.priceCents < 0 || config.priceCents > limits::maxPriceCents)
        return QStringLiteral("priceCents must be between 0 and %1").arg(limits::maxPriceCents);
    static const QRegularExpression currencyPattern(QStringLiteral("^[A-Z]{3}$"));
    if (!currencyPattern.match(config.currency).hasMatch())
        return QStringLiteral("currency must be an ISO 4217 code such as CNY");
    if (config.stock < 0 || config.stock > limits::maxStock)
        return QStringLiteral("stock must be between 0 and %1").arg(limits::maxStock);
    if (config.perUserLimit < 1 || config.perUserLimit > limits::maxPerUserLimit)
        return QStringLiteral("perUserLimit must be between 1 and %1").arg(limits::maxPerUserLimit);
    if (config.paymentWindowSeconds < 0 || config.paymentWindowSeconds > limits::maxPaymentWindowSeconds)
        return QStringLiteral("paymentWindowSeconds must be between 0 and %1").arg(limits::maxPaymentWindowSeconds);
    if (config.releasePolicy != ReleasePolicy::Restock && config.releasePolicy != ReleasePolicy::Offer)
        return QStringLiteral("releasePolicy must be \"restock\" or \"offer\"");
    if (config.fairStartMs < 0 || config.fairStartMs > limits::maxFairStartMs)
        return QStringLiteral("fairStartMs must be between 0 and %1").arg(limits::maxFairStartMs);
    if (config.startsAtMs < 0 || config.endsAtMs < 0)
        return QStringLiteral("startsAt and endsAt must be valid times");
    if (config.endsAtMs > 0 && config.startsAtMs > 0 && config.endsAtMs <= config.startsAtMs)
        return QStringLiteral("endsAt must be after startsAt");
    return QString();
}

namespace {
// Replaces the runtime's orders, awaiting-payment queue and leads with the restored ones.
void installOrders(EventRuntime &rt, RestoredOrders orders)
{
    rt.orderCounts = orders.counts;
    rt.orders.clear();
    rt.awaitingPayment.clear();
    std::vector<std::pair<std::int64_t, std::int64_t>> pending; // deadline, order id
    for (OrderView &order : orders.orders) {
        if (order.status == OrderStatus::PendingPayment)
            pending.emplace_back(order.expiresAtMs, order.orderId);
        rt.orders.insert(order.orderId, std::move(order));
    }
    std::sort(pending.begin(), pending.end());
    for (const auto &[deadline, orderId] : pending)
        rt.awaitingPayment.push_back(orderId);
    rt.leads.clear();
    rt.leadKeys.clear();
    rt.nextLead = 0;
    for (Lead &lead : orders.leads) {
        if (rt.leads.size() >= limits::maxLeadsPerEvent)
            break;
        if (!rt.leadKeys.contains(lead.userKey)) {
            rt.leadKeys.insert(lead.userKey);
            rt.leads.push_back(std::move(lead));
        }
    }
}

// Cluster mode: another node decides the event. Its broadcasts carry the units held (as
// requests.wonUnits), so this runtime keeps no orders, offers or leads of its own.
void forgetDeciding(EventRuntime &rt)
{
    rt.deciderEpoch = 0;
    rt.decidedByRequestId.clear();
    installOrders(rt, RestoredOrders());
}
} // namespace

void EventBook::restore(const EventSnapshot &event, const QHash<QString, std::int32_t> &wonUnitsByUser,
                        const RequestCounts &requests, RestoredOrders orders)
{
    auto slot = std::make_unique<Slot>();
    slot->id = event.config.id;
    slot->rehearsal = event.config.rehearsal;
    EventRuntime &rt = slot->runtime;
    rt.config = event.config;
    rt.state = event.state;
    rt.stockTotal = event.stockTotal;
    rt.requests = requests;
    rt.wonUnitsByUser.reserve(std::size_t(wonUnitsByUser.size()));
    for (auto it = wonUnitsByUser.cbegin(); it != wonUnitsByUser.cend(); ++it) {
        const QString key = userKeyOf(it.key()); // ids stored as sent; ids with one key add up
        rt.wonUnitsByUser.add(hashUserId(key), key, it.value());
    }
    rt.createdAtMs = event.createdAtMs;
    rt.updatedAtMs = event.updatedAtMs;
    installOrders(rt, std::move(orders));
    // The state column may lag the orders by one commit: derive sold-out from the stock.
    if (rt.state == EventState::Open && rt.remaining() <= 0)
        rt.state = EventState::SoldOut;
    else if (rt.state == EventState::SoldOut && rt.remaining() > 0)
        rt.state = EventState::Open;
    slot->acceptedRequests = requests.accepted;
    slot->decidedRequests = requests.decided();

    std::unique_lock directoryLock(m_directoryMutex);
    std::lock_guard lock(m_mutex);
    m_indexById.insert(rt.config.id, int(m_slots.size()));
    publishLocked(*slot);
    m_slots.push_back(std::move(slot));
}

int EventBook::indexOf(QStringView id) const
{
    std::shared_lock lock(m_directoryMutex);
    return m_indexById.value(id.toString(), -1);
}

QString EventBook::idAt(int index) const
{
    const Slot *s = slot(index);
    return s ? s->id : QString();
}

EventBook::Slot *EventBook::slot(int index) const
{
    std::shared_lock lock(m_directoryMutex);
    return index >= 0 && std::size_t(index) < m_slots.size() ? m_slots[index].get() : nullptr;
}

int EventBook::count() const
{
    std::shared_lock lock(m_directoryMutex);
    return int(m_slots.size());
}

EventBook::Slot *EventBook::findLocked(QStringView id) const
{
    std::shared_lock lock(m_directoryMutex);
    const int index = m_indexById.value(id.toString(), -1);
    return index >= 0 ? m_slots[index].get() : nullptr;
}

std::optional<EventSnapshot> EventBook::snapshot(int index) const
{
    const Slot *s = slot(index);
    if (!s)
        return std::nullopt;
    std::shared_ptr<const EventSnapshot> published;
    {
        std::lock_guard lock(s->snapshotMutex);
        published = s->snapshot;
    }
    EventSnapshot copy = *published;
    // Cluster mode: requests are accepted on every node; count them as decided plus waiting.
    copy.requests.accepted = m_clustered ? copy.requests.decided() + m_clusterHooks.waitingRequests(index)
                                         : s->acceptedRequests.load(std::memory_order_relaxed);
    return copy;
}

QList<EventSnapshot> EventBook::snapshots() const
{
    QList<EventSnapshot> list;
    const int n = count();
    list.reserve(n);
    for (int i = 0; i < n; ++i) {
        if (auto s = snapshot(i))
            list.append(std::move(*s));
    }
    return list;
}

EventSnapshot EventBook::snapshotLocked(const Slot &slot) const
{
    const EventRuntime &rt = slot.runtime;
    EventSnapshot s;
    s.config = rt.config;
    s.state = rt.state;
    s.stockTotal = rt.stockTotal;
    s.remaining = rt.remaining();
    s.requests = rt.requests;
    s.requests.accepted = slot.acceptedRequests.load(std::memory_order_relaxed);
    s.orders = m_clustered && rt.deciderEpoch == 0 ? rt.mirroredOrderCounts : rt.orderCounts;
    s.createdAtMs = rt.createdAtMs;
    s.updatedAtMs = rt.updatedAtMs;
    s.deciderEpoch = rt.deciderEpoch;
    return s;
}

void EventBook::publishLocked(Slot &slot)
{
    slot.storedState.store(slot.runtime.state, std::memory_order_release);
    slot.startsAtMs.store(slot.runtime.config.startsAtMs, std::memory_order_release);
    slot.decidedRequests.store(slot.runtime.requests.decided(), std::memory_order_relaxed);
    auto published = std::make_shared<const EventSnapshot>(snapshotLocked(slot));
    std::lock_guard lock(slot.snapshotMutex);
    slot.snapshot = std::move(published);
}

void EventBook::persistLocked(Slot &slot, std::int64_t nowMs)
{
    const EventState before = slot.storedState.load(std::memory_order_relaxed);
    if (before != slot.runtime.state || slot.runtime.updatedAtMs == 0) {
        qInfo("event %s: %s", qPrintable(slot.runtime.config.id), qPrintable(toString(slot.runtime.state)));
    }
    slot.runtime.updatedAtMs = nowMs;
    publishLocked(slot);
    m_sink(snapshotLocked(slot));
}

QString EventBook::launchLocked(EventRuntime &rt, std::int64_t nowMs)
{
    if (rt.config.endsAtMs > 0 && rt.config.endsAtMs <= nowMs)
        return QStringLiteral("endsAt is in the past");
    if (rt.config.startsAtMs > nowMs) {
        rt.state = EventState::Scheduled;
        return QString();
    }
    rt.config.startsAtMs = nowMs; // when it opened, for staff and shoppers alike
    rt.state = rt.remaining() > 0 ? EventState::Open : EventState::SoldOut;
    return QString();
}

AdminResult EventBook::create(const EventConfig &config, std::int64_t nowMs, CreateAs as)
{
    if (QString problem = validate(config); !problem.isEmpty())
        return failure(Status::Invalid, problem);
    std::lock_guard lock(m_mutex);
    if (findLocked(config.id))
        return failure(Status::Exists, QStringLiteral("an event with id \"%1\" already exists").arg(config.id));
    auto slot = std::make_unique<Slot>();
    slot->id = config.id;
    slot->rehearsal = config.rehearsal;
    EventRuntime &rt = slot->runtime;
    rt.config = config;
    rt.state = EventState::Draft;
    rt.stockTotal = config.stock;
    rt.createdAtMs = nowMs;
    if (as == CreateAs::Launched) {
        if (QString problem = launchLocked(rt, nowMs); !problem.isEmpty())
            return failure(Status::InvalidState, problem);
    }
    Slot &ref = *slot;
    {
        std::unique_lock directoryLock(m_directoryMutex);
        m_indexById.insert(config.id, int(m_slots.size()));
        m_slots.push_back(std::move(slot));
    }
    persistLocked(ref, nowMs);
    return AdminResult{Status::Ok, snapshotLocked(ref), QString()};
}

AdminResult EventBook::update(QStringView id, const EventPatch &patch, std::int64_t nowMs)
{
    std::lock_guard lock(m_mutex);
    Slot *slot = findLocked(id);
    if (!slot)
        return failure(Status::NotFound, QStringLiteral("no event \"%1\"").arg(id));
    EventRuntime &rt = slot->runtime;
    rt.state = effectiveState(rt, nowMs);
    const bool launched = rt.state != EventState::Draft && rt.state != EventState::Scheduled;
    if (rt.state == EventState::Ended)
        return failure(Status::InvalidState, QStringLiteral("the event has ended and can no longer be changed"));
    if (launched
        && (patch.stock || patch.priceCents || patch.currency || patch.startsAtMs || patch.paymentWindowSeconds
            || patch.releasePolicy || patch.shopperIdentity || patch.fairStartMs)) {
        return failure(Status::InvalidState,
                       QStringLiteral("once open, only name, perUserLimit and endsAt can change; use restock for stock"));
    }
    EventConfig next = rt.config;
    if (patch.name)
        next.name = *patch.name;
    if (patch.priceCents)
        next.priceCents = *patch.priceCents;
    if (patch.currency)
        next.currency = *patch.currency;
    if (patch.stock)
        next.stock = *patch.stock;
    if (patch.perUserLimit)
        next.perUserLimit = *patch.perUserLimit;
    if (patch.startsAtMs)
        next.startsAtMs = *patch.startsAtMs;
    if (patch.endsAtMs)
        next.endsAtMs = *patch.endsAtMs;
    if (patch.paymentWindowSeconds)
        next.paymentWindowSeconds = *patch.paymentWindowSeconds;
    if (patch.releasePolicy)
        next.releasePolicy = *patch.releasePolicy;
    if (patch.shopperIdentity)
        next.shopperIdentity = *patch.shopperIdentity;
    if (patch.fairStartMs)
        next.fairStartMs = *patch.fairStartMs;
    if (QString problem = validate(next); !problem.isEmpty())
        return failure(Status::Invalid, problem);
    if (!launched)
        rt.stockTotal = next.stock;
    rt.config = next;
    persistLocked(*slot, nowMs);
    return AdminResult{Status::Ok, snapshotLocked(*slot), QString()};
}

AdminResult EventBook::act(QStringView id, EventAction action, std::int64_t nowMs)
{
    std::lock_guard lock(m_mutex);
    Slot *slot = findLocked(id);
    if (!slot)
        return failure(Status::NotFound, QStringLiteral("no event \"%1\"").arg(id));
    EventRuntime &rt = slot->runtime;
    rt.state = effectiveState(rt, nowMs);
    const EventState before = rt.state;
    const auto invalid = [&](const QString &message) { return failure(Status::InvalidState, message); };

    switch (action) {
    case EventAction::Open:
        if (before == EventState::Ended)
            return invalid(QStringLiteral("the event has ended"));
        if (before == EventState::SoldOut)
            return invalid(QStringLiteral("the event is sold out; restock to reopen it"));
        if (rt.config.endsAtMs > 0 && rt.config.endsAtMs <= nowMs)
            return invalid(QStringLiteral("endsAt is in the past"));
        if (before == EventState::Draft) {
            if (QString problem = launchLocked(rt, nowMs); !problem.isEmpty())
                return invalid(problem);
        } else if (before != EventState::Scheduled) {
            rt.state = rt.remaining() > 0 ? EventState::Open : EventState::SoldOut;
        }
        break;
    case EventAction::Pause:
        if (before == EventState::Paused)
            break;
        if (before != EventState::Open && before != EventState::SoldOut)
            return invalid(QStringLiteral("only an open event can be paused (it is %1)").arg(toString(before)));
        rt.state = EventState::Paused;
        break;
    case EventAction::End:
        rt.state = EventState::Ended;
        if (rt.config.startsAtMs <= nowMs && (rt.config.endsAtMs == 0 || rt.config.endsAtMs > nowMs))
            rt.config.endsAtMs = nowMs; // when it ended, not when it was planned to
        break;
    }
    if (rt.state != before || rt.state != slot->storedState.load())
        persistLocked(*slot, nowMs);
    return AdminResult{Status::Ok, snapshotLocked(*slot), QString()};
}

AdminResult EventBook::restock(QStringView id, std::int64_t units, std::int64_t nowMs)
{
    if (units < 1 || units > limits::maxStock)
        return failure(Status::Invalid, QStringLiteral("units must be between 1 and %1").arg(limits::maxStock));
    std::lock_guard lock(m_mutex);
    Slot *slot = findLocked(id);
    if (!slot)
        return failure(Status::NotFound, QStringLiteral("no event \"%1\"").arg(id));
    EventRuntime &rt = slot->runtime;
    rt.state = effectiveState(rt, nowMs);
    if (rt.state != EventState::Open && rt.state != EventState::SoldOut && rt.state != EventState::Paused)
        return failure(Status::InvalidState,
                       QStringLiteral("restock needs an open, paused or sold-out event (it is %1)").arg(toString(rt.state)));
    if (rt.stockTotal + units > limits::maxStock)
        return failure(Status::Invalid, QStringLiteral("total stock would exceed %1").arg(limits::maxStock));
    rt.stockTotal += units;
    if (rt.state == EventState::SoldOut)
        rt.state = EventState::Open;
    persistLocked(*slot, nowMs);
    return AdminResult{Status::Ok, snapshotLocked(*slot), QString()};
}

QList<EventSnapshot> EventBook::tick(std::int64_t nowMs)
{
    QList<EventSnapshot> changed;
    std::lock_guard lock(m_mutex);
    const int n = count();
    for (int i = 0; i < n; ++i) {
        Slot *s = slot(i);
        if (m_clustered && s->runtime.deciderEpoch == 0)
            continue; // its decider ticks it
        const EventState next = effectiveState(s->runtime, nowMs);
        if (next != s->runtime.state) {
            s->runtime.state = next;
            persistLocked(*s, nowMs);
            changed.append(snapshotLocked(*s));
        }
    }
    return changed;
}

int EventBook::applyReplica(const EventSnapshot &event, std::int64_t epoch)
{
    std::lock_guard lock(m_mutex);
    Slot *slot = findLocked(event.config.id);
    if (!slot) {
        auto created = std::make_unique<Slot>();
        created->id = event.config.id;
        created->rehearsal = event.config.rehearsal;
        slot = created.get();
        std::unique_lock directoryLock(m_directoryMutex);
        m_indexById.insert(event.config.id, int(m_slots.size()));
        m_slots.push_back(std::move(created));
    }
    EventRuntime &rt = slot->runtime;
    if (rt.deciderEpoch > 0) {
        if (epoch <= rt.deciderEpoch)
            return indexOf(event.config.id); // this node decides it; its own state is newer
        // Another node took the event over: stop deciding it here.
        forgetDeciding(rt);
        m_clusterHooks.authorityLost(indexOf(event.config.id));
    }
    if (rt.orderCounts != OrderCounts() || !rt.orders.empty())
        forgetDeciding(rt); // loaded at start-up; the decider's broadcasts count the units now
    rt.config = event.config;
    rt.state = event.state;
    rt.stockTotal = event.stockTotal;
    rt.requests = event.requests;
    rt.mirroredOrderCounts = event.orders;
    rt.createdAtMs = event.createdAtMs;
    rt.updatedAtMs = event.updatedAtMs;
    publishLocked(*slot);
    return indexOf(event.config.id);
}

void EventBook::takeOver(int index, EventTakeover loaded)
{
    Slot *s = slot(index);
    if (!s)
        return;
    std::lock_guard lock(m_mutex);
    EventRuntime &rt = s->runtime;
    rt.config = loaded.event.config;
    rt.state = loaded.event.state;
    rt.stockTotal = loaded.event.stockTotal;
    rt.requests = loaded.requests;
    rt.wonUnitsByUser = UserUnits();
    rt.wonUnitsByUser.reserve(std::size_t(loaded.wonUnitsByUser.size()));
    for (auto it = loaded.wonUnitsByUser.cbegin(); it != loaded.wonUnitsByUser.cend(); ++it) {
        const QString key = userKeyOf(it.key());
        rt.wonUnitsByUser.add(hashUserId(key), key, it.value());
    }
    rt.createdAtMs = loaded.event.createdAtMs;
    rt.updatedAtMs = loaded.event.updatedAtMs;
    rt.deciderEpoch = loaded.epoch;
    rt.decidedByRequestId = std::move(loaded.decidedByRequestId);
    installOrders(rt, std::move(loaded.orders));
    // As at start-up: the stored state may lag the orders by one commit.
    if (rt.state == EventState::Open && rt.remaining() <= 0)
        rt.state = EventState::SoldOut;
    else if (rt.state == EventState::SoldOut && rt.remaining() > 0)
        rt.state = EventState::Open;
    publishLocked(*s);
}

std::int64_t EventBook::deciderEpochOf(int index)
{
    Slot *s = slot(index);
    if (!s)
        return 0;
    std::lock_guard lock(m_mutex);
    return s->runtime.deciderEpoch;
}

void EventBook::loseAuthority(int index, std::int64_t epoch)
{
    Slot *s = slot(index);
    if (!s)
        return;
    std::lock_guard lock(m_mutex);
    if (s->runtime.deciderEpoch != epoch)
        return;
    forgetDeciding(s->runtime);
    m_clusterHooks.authorityLost(index);
}

} // namespace flashsale
