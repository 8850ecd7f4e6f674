// The live dashboard: rates, queue and stock over a moving window, plus the headline tiles.
#pragma once

#include "engine/node/enginestats.h"
#include "engine/storage/recordtypes.h"

#include <QWidget>

#include <deque>
#include <optional>

class QComboBox;
class QCPItemText;
class QCPItemTracer;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QPushButton;

namespace flashsale {

class ConsoleBackend;

// Thread: GUI thread. MainWindow hands it one EngineStats snapshot per timer tick (never a signal
// per request). Each tile shows the chosen window (the difference between the newest snapshot and
// the last one before the window; the title says so when the page's snapshots start later) and,
// smaller, the figure since the event opened. Lead counts are asked of the backend at most once a
// second (one at a time), and shown when they come back.
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    DashboardPage(ConsoleBackend &backend, QWidget *parent = nullptr);
    ~DashboardPage() override;

    void addSample(const EngineStats &stats);
    // Empty: all events.
    void setEventFilter(const QString &eventId);
    QString eventFilter() const;
    void setWindowMinutes(int minutes);
    // Writes the tiles and charts as PNG or PDF (by suffix); false and error on failure.
    bool saveTo(const QString &path, QString *error);

    // Tile values as shown, for tests and the status bar; the note is the small line under it.
    QString tileText(const QString &tileName) const;
    QString tileNote(const QString &tileName) const;

public Q_SLOTS:
    void saveReport();
    // Opens the post-sale report of the chosen event (computed from the stored journal).
    void openSaleReport();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    struct Tile {
        QLabel *caption = nullptr;
        QLabel *value = nullptr;
        QLabel *note = nullptr; // the scope: "since open: …", or why the value is an older one
    };
    struct Figures {
        std::int64_t accepted = 0;
        std::int64_t wonRequests = 0;
        std::int64_t wonUnits = 0;
        std::int64_t lost = 0;
        std::int64_t queue = 0;
        std::int64_t remaining = 0;
        OrderCounts orders;         // summed over the events with a payment window
        bool paymentWindow = false; // at least one event counted has one
    };
    struct Latency {
        std::int64_t p50Us = 0;
        std::int64_t p99Us = 0;
    };
    Figures figuresOf(const EngineStats &stats) const;
    // Where the window starts: the newest snapshot minus the window, or the page's first snapshot
    // when that is later. base: the snapshot the window's differences start from.
    std::int64_t windowStartMs(const EngineStats **base) const;
    void showLeads();
    void showPayments(const Figures &now);
    void retranslate();
    void updateEventList(const QList<EventSnapshot> &events);
    void redraw();
    // Renders the charts now if shown (queued), else on the next show or save: a hidden chart
    // costs a full software replot per refresh for nothing.
    void replotCharts();
    void countLeads();
    Tile addTile(QGridLayout *grid, int row, int column, const QString &name);
    void showQueuePeak(const QVector<double> &seconds, const QVector<double> &depths);
    QCustomPlot *addPlot(const QString &name);

    ConsoleBackend &m_backend;
    bool m_countingLeads = false; // a count was asked for and has not come back
    std::deque<EngineStats> m_samples; // oldest first, covers the longest window
    QString m_eventId;
    int m_windowMinutes = 5;
    LeadCounts m_leads;
    bool m_leadsKnown = false;
    std::int64_t m_leadsCountedAtMs = 0;
    std::optional<Latency> m_lastLatency; // the last non-empty window's, kept while none is decided
    QStringList m_eventIds;

    QWidget *m_content = nullptr; // what a saved report shows
    QLabel *m_eventLabel = nullptr, *m_windowLabel = nullptr, *m_title = nullptr;
    QComboBox *m_event = nullptr;
    QComboBox *m_window = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_saleReport = nullptr; // enabled when one event is chosen
    Tile m_accepted, m_wonUnits, m_conversion, m_clients, m_leadsTile, m_withContact, m_p50, m_p99;
    Tile m_rejected; // purchases refused by the rate limits
    // Orders and payment, as the engine counts them now (not a window's difference): "—" when no
    // event counted has a payment window.
    Tile m_paidConversion, m_pendingPayments, m_freedUnits;
    QCustomPlot *m_ratePlot = nullptr;
    QCustomPlot *m_queuePlot = nullptr;
    QCPItemTracer *m_queuePeak = nullptr;   // at the window's highest queue depth
    QCPItemText *m_queuePeakLabel = nullptr;
    QCustomPlot *m_stockPlot = nullptr;
    bool m_chartsStale = false; // data set while hidden, not yet rendered
};

} // namespace flashsale
