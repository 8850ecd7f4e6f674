#include "engine/tools/rehearsal.h"

#include "engine/node/engine.h"

#include <QTimer>

namespace flashsale {

Rehearsal::Rehearsal(Engine &engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
    connect(&m_simulator, &Simulator::finished, this, [this](const SimulationSummary &summary) {
        m_engine.actOnEvent(m_copyId, EventAction::End);
        Q_EMIT finished(summary);
    });
}

void Rehearsal::start(const SimulationPlan &plan)
{
    if (m_simulator.isRunning())
        return;
    m_copyId.clear();
    const AdminResult copy = m_engine.createRehearsal(plan.eventId);
    if (copy.status != Status::Ok)
        return refuse(plan.shoppers, copy.message);
    SimulationPlan toCopy = plan;
    toCopy.eventId = copy.event.config.id;
    if (!m_simulator.start(toCopy)) {
        m_engine.actOnEvent(toCopy.eventId, EventAction::End);
        return refuse(plan.shoppers, QStringLiteral("invalid simulation plan"));
    }
    m_copyId = toCopy.eventId;
}

void Rehearsal::refuse(std::int64_t shoppers, const QString &why)
{
    m_refused = SimulationSummary{};
    m_refused.shoppers = m_refused.failed = shoppers;
    m_refused.lastError = why;
    QTimer::singleShot(0, this, [this] { Q_EMIT finished(m_refused); });
}

} // namespace flashsale
