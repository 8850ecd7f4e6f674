// Sends synthetic shoppers through the real HTTP API so staff can rehearse a launch.
#pragma once

#include "engine/tools/simulationtypes.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace flashsale {

// Thread: lives on the thread that created it (needs its event loop); uses only QtNetwork.
// Reports through summary() (poll it) and one finished() signal, never a signal per request.
class Simulator : public QObject
{
    Q_OBJECT
public:
    explicit Simulator(QObject *parent = nullptr);
    ~Simulator() override;

    // Starts a run; false when one is running or the plan is invalid.
    bool start(const SimulationPlan &plan);
    // Stops sending new shoppers and aborts those in flight; finished() follows.
    void cancel();
    bool isRunning() const { return m_running; }
    SimulationSummary summary() const;

Q_SIGNALS:
    void finished(const flashsale::SimulationSummary &summary);

private:
    void sendNext();
    void send(std::int64_t shopper, int attempt);
    void onReply(QNetworkReply *reply, std::int64_t shopper, int attempt);
    void finishIfDone();

    SimulationPlan m_plan;
    QString m_runTag;
    std::vector<QNetworkAccessManager *> m_managers; // several, to get past 6 connections per host
    SimulationSummary m_summary;
    QElapsedTimer m_clock;
    QTimer m_pace; // single shot: when the next paced shopper is due
    std::int64_t m_next = 0;
    int m_inFlight = 0; // requests out or waiting for a retry
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace flashsale

Q_DECLARE_METATYPE(flashsale::SimulationSummary)
