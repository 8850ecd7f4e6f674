// The embedded node's intake: purchases go straight into the decider's in-process queue, and
// staff changes are applied to the event book and waited for until the writer commits them.
#pragma once

#include "engine/node/intake.h"

#include <atomic>

namespace flashsale {

class DeciderThread;
class Writer;

// Thread: any; it holds only references to the engine's parts, which outlive it.
class InProcessIntake final : public Intake
{
public:
    // lastRowGeneration: the writer generation of the last event row the book enqueued.
    InProcessIntake(EventBook &events, DeciderThread &decider, Writer &writer,
                    const std::atomic<std::uint64_t> &lastRowGeneration);

    void stopIntake() override {}
    void stop(int) override {}
    bool isAvailable() const override;
    QString unavailableReason() const override;
    QString inflightDescription() const override;
    void accept(PurchaseRequest request) override;
    std::int64_t waitingRequests(int) const override { return 0; }
    std::int64_t positionOfNewest(const EventBook::Slot &slot, int eventIndex) const override;
    bool mayBeQueuedElsewhere(std::uint64_t) const override { return false; }
    AdminResult createEvent(const EventConfig &config, CreateAs as) override;
    AdminResult command(wire::EventCommand command) override;
    void describe(EngineStats &) const override {}

private:
    // Waits for the writer to commit the change just made (Unavailable after a few seconds).
    AdminResult committed(AdminResult result) const;
    // An order action: queued to the decider behind the purchases already accepted, decided
    // there, then waited for until committed.
    AdminResult orderAction(const wire::EventCommand &command) const;

    EventBook &m_events;
    DeciderThread &m_decider;
    Writer &m_writer;
    const std::atomic<std::uint64_t> &m_lastRowGeneration;
};

} // namespace flashsale
