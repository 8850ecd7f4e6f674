#include "engine/node/engine.h"

#include "engine/core/queueurl.h"
#include "engine/node/deciderthread.h"
#include "engine/node/inprocessintake.h"
#include "engine/node/writer.h"

#include <QDateTime>
#include <QDebug>
#include <QSysInfo>

#include <algorithm>
#include <chrono>
#include <thread>
#include <tuple>

namespace flashsale {

std::int64_t Engine::nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

std::int64_t Engine::steadyMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Engine::Engine(EngineOptions options)
    : m_options(std::move(options))
    , m_tickets(m_options.tickets)
{
}

Engine::~Engine()
{
    stop(0);
}

bool Engine::start(QString *error, StartFailure *failure)
{
    if (failure)
        *failure = StartFailure::Other;
    const bool clustered = !m_options.queueUrl.isEmpty();
    if (clustered) {
        if (!m_options.scaleOut) {
            *error = QStringLiteral("this build has no RabbitMQ support (configured with FLASHSALE_WITH_RABBITMQ=OFF): "
                                    "a queue (--queue) cannot be used");
            return false;
        }
        if (m_options.store.isSqlite()) {
            *error = QStringLiteral("a queue (--queue) needs a PostgreSQL store (--store postgresql://...): every node must share one database");
            return false;
        }
        if (const QString problem = checkQueueUrl(m_options.queueUrl); !problem.isEmpty()) {
            *error = problem;
            return false;
        }
        if (m_options.nodeId.isEmpty())
            m_options.nodeId = QSysInfo::machineHostName();
    }
    m_store = std::make_unique<SqlStore>(m_options.store, m_options.walLimitBytes);
    Writer::FencedFn fenced;
    if (clustered)
        fenced = [this](const std::vector<FencedEvent> &events, WriterBatch &dropped) { onFenced(events, dropped); };
    Writer::PublishFn publish = [this](WriterBatch &batch) { onCommitted(batch); };
    if (clustered)
        publish = [this](WriterBatch &batch) { onCommittedClustered(batch); };
    m_writer = std::make_unique<Writer>(*m_store, std::move(publish), std::move(fenced));
    m_events = std::make_unique<EventBook>([this](const EventSnapshot &row) {
        m_lastRowGeneration.store(m_writer->enqueueEventRow(row), std::memory_order_release);
    });

    LoadedState loaded;
    const bool opened = m_writer->start([&] { return m_store->open(error) && m_store->load(&loaded, error); });
    const schema::UpgradeResult &upgrade = m_store->schemaUpgrade();
    if (!opened) {
        if (failure && upgrade.outcome == schema::Outcome::TooNew)
            *failure = StartFailure::SchemaTooNew;
        m_writer.reset();
        return false;
    }
    if (upgrade.outcome == schema::Outcome::Migrated) {
        qInfo("database schema upgraded from version %d to %d%s", upgrade.foundVersion, upgrade.version,
              qPrintable(upgrade.backupPath.isEmpty() ? QString() : u"; the copy from before is "_qs + upgrade.backupPath));
    }

    if (clustered) {
        // Every event starts as a mirror; this node decides one only once the broker hands it
        // the event's queue and it has taken the event over in the store.
        // m_cluster is made after the memory is rebuilt; nothing reads a snapshot before.
        m_events->setClustered(EventBook::ClusterHooks{
            [this](int index) { return m_cluster ? m_cluster->waitingRequests(index) : 0; },
            [this](int index) {
                if (m_cluster)
                    m_cluster->authorityLost(index);
            }});
        m_tickets.useSeqBlocks();
    }
    // A hash match of a decided ticket is checked against the journal's row.
    m_tickets.setJournalCheck([this](std::uint64_t seq, std::int32_t eventIndex, const QString &requestId) {
        QString problem;
        const std::optional<LoadedTicket> row = readJournaledTicket(m_options.store, seq, &problem);
        if (!row) {
            qWarning("checking requestId \"%s\" against the journal: %s", qPrintable(requestId.left(64)), qPrintable(problem));
            return std::optional<bool>();
        }
        if (row->view.seq == 0)
            return std::optional<bool>();
        return std::optional<bool>(row->eventId == eventIdAt(eventIndex) && row->requestId == requestId);
    });
    if (!rebuildMemory(loaded, error)) {
        m_writer.reset();
        return false;
    }
    if (!clustered)
        dropOldTickets(nowMs()); // the tickets of ended events
    if (clustered)
        m_decider = std::make_unique<DeciderThread>(*m_events, *m_writer, &Engine::nowMs);
    else
        m_decider = std::make_unique<DeciderThread>(*m_events, *m_writer, loaded.maxOrderId + 1, &Engine::nowMs);
    m_decider->start();
    if (!clustered) {
        m_intake = std::make_unique<InProcessIntake>(*m_events, *m_decider, *m_writer, m_lastRowGeneration);
    } else if (!startScaleOut(error)) {
        m_decider->stop();
        m_writer->stop();
        return false;
    }
    m_running = true;
    return true;
}

bool Engine::rebuildMemory(LoadedState &loaded, QString *error)
{
    const QHash<QString, RequestCounts> &counts = loaded.requestsByEvent;
    std::vector<std::tuple<std::uint64_t, std::int64_t, std::int64_t>> offers; // lead's ticket, order, deadline
    for (const OrderView &order : loaded.windowedOrders) {
        if (order.source == OrderSource::Offer)
            offers.emplace_back(order.ticketSeq, order.orderId, order.expiresAtMs);
    }
    QHash<QString, RestoredOrders> ordersByEvent = takeRestoredOrders(loaded);
    for (const EventSnapshot &event : loaded.events) {
        QHash<QString, std::int32_t> byUser = loaded.wonUnitsByEventAndUser.take(event.config.id);
        RequestCounts c = counts.value(event.config.id);
        c.wonUnits = loaded.unitsByEvent.value(event.config.id).saleUnits;
        m_events->restore(event, byUser, c, ordersByEvent.take(event.config.id));
        m_totals.add(c);
        if (event.config.rehearsal)
            m_rehearsalTotals.add(c);
    }
    // Streamed, not held: each row becomes a compact entry and index slot at once.
    QString lastEventId;
    int lastIndex = -1;
    QString beyond;
    const bool streamed = streamJournal(m_options.store, [&](LoadedTicket &t) {
        if (t.eventId != lastEventId) {
            lastEventId = t.eventId;
            lastIndex = m_events->indexOf(t.eventId);
        }
        t.view.eventIndex = lastIndex;
        if (t.view.eventIndex < 0)
            return true; // no such event any more: nobody can ask for it
        if (m_tickets.restore(t.view, t.requestId, t.userHash))
            return true;
        beyond = QStringLiteral("ticket %1 of event \"%2\" is beyond the ticket table's bound (%3 tickets, %4 events)")
                     .arg(t.view.seq)
                     .arg(t.eventId)
                     .arg(m_options.tickets.maxSeq)
                     .arg(TicketBook::kMaxEventIndex + 1);
        return false;
    }, error);
    if (!streamed) {
        if (!beyond.isEmpty())
            *error = beyond;
        return false;
    }
    for (const auto &[seq, orderId, expiresAtMs] : offers)
        m_tickets.setOffer(seq, orderId, expiresAtMs, m_notify); // nobody watches yet
    return true;
}

bool Engine::startScaleOut(QString *error)
{
    std::unique_ptr<ScaleOutLink> link = m_options.scaleOut(
        ScaleOutSetup{static_cast<ClusterHost &>(*this), m_options.store, m_options.queueUrl, m_options.nodeId}, error);
    if (!link)
        return false;
    m_cluster = link.get();
    m_intake = std::move(link);
    m_cluster->start();
    // Give the link a moment to connect so that a fresh node answers its first request.
    m_cluster->waitUntilAvailable(5000);
    return true;
}

void Engine::stop(int drainTimeoutMs)
{
    if (!m_running.exchange(false))
        return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drainTimeoutMs);
    while (m_inflight.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (m_inflight.load() > 0)
        qWarning("%lld requests still %s after the drain timeout", static_cast<long long>(m_inflight.load()),
                 qPrintable(m_intake->inflightDescription()));
    // Decide and commit what was handed over; a broker intake then acknowledges it and leaves
    // the queues to other nodes.
    m_intake->stopIntake();
    m_decider->stop();
    m_writer->stop();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    m_intake->stop(std::max<int>(1000, int(left.count())));
}

QStringList Engine::decidedEventIds() const
{
    QStringList ids;
    const int n = m_events ? m_events->count() : 0;
    for (int i = 0; i < n; ++i) {
        if (!isClustered() || m_events->deciderEpochOf(i) > 0)
            ids << m_events->idAt(i);
    }
    return ids;
}

bool Engine::isAccepting() const
{
    if (!m_running.load(std::memory_order_relaxed))
        return false;
    return m_intake->isAvailable();
}

QString Engine::unavailableReason() const
{
    if (!m_running.load(std::memory_order_relaxed))
        return QStringLiteral("the engine is shutting down");
    return m_intake->unavailableReason();
}

int Engine::addListener(TicketListener *listener)
{
    std::lock_guard lock(m_listenerMutex);
    for (int i = 0; i < TicketBook::kMaxListeners; ++i) {
        if (!m_listeners[i]) {
            m_listeners[i] = listener;
            return i;
        }
    }
    return -1;
}

void Engine::removeListener(int id)
{
    if (id < 0 || id >= TicketBook::kMaxListeners)
        return;
    std::lock_guard lock(m_listenerMutex);
    m_listeners[id] = nullptr;
}

SubmitResult Engine::submit(QStringView eventId, PurchaseRequest request, int listener, TicketState waitUntil)
{
    SubmitResult result;
    const int index = m_events->indexOf(eventId);
    EventBook::Slot *slot = m_events->slot(index);
    if (!slot) {
        result.status = Status::NotFound;
        return result;
    }
    const std::int64_t now = nowMs();
    const EventState state = slot->storedState.load(std::memory_order_acquire);
    const std::int64_t startsAt = slot->startsAtMs.load(std::memory_order_acquire);
    if (state == EventState::Draft || (state == EventState::Scheduled && now < startsAt)) {
        result.status = Status::NotOpen;
        result.startsAtMs = startsAt;
        return result;
    }
    if (!isAccepting()) {
        result.status = Status::Unavailable;
        result.message = unavailableReason();
        return result;
    }

    request.eventIndex = index;
    request.eventId = eventId.toString();
    request.acceptedAtMs = now;
    request.acceptedSteadyUs = steadyMicros();
    if (request.userKey.isEmpty()) // a signed event's front derived it already (ShopperAdmission)
        request.userKey = userKeyOf(request.userId);
    request.userHash = hashUserId(request.userKey);
    const std::uint64_t tag = newTicketTag();
    Claim claim = Claim::Refused;
    const QString requestId = request.requestId;
    const std::uint64_t userHash = request.userHash; // request moves into the intake
    const std::int64_t waitingElsewhere = m_intake->waitingRequests(index);
    auto ticket = m_tickets.findOrCreate(index, requestId, request.userHash, tag, &claim, [&](std::uint64_t seq) {
        if (m_inflight.load(std::memory_order_relaxed) + waitingElsewhere >= m_options.maxQueueDepth)
            return false;
        request.seq = seq;
        request.ticketTag = tag;
        m_inflight.fetch_add(1, std::memory_order_relaxed);
        m_totals.add(RequestCounts{.accepted = 1});
        if (slot->rehearsal)
            m_rehearsalTotals.add(RequestCounts{.accepted = 1});
        slot->acceptedRequests.fetch_add(1, std::memory_order_relaxed);
        m_intake->accept(std::move(request));
        return true;
    });
    if (claim == Claim::OtherUser) {
        result.status = Status::IdempotencyConflict;
        return result;
    }
    if (claim == Claim::Exhausted) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("this node's ticket table is full (%1 tickets, %2 events at most): it takes no "
                                        "new purchases; existing tickets still answer")
                             .arg(std::min(m_options.tickets.maxSeq, TicketBook::kMaxSeq))
                             .arg(TicketBook::kMaxEventIndex + 1);
        return result;
    }
    if (claim == Claim::Stored) {
        result.status = Status::Ok;
        result.ticket = *ticket;
        result.inStore = true;
        result.userHash = userHash;
        return result;
    }
    if (claim == Claim::Unverified) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("this requestId could not be checked against the journal; try again in a moment");
        return result;
    }
    if (!ticket) {
        m_rejectedOverload.fetch_add(1, std::memory_order_relaxed);
        result.status = Status::Overloaded;
        return result;
    }
    if (listener >= 0) {
        if (auto watched = m_tickets.watch(ticket->seq, listener, waitUntil))
            ticket = watched;
    }
    result.status = Status::Ok;
    result.ticket = *ticket;
    result.created = claim == Claim::Created;
    result.position = m_intake->positionOfNewest(*slot, index);
    return result;
}

std::optional<TicketView> Engine::ticket(std::uint64_t seq, std::uint64_t tag) const
{
    auto view = m_tickets.get(seq);
    if (!view && m_intake && m_intake->mayBeQueuedElsewhere(seq)) {
        // Accepted by another node and not decided yet (its decision is announced to all).
        return TicketView{seq, tag, -1, TicketState::Queued, LossReason::None, 0};
    }
    if (!view || view->tag != tag)
        return std::nullopt;
    return view;
}

std::optional<TicketView> Engine::watchTicket(std::uint64_t seq, std::uint64_t tag, int listener, TicketState waitUntil)
{
    const auto view = ticket(seq, tag);
    if (!view)
        return std::nullopt;
    if (view->eventIndex < 0) {
        if (m_tickets.watchUnseen(seq, listener))
            return view;
        if (!ticket(seq, tag))
            return std::nullopt; // it arrived meanwhile, with another tag
    }
    return m_tickets.watch(seq, listener, waitUntil);
}

std::optional<TicketView> Engine::watchOffer(std::uint64_t seq, std::uint64_t tag, int listener)
{
    if (!ticket(seq, tag))
        return std::nullopt;
    return m_tickets.watchOffer(seq, listener);
}

Engine::StoredTicket Engine::storedTicket(std::uint64_t seq) const
{
    StoredTicket stored;
    QString problem;
    std::optional<LoadedTicket> row = readJournaledTicket(m_options.store, seq, &problem);
    if (!row) {
        stored.status = Status::Unavailable;
        stored.message = QStringLiteral("cannot read the ticket from the store: %1").arg(problem);
        return stored;
    }
    if (row->view.seq == 0)
        return stored;
    stored.status = Status::Ok;
    stored.view = row->view;
    stored.view.eventIndex = m_events->indexOf(row->eventId);
    if (const auto offer = m_tickets.offerOf(seq))
        std::tie(stored.view.offerOrderId, stored.view.offerExpiresAtMs) = *offer;
    stored.userHash = row->userHash;
    return stored;
}

void Engine::dropOldTickets(std::int64_t nowMs)
{
    m_lastDropMs.store(nowMs, std::memory_order_relaxed);
    m_tickets.dropDecided(nowMs, m_options.ticketMemoryMs, [this](std::int32_t index) {
        const EventBook::Slot *slot = m_events->slot(index);
        return slot && slot->storedState.load(std::memory_order_acquire) == EventState::Ended;
    });
}

std::optional<EventSnapshot> Engine::event(QStringView id) const
{
    return m_events->snapshot(m_events->indexOf(id));
}

QString Engine::eventIdAt(int index) const
{
    return m_events->idAt(index);
}

std::optional<EventSnapshot> Engine::shopperEvent(QStringView id) const
{
    std::optional<EventSnapshot> found = event(id);
    if (found && (found->state == EventState::Draft || found->config.rehearsal))
        found.reset();
    return found;
}

QList<EventSnapshot> Engine::events() const
{
    return m_events->snapshots();
}

AdminResult Engine::createEvent(const EventConfig &config, CreateAs as)
{
    return m_intake->createEvent(config, as);
}

AdminResult Engine::updateEvent(QStringView id, const EventPatch &patch)
{
    wire::EventCommand command = wire::EventCommand::to(id, wire::EventCommand::Kind::Update);
    command.patch = patch;
    return m_intake->command(std::move(command));
}

AdminResult Engine::actOnEvent(QStringView id, EventAction action)
{
    wire::EventCommand command = wire::EventCommand::to(id, wire::EventCommand::Kind::Act);
    command.action = action;
    return m_intake->command(std::move(command));
}

AdminResult Engine::restockEvent(QStringView id, std::int64_t units)
{
    wire::EventCommand command = wire::EventCommand::to(id, wire::EventCommand::Kind::Restock);
    command.units = units;
    return m_intake->command(std::move(command));
}

AdminResult Engine::actOnOrder(QStringView eventId, std::int64_t orderId, OrderAction action)
{
    if (!m_running.load(std::memory_order_relaxed))
        return AdminResult{Status::Unavailable, EventSnapshot(), unavailableReason()};
    wire::EventCommand command = wire::EventCommand::to(eventId, wire::EventCommand::Kind::Order);
    command.orderId = orderId;
    command.orderAction = action;
    return m_intake->command(std::move(command));
}

AdminResult Engine::createRehearsal(QStringView sourceId)
{
    const std::optional<EventSnapshot> source = event(sourceId);
    if (!source)
        return AdminResult{Status::NotFound, EventSnapshot(), QStringLiteral("no event \"%1\"").arg(sourceId)};
    EventConfig copy = source->config;
    copy.rehearsal = true;
    copy.startsAtMs = 0;
    copy.endsAtMs = 0;
    const QList<EventSnapshot> existing = events();
    const auto taken = [&existing](const QString &id) {
        return std::any_of(existing.begin(), existing.end(), [&id](const EventSnapshot &e) { return e.config.id == id; });
    };
    for (int n = 1;; ++n) {
        const QString suffix = QStringLiteral("-rehearsal-%1").arg(n);
        copy.id = source->config.id.left(limits::maxEventIdLength - suffix.size()) + suffix;
        if (!taken(copy.id))
            break;
    }
    AdminResult created = createEvent(copy);
    if (created.status != Status::Ok)
        return created;
    return actOnEvent(copy.id, EventAction::Open);
}

EngineStats Engine::stats() const
{
    EngineStats s;
    s.atMs = nowMs();
    s.requests = m_totals.load();
    s.requests -= m_rehearsalTotals.load();
    s.queueDepth = m_inflight.load(std::memory_order_relaxed);
    s.rejectedOverload = m_rejectedOverload.load(std::memory_order_relaxed);
    s.commits = m_writer ? m_writer->commitCount() : 0;
    s.storeFailing = m_writer && m_writer->isFailing();
    s.webSocketClients = m_webSocketClients.load(std::memory_order_relaxed);
    s.rejectedRate = m_rejectedRate.load(std::memory_order_relaxed);
    s.rejectedPass = m_rejectedPass.load(std::memory_order_relaxed);
    s.latency = m_latency.counts();
    s.events = m_events ? m_events->snapshots() : QList<EventSnapshot>();
    if (m_intake)
        m_intake->describe(s);
    return s;
}

void Engine::dispatch(std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> &notify)
{
    std::lock_guard lock(m_listenerMutex);
    for (int i = 0; i < TicketBook::kMaxListeners; ++i) {
        if (notify[i].empty())
            continue;
        if (m_listeners[i])
            m_listeners[i]->ticketsChanged(notify[i]);
        notify[i].clear();
    }
}

void Engine::onCommitted(WriterBatch &batch)
{
    m_changes.clear();
    const std::int64_t nowUs = steadyMicros();
    RequestCounts decided, rehearsalDecided;
    for (const DecidedRequest &d : batch.decided) {
        m_changes.push_back(TicketChange{d.request.seq, d.decision.outcome, d.decision.reason, d.decision.orderId});
        if (d.request.acceptedSteadyUs > 0)
            m_latency.record(nowUs - d.request.acceptedSteadyUs);
        const EventBook::Slot *slot = m_events->slot(d.request.eventIndex);
        const bool rehearsal = slot && slot->rehearsal;
        RequestCounts &counts = rehearsal ? rehearsalDecided : decided;
        if (d.decision.outcome == TicketState::Won) {
            ++counts.won;
            counts.wonUnits += d.request.quantity;
        } else {
            ++counts.lost;
        }
    }
    m_tickets.apply(m_changes, m_notify);
    for (const OrderChange &change : batch.orderChanges) {
        if (change.created)
            m_tickets.setOffer(change.order.ticketSeq, change.order.orderId, change.order.expiresAtMs, m_notify);
    }
    m_rehearsalTotals.add(rehearsalDecided);
    decided += rehearsalDecided; // the totals include rehearsals; stats() takes them out
    m_totals.add(decided);
    m_inflight.fetch_sub(decided.decided(), std::memory_order_relaxed);
    dispatch(m_notify);
    if (const std::int64_t now = nowMs(); now - m_lastDropMs.load(std::memory_order_relaxed) >= 1000)
        dropOldTickets(now);
}

void Engine::LiveCounts::add(const RequestCounts &delta)
{
    m_accepted.fetch_add(delta.accepted, std::memory_order_relaxed);
    m_won.fetch_add(delta.won, std::memory_order_relaxed);
    m_lost.fetch_add(delta.lost, std::memory_order_relaxed);
    m_wonUnits.fetch_add(delta.wonUnits, std::memory_order_relaxed);
}

RequestCounts Engine::LiveCounts::load() const
{
    return RequestCounts{m_accepted.load(std::memory_order_relaxed), m_won.load(std::memory_order_relaxed),
                         m_lost.load(std::memory_order_relaxed), m_wonUnits.load(std::memory_order_relaxed)};
}

} // namespace flashsale
