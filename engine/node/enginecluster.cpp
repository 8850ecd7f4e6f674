// The Engine's scale-out half: what a node does differently when it shares RabbitMQ and
// PostgreSQL with other nodes (see ClusterLink for the broker side).
#include "engine/node/engine.h"

#include "engine/node/deciderthread.h"
#include "engine/node/writer.h"

#include <QRandomGenerator>

namespace flashsale {

namespace {
constexpr int kCommandTimeoutMs = 5000;
// A confirmed ticket whose decision has not been announced this long is looked up in the store;
// then again at the same interval, up to kMaxLookups times (a request still deep in a long queue).
constexpr std::int64_t kOverdueAfterMs = 3000;
constexpr int kMaxLookups = 200;
constexpr std::size_t kMaxLookupBatch = 5000;
}

void Engine::onCommittedClustered(WriterBatch &batch)
{
    const std::int64_t nowWallMs = nowMs();
    std::vector<RemoteTicket> tickets;
    std::vector<DeliveryReceipt> acks, rejects;
    std::map<int, wire::Decisions> byEvent;
    tickets.reserve(batch.decided.size());
    for (const DecidedRequest &d : batch.decided) {
        const DeliveryReceipt receipt{d.request.deliveryTag, d.request.deliveryGeneration};
        if (d.disposition == DecidedRequest::Disposition::Returned) {
            rejects.push_back(receipt);
            continue;
        }
        acks.push_back(receipt);
        const TicketView view{d.request.seq, d.request.ticketTag, d.request.eventIndex, d.decision.outcome,
                              d.decision.reason, d.decision.orderId};
        tickets.push_back(RemoteTicket{view, d.request.requestId, d.request.userHash});
        // Accepted on some node, decided here: the wall clocks of both (NTP-synchronised) measure it.
        if (d.disposition == DecidedRequest::Disposition::Decided && d.request.acceptedAtMs > 0)
            m_latency.record(std::max<std::int64_t>(0, nowWallMs - d.request.acceptedAtMs) * 1000);
        wire::Decisions &announcement = byEvent[d.request.eventIndex];
        announcement.epoch = std::max(announcement.epoch, d.decision.deciderEpoch);
        announcement.tickets.push_back(wire::DecidedTicket{d.request.seq, d.request.ticketTag, d.request.requestId,
                                                           d.request.userId, d.decision.outcome, d.decision.reason, d.decision.orderId,
                                                           d.request.acceptedAtMs});
    }
    for (const EventSnapshot &row : batch.eventRows) {
        wire::Decisions &announcement = byEvent[m_events->indexOf(row.config.id)];
        announcement.epoch = std::max(announcement.epoch, row.deciderEpoch);
    }
    std::vector<wire::CommandOutcome> answeredHere;
    for (const CommandDone &done : batch.commands) {
        const DeliveryReceipt receipt{done.deliveryTag, done.deliveryGeneration};
        if (done.returned) {
            rejects.push_back(receipt);
            continue;
        }
        acks.push_back(receipt);
        wire::Decisions &announcement = byEvent[m_events->indexOf(done.eventId)];
        announcement.epoch = std::max(announcement.epoch, done.epoch);
        announcement.commands.push_back(done.outcome);
        if (done.outcome.originNode == m_options.nodeId)
            answeredHere.push_back(done.outcome);
    }

    m_tickets.applyRemote(tickets, m_notify);
    dispatch(m_notify);
    for (auto &[index, announcement] : byEvent) {
        auto snapshot = m_events->snapshot(index);
        if (!snapshot)
            continue;
        announcement.deciderNode = m_options.nodeId;
        announcement.event = std::move(*snapshot);
        m_cluster->announceDecisions(announcement);
    }
    m_cluster->settle(acks, rejects);
    for (const wire::CommandOutcome &outcome : answeredHere)
        commandAnswered(outcome);
}

void Engine::onFenced(const std::vector<FencedEvent> &fenced, WriterBatch &dropped)
{
    for (const FencedEvent &f : fenced)
        m_events->loseAuthority(m_events->indexOf(f.eventId), f.epoch);
    // Not committed here, so not acknowledged: the broker gives them to the event's decider.
    std::vector<DeliveryReceipt> rejects;
    for (const DecidedRequest &d : dropped.decided)
        rejects.push_back(DeliveryReceipt{d.request.deliveryTag, d.request.deliveryGeneration});
    for (const CommandDone &done : dropped.commands)
        rejects.push_back(DeliveryReceipt{done.deliveryTag, done.deliveryGeneration});
    m_cluster->settle({}, rejects);
}

AdminResult Engine::createClustered(const EventConfig &config)
{
    AdminResult result;
    if (QString problem = EventBook::validate(config); !problem.isEmpty()) {
        result.message = problem;
        return result;
    }
    if (m_events->indexOf(config.id) >= 0) {
        result.status = Status::Exists;
        result.message = QStringLiteral("an event with id \"%1\" already exists").arg(config.id);
        return result;
    }
    EventSnapshot event;
    event.config = config;
    event.state = EventState::Draft;
    event.stockTotal = event.remaining = config.stock;
    event.createdAtMs = event.updatedAtMs = nowMs();
    QString error;
    result.status = m_cluster->createEvent(event, &error);
    if (result.status == Status::Exists)
        result.message = QStringLiteral("an event with id \"%1\" already exists").arg(config.id);
    else if (result.status != Status::Ok)
        result.message = QStringLiteral("the store is unreachable: %1").arg(error);
    if (result.status != Status::Ok)
        return result;
    m_events->applyReplica(event, 0);
    m_cluster->announceEvent(event);
    result.event = event;
    return result;
}

AdminResult Engine::commandClustered(wire::EventCommand command)
{
    AdminResult result;
    const int index = m_events->indexOf(command.eventId);
    if (index < 0) {
        result.status = Status::NotFound;
        result.message = QStringLiteral("no event \"%1\"").arg(command.eventId);
        return result;
    }
    if (command.kind == wire::EventCommand::Kind::Restock && command.units < 1) {
        result.message = QStringLiteral("units must be at least 1");
        return result;
    }
    if (!m_cluster->brokerConnected()) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("the broker is unreachable");
        return result;
    }
    command.correlationId = QRandomGenerator::global()->generate64();
    command.originNode = m_options.nodeId;
    std::optional<wire::CommandOutcome> outcome;
    {
        std::unique_lock lock(m_commandMutex);
        m_waitingCommands.insert(command.correlationId);
        m_cluster->publishCommand(command);
        m_commandAnswered.wait_for(lock, std::chrono::milliseconds(kCommandTimeoutMs),
                                   [&] { return m_commandOutcomes.contains(command.correlationId); });
        m_waitingCommands.remove(command.correlationId);
        if (m_commandOutcomes.contains(command.correlationId))
            outcome = m_commandOutcomes.take(command.correlationId);
    }
    if (!outcome) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("the event's decider has not confirmed the change within %1 s; it applies once it does")
                             .arg(kCommandTimeoutMs / 1000);
        return result;
    }
    result.status = outcome->status;
    result.message = outcome->message;
    if (auto snapshot = m_events->snapshot(index))
        result.event = *snapshot;
    return result;
}

void Engine::runCommand(const wire::EventCommand &command, DeliveryReceipt receipt)
{
    CommandDone done;
    done.outcome.correlationId = command.correlationId;
    done.outcome.originNode = command.originNode;
    done.eventId = command.eventId;
    done.deliveryTag = receipt.deliveryTag;
    done.deliveryGeneration = receipt.generation;
    done.epoch = m_events->deciderEpochOf(m_events->indexOf(command.eventId));
    if (done.epoch == 0) {
        done.returned = true;
    } else {
        AdminResult result;
        switch (command.kind) {
        case wire::EventCommand::Kind::Update:
            result = m_events->update(command.eventId, command.patch, nowMs());
            break;
        case wire::EventCommand::Kind::Act:
            result = m_events->act(command.eventId, command.action, nowMs());
            break;
        case wire::EventCommand::Kind::Restock:
            result = m_events->restock(command.eventId, command.units, nowMs());
            break;
        }
        done.outcome.status = result.status;
        done.outcome.message = result.message;
        done.event = result.event;
    }
    m_writer->enqueueCommand(std::move(done));
}

void Engine::commandAnswered(const wire::CommandOutcome &outcome)
{
    {
        std::lock_guard lock(m_commandMutex);
        if (!m_waitingCommands.contains(outcome.correlationId))
            return; // the sender gave up waiting
        m_commandOutcomes.insert(outcome.correlationId, outcome);
    }
    m_commandAnswered.notify_all();
}

void Engine::requestsQueued(std::vector<TicketChange> &queued)
{
    m_inflight.fetch_sub(std::int64_t(queued.size()), std::memory_order_relaxed);
    {
        const std::int64_t dueAtMs = nowMs() + kOverdueAfterMs;
        std::lock_guard lock(m_queuedMutex);
        for (const TicketChange &change : queued)
            m_queuedTickets.push_back(QueuedTicket{change.seq, dueAtMs, 0});
    }
    std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
    m_tickets.apply(queued, notify);
    dispatch(notify);
}

void Engine::requestsDelivered(std::vector<PurchaseRequest> &requests)
{
    m_decider->enqueue(requests);
}

void Engine::commandDelivered(wire::EventCommand command, DeliveryReceipt receipt)
{
    m_decider->enqueueTask([this, command = std::move(command), receipt] { runCommand(command, receipt); });
}

void Engine::tookOver(int eventIndex, EventTakeover loaded)
{
    m_decider->enqueueTask([this, eventIndex, loaded = std::move(loaded)]() mutable {
        m_events->takeOver(eventIndex, std::move(loaded));
    });
}

void Engine::decisionsAnnounced(wire::Decisions &decisions)
{
    const int index = m_events->applyReplica(decisions.event, decisions.epoch);
    std::vector<RemoteTicket> tickets;
    tickets.reserve(decisions.tickets.size());
    for (const wire::DecidedTicket &t : decisions.tickets)
        // hashUserId is seeded per process (Qt's hash), so each node hashes the id itself.
        tickets.push_back(RemoteTicket{TicketView{t.seq, t.tag, index, t.state, t.reason, t.orderId}, t.requestId,
                                       hashUserId(userKeyOf(t.userId))});
    std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
    m_tickets.applyRemote(tickets, notify);
    dispatch(notify);
    for (const wire::CommandOutcome &outcome : decisions.commands) {
        if (outcome.originNode == m_options.nodeId)
            commandAnswered(outcome);
    }
}

void Engine::eventAnnounced(const EventSnapshot &event)
{
    m_events->applyReplica(event, 0);
}

void Engine::caughtUp(StoreCatchUp &catchUp)
{
    for (const EventSnapshot &event : catchUp.events)
        m_events->applyReplica(event, 0);
    std::vector<RemoteTicket> tickets;
    tickets.reserve(catchUp.tickets.size());
    for (LoadedTicket &t : catchUp.tickets) {
        t.view.eventIndex = m_events->indexOf(t.eventId);
        tickets.push_back(RemoteTicket{t.view, t.requestId, t.userHash});
    }
    std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
    m_tickets.applyRemote(tickets, notify);
    dispatch(notify);
}

std::vector<std::uint64_t> Engine::overdueTickets(std::int64_t nowMs)
{
    std::vector<std::uint64_t> overdue;
    std::lock_guard lock(m_queuedMutex);
    std::vector<QueuedTicket> again;
    while (!m_queuedTickets.empty() && m_queuedTickets.front().dueAtMs <= nowMs && overdue.size() < kMaxLookupBatch) {
        QueuedTicket t = m_queuedTickets.front();
        m_queuedTickets.pop_front();
        const auto view = m_tickets.get(t.seq);
        if (!view || isDecided(view->state) || t.lookups >= kMaxLookups)
            continue;
        overdue.push_back(t.seq);
        again.push_back(QueuedTicket{t.seq, nowMs + kOverdueAfterMs, t.lookups + 1});
    }
    m_queuedTickets.insert(m_queuedTickets.end(), again.begin(), again.end());
    return overdue;
}

} // namespace flashsale
