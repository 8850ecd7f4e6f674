// The Engine's side of a scale-out intake: the node operations a broker link calls (ClusterHost:
// apply other nodes' decisions, take an event over, run a delivered command) and the commit
// pipeline's handover to the link. The broker's bookkeeping is ClusterLink's (engine/cluster).
#include "engine/node/engine.h"

#include "engine/node/deciderthread.h"
#include "engine/node/writer.h"

namespace flashsale {

void Engine::onCommittedClustered(WriterBatch &batch)
{
    const std::int64_t nowWallMs = nowMs();
    std::vector<RemoteTicket> tickets;
    IntakeSettlement settled;
    std::map<int, wire::Decisions> byEvent;
    tickets.reserve(batch.decided.size());
    for (const DecidedRequest &d : batch.decided) {
        if (d.disposition == DecidedRequest::Disposition::Returned) {
            settled.returnedSeqs.push_back(d.request.seq);
            continue;
        }
        settled.committedSeqs.push_back(d.request.seq);
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
    // Order changes (expiries, payments, offers) change the units held: every node hears of them,
    // and a lead's ticket shows its offer on every node.
    for (const OrderChange &change : batch.orderChanges) {
        wire::Decisions &announcement = byEvent[m_events->indexOf(change.order.eventId)];
        announcement.epoch = std::max(announcement.epoch, change.deciderEpoch);
        if (change.created) {
            announcement.offers.push_back(wire::Offer{change.order.ticketSeq, change.order.orderId, change.order.expiresAtMs});
            m_tickets.setOffer(change.order.ticketSeq, change.order.orderId, change.order.expiresAtMs, m_notify);
        }
    }
    for (const CommandDone &done : batch.commands) {
        if (done.returned) {
            settled.returnedCommands.push_back(done.outcome.correlationId);
            continue;
        }
        settled.committedCommands.push_back(done.outcome.correlationId);
        wire::Decisions &announcement = byEvent[m_events->indexOf(done.eventId)];
        announcement.epoch = std::max(announcement.epoch, done.epoch);
        announcement.commands.push_back(done.outcome);
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
    m_cluster->settle(settled);
}

void Engine::onFenced(const std::vector<FencedEvent> &fenced, WriterBatch &dropped)
{
    for (const FencedEvent &f : fenced)
        m_events->loseAuthority(m_events->indexOf(f.eventId), f.epoch);
    // Not committed here, so not acknowledged: the broker gives them to the event's decider.
    IntakeSettlement returned;
    for (const DecidedRequest &d : dropped.decided)
        returned.returnedSeqs.push_back(d.request.seq);
    for (const CommandDone &done : dropped.commands)
        returned.returnedCommands.push_back(done.outcome.correlationId);
    m_cluster->settle(returned);
}

void Engine::runCommand(const wire::EventCommand &command)
{
    CommandDone done;
    done.outcome.correlationId = command.correlationId;
    done.outcome.originNode = command.originNode;
    done.eventId = command.eventId;
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
        case wire::EventCommand::Kind::Order: {
            // Its changes go to the writer before the command: the answer follows their commit.
            std::uint64_t generation = 0;
            result = m_decider->actOnOrder(command.eventId, command.orderId, command.orderAction, &generation);
            break;
        }
        case wire::EventCommand::Kind::ExpireDue: // taken over by now: the next clock tick expires them
            result = AdminResult{Status::Ok, m_events->snapshot(m_events->indexOf(command.eventId)).value_or(EventSnapshot()), QString()};
            break;
        }
        done.outcome.status = result.status;
        done.outcome.message = result.message;
        done.outcome.order = result.order;
        done.event = result.event;
    }
    m_writer->enqueueCommand(std::move(done));
}

void Engine::requestsQueued(std::vector<TicketChange> &queued)
{
    m_inflight.fetch_sub(std::int64_t(queued.size()), std::memory_order_relaxed);
    std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
    m_tickets.apply(queued, notify);
    dispatch(notify);
}

void Engine::requestsDelivered(std::vector<PurchaseRequest> &requests)
{
    m_decider->enqueue(requests);
}

void Engine::commandDelivered(wire::EventCommand command)
{
    m_decider->enqueueTask([this, command = std::move(command)] { runCommand(command); });
}

std::optional<EventSnapshot> Engine::eventSnapshot(int index) const
{
    return m_events->snapshot(index);
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
    for (const wire::Offer &offer : decisions.offers)
        m_tickets.setOffer(offer.seq, offer.orderId, offer.expiresAtMs, notify);
    dispatch(notify);
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
    for (const wire::Offer &offer : catchUp.offers)
        m_tickets.setOffer(offer.seq, offer.orderId, offer.expiresAtMs, notify);
    dispatch(notify);
}

std::optional<TicketState> Engine::ticketState(std::uint64_t seq) const
{
    const auto view = m_tickets.get(seq);
    return view ? std::optional<TicketState>(view->state) : std::nullopt;
}

int Engine::eventCount() const
{
    return m_events->count();
}

int Engine::eventIndexOf(QStringView eventId) const
{
    return m_events->indexOf(eventId);
}

std::uint64_t Engine::ticketNumbersLeft() const
{
    return m_tickets.seqsLeft();
}

void Engine::addTicketNumbers(std::uint64_t first, std::uint64_t count)
{
    m_tickets.addSeqBlock(first, count);
}

} // namespace flashsale
