// Simulate a sale through a ConsoleBackend: the copy is made and ended by the backend's staff
// calls, the shoppers go through the node's API, so it works for an embedded and a remote node alike.
#pragma once

#include "engine/tools/simulator.h"
#include "ui/backend/consolebackend.h"

namespace flashsale {

// Thread: GUI thread (the Simulator needs its event loop). The backend must outlive it.
class BackendRehearsal : public RehearsalRun
{
    Q_OBJECT
public:
    BackendRehearsal(ConsoleBackend &backend, QObject *parent = nullptr);

    void start(const SimulationPlan &plan) override;
    void cancel() override;
    bool isRunning() const override { return m_making || m_simulator.isRunning(); }
    SimulationSummary summary() const override;
    QString copyId() const override { return m_copyId; }

private:
    void refuse(std::int64_t shoppers, const QString &why);

    ConsoleBackend &m_backend;
    Simulator m_simulator;
    SimulationSummary m_refused; // the last run's, when no copy could be made
    bool m_making = false;       // the copy is being made
    bool m_cancelled = false;    // cancelled while the copy was being made
    QString m_copyId;
};

} // namespace flashsale
