// Tools → Simulate: a rehearsal of one event, paced synthetic shoppers against a copy of it.
#pragma once

#include "engine/tools/simulationtypes.h"
#include "engine/core/types.h"

#include <QDialog>
#include <QTimer>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace flashsale {

class ConsoleBackend;
class RehearsalRun;

// Thread: GUI thread. Non-modal so staff watch the dashboard while it runs; polls the
// rehearsal's summary on a timer (the simulator sends no per-request signals). The progress bar
// counts decided shoppers, the same figure the summary line starts with.
class SimulateDialog : public QDialog
{
    Q_OBJECT
public:
    SimulateDialog(ConsoleBackend &backend, QWidget *parent = nullptr);

    // The events to choose from, with their states; call it as they change (rehearsal copies
    // are left out).
    void setEvents(const QList<EventSnapshot> &events);
    // Starts a rehearsal of eventId with shoppers shoppers at the dialog's pace.
    void start(const QString &eventId, int shoppers);
    RehearsalRun *rehearsal() { return m_rehearsal; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void labelEvents(); // "name — id (state)" for each choice, in the current language
    void showSummary();
    void toggle();

    RehearsalRun *m_rehearsal = nullptr; // a child
    QTimer m_poll;
    QList<EventSnapshot> m_events; // the choices, as last shown
    QLabel *m_intro = nullptr, *m_eventLabel = nullptr, *m_shoppersLabel = nullptr, *m_concurrencyLabel = nullptr,
           *m_paceLabel = nullptr;
    QComboBox *m_event = nullptr;
    QSpinBox *m_shoppers = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QSpinBox *m_pace = nullptr; // shoppers per second, 0: as fast as possible
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace flashsale
