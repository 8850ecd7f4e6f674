#include "engine/node/inprocessintake.h"

#include "engine/node/deciderthread.h"
#include "engine/node/engine.h"
#include "engine/node/writer.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>

namespace flashsale {

namespace {
constexpr int kAdminCommitTimeoutMs = 5000;
}

InProcessIntake::InProcessIntake(EventBook &events, DeciderThread &decider, Writer &writer,
                                 const std::atomic<std::uint64_t> &lastRowGeneration)
    : m_events(events)
    , m_decider(decider)
    , m_writer(writer)
    , m_lastRowGeneration(lastRowGeneration)
{
}

bool InProcessIntake::isAvailable() const
{
    return !m_writer.isFailing();
}

QString InProcessIntake::unavailableReason() const
{
    return m_writer.isFailing() ? QStringLiteral("the store is failing to commit; retry with the same requestId") : QString();
}

QString InProcessIntake::inflightDescription() const
{
    return QStringLiteral("undecided; deciding and committing them now");
}

void InProcessIntake::accept(PurchaseRequest request)
{
    m_decider.enqueue(std::move(request));
}

std::int64_t InProcessIntake::positionOfNewest(const EventBook::Slot &slot, int) const
{
    return std::max<std::int64_t>(0, slot.acceptedRequests.load(std::memory_order_relaxed)
                                         - slot.decidedRequests.load(std::memory_order_relaxed) - 1);
}

AdminResult InProcessIntake::committed(AdminResult result) const
{
    const std::uint64_t generation = m_lastRowGeneration.load(std::memory_order_acquire);
    if (result.status == Status::Ok && !m_writer.waitCommitted(generation, kAdminCommitTimeoutMs)) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("the change is applied but the store has not committed it yet");
    }
    return result;
}

AdminResult InProcessIntake::orderAction(const wire::EventCommand &command) const
{
    // Shared with the decider's task, which may still run after a timeout here.
    auto decided = std::make_shared<std::promise<std::pair<AdminResult, std::uint64_t>>>();
    std::future<std::pair<AdminResult, std::uint64_t>> answer = decided->get_future();
    m_decider.enqueueOrderAction(command.eventId, command.orderId, command.orderAction,
                                 [decided](AdminResult result, std::uint64_t generation) {
                                     decided->set_value({std::move(result), generation});
                                 });
    if (answer.wait_for(std::chrono::milliseconds(kAdminCommitTimeoutMs)) != std::future_status::ready)
        return AdminResult{Status::Unavailable, EventSnapshot(), QStringLiteral("the decider did not get to the order in time")};
    auto [result, generation] = answer.get();
    if (generation > 0 && !m_writer.waitCommitted(generation, kAdminCommitTimeoutMs)) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("the change is decided but the store has not committed it yet");
    }
    return result;
}

AdminResult InProcessIntake::createEvent(const EventConfig &config, CreateAs as)
{
    return committed(m_events.create(config, Engine::nowMs(), as));
}

AdminResult InProcessIntake::command(wire::EventCommand command)
{
    switch (command.kind) {
    case wire::EventCommand::Kind::Update:
        return committed(m_events.update(command.eventId, command.patch, Engine::nowMs()));
    case wire::EventCommand::Kind::Act:
        return committed(m_events.act(command.eventId, command.action, Engine::nowMs()));
    case wire::EventCommand::Kind::Restock:
        return committed(m_events.restock(command.eventId, command.units, Engine::nowMs()));
    case wire::EventCommand::Kind::Order:
        return orderAction(command);
    case wire::EventCommand::Kind::ExpireDue: // scale-out nodes only: this decider expires orders on its tick
        break;
    }
    return AdminResult{Status::Invalid, EventSnapshot(), QStringLiteral("unknown staff command")};
}

} // namespace flashsale
