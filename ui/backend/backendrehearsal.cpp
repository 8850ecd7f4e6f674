#include "ui/backend/backendrehearsal.h"

#include <QTimer>

namespace flashsale {

BackendRehearsal::BackendRehearsal(ConsoleBackend &backend, QObject *parent)
    : RehearsalRun(parent)
    , m_backend(backend)
{
    connect(&m_simulator, &Simulator::finished, this, [this](const SimulationSummary &summary) {
        m_backend.actOnEvent(m_copyId, EventAction::End, this, [](const AdminResult &) {});
        Q_EMIT finished(summary);
    });
}

void BackendRehearsal::start(const SimulationPlan &plan)
{
    if (isRunning())
        return;
    m_copyId.clear();
    m_refused = SimulationSummary{};
    m_refused.shoppers = plan.shoppers; // what summary() shows while the copy is being made
    m_making = true;
    m_cancelled = false;
    m_backend.createRehearsal(plan.eventId, this, [this, plan](const AdminResult &copy) {
        m_making = false;
        if (copy.status != Status::Ok)
            return refuse(plan.shoppers, copy.message);
        SimulationPlan toCopy = plan;
        toCopy.eventId = copy.event.config.id;
        toCopy.baseUrl = m_backend.baseUrl();
        toCopy.adminToken = m_backend.adminToken();
        if (m_cancelled || !m_simulator.start(toCopy)) {
            m_backend.actOnEvent(toCopy.eventId, EventAction::End, this, [](const AdminResult &) {});
            return refuse(plan.shoppers, m_cancelled ? tr("cancelled") : tr("invalid simulation plan"));
        }
        m_copyId = toCopy.eventId;
    });
}

void BackendRehearsal::cancel()
{
    if (m_making)
        m_cancelled = true;
    else
        m_simulator.cancel();
}

SimulationSummary BackendRehearsal::summary() const
{
    return m_copyId.isEmpty() ? m_refused : m_simulator.summary();
}

void BackendRehearsal::refuse(std::int64_t shoppers, const QString &why)
{
    m_refused = SimulationSummary{};
    m_refused.shoppers = m_refused.failed = shoppers;
    m_refused.lastError = why;
    QTimer::singleShot(0, this, [this] { Q_EMIT finished(m_refused); });
}

} // namespace flashsale
