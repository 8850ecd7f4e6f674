// Tools → Simulate: sends synthetic shoppers through the real HTTP API against one event.
#pragma once

#include "engine/simulator.h"
#include "engine/types.h"

#include <QDialog>
#include <QTimer>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace flashsale {

class Server;

// Thread: GUI thread. Non-modal so staff watch the dashboard while it runs; polls the
// Simulator's summary on a timer (the simulator sends no per-request signals).
class SimulateDialog : public QDialog
{
    Q_OBJECT
public:
    SimulateDialog(Server &server, QWidget *parent = nullptr);

    void setEvents(const QList<EventSnapshot> &events);
    // Starts a run against eventId with shoppers shoppers; false when not possible.
    bool start(const QString &eventId, int shoppers);
    Simulator *simulator() { return &m_simulator; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void showSummary();
    void toggle();

    Server &m_server;
    Simulator m_simulator;
    QTimer m_poll;
    QStringList m_eventItems;      // the items shown, as text
    QList<EventSnapshot> m_events; // the events they show
    QLabel *m_intro = nullptr, *m_eventLabel = nullptr, *m_shoppersLabel = nullptr, *m_concurrencyLabel = nullptr;
    QComboBox *m_event = nullptr;
    QSpinBox *m_shoppers = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace flashsale
