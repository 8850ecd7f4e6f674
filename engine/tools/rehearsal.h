// A simulated sale against a rehearsal copy of an event, so rehearsing never touches the event.
#pragma once

#include "engine/tools/simulator.h"

#include <QObject>
#include <QString>

namespace flashsale {

class Engine;

// Makes the copy (Engine::createRehearsal), runs the Simulator against it and ends the copy
// when the run finishes; the copy stays in the store, marked, out of shoppers' and exports' way.
// Thread: the thread that created it (needs its event loop), like Simulator; the engine calls
// it makes block until the store commits, as the console's other admin actions do.
class Rehearsal : public QObject
{
    Q_OBJECT
public:
    explicit Rehearsal(Engine &engine, QObject *parent = nullptr);

    // plan.eventId names the real event; the run goes to a new copy of it. When no copy can be
    // made the run still finishes (at once), with every shopper failed and the reason as lastError.
    void start(const SimulationPlan &plan);
    void cancel() { m_simulator.cancel(); }
    bool isRunning() const { return m_simulator.isRunning(); }
    SimulationSummary summary() const { return m_copyId.isEmpty() ? m_refused : m_simulator.summary(); }
    // The copy the last run went to ("" before the first run, or when none could be made).
    const QString &copyId() const { return m_copyId; }

Q_SIGNALS:
    void finished(const flashsale::SimulationSummary &summary);

private:
    void refuse(std::int64_t shoppers, const QString &why);

    Engine &m_engine;
    SimulationSummary m_refused; // the last run's, when it could not start
    Simulator m_simulator;
    QString m_copyId;
};

} // namespace flashsale
