// The live dashboard: rates, queue and stock over a moving window, plus the headline tiles.
#pragma once

#include "engine/engine.h"

#include <QWidget>

#include <deque>
#include <memory>

class QComboBox;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QPushButton;

namespace flashsale {

class ReaderThread;

// Thread: GUI thread. MainWindow hands it one EngineStats snapshot per timer tick (never a signal
// per request); rates and windowed latency quantiles come from differences between snapshots.
// The intent-lead count is a database query, run on a ReaderThread at most once a second.
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    DashboardPage(const StoreLocation &store, QWidget *parent = nullptr);
    ~DashboardPage() override;

    void addSample(const EngineStats &stats);
    // Empty: all events.
    void setEventFilter(const QString &eventId);
    QString eventFilter() const;
    void setWindowMinutes(int minutes);
    // Writes the tiles and charts as PNG or PDF (by suffix); false and error on failure.
    bool saveTo(const QString &path, QString *error);

    // Tile values as shown, for tests and the status bar.
    QString tileText(const QString &tileName) const;

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
    };
    struct Figures {
        std::int64_t accepted = 0;
        std::int64_t wonRequests = 0;
        std::int64_t wonUnits = 0;
        std::int64_t lost = 0;
        std::int64_t queue = 0;
        std::int64_t remaining = 0;
    };
    Figures figuresOf(const EngineStats &stats) const;
    void retranslate();
    void updateEventList(const QList<EventSnapshot> &events);
    void redraw();
    // Renders the charts now if shown (queued), else on the next show or save: a hidden chart
    // costs a full software replot per refresh for nothing.
    void replotCharts();
    void countLeads();
    Tile addTile(QGridLayout *grid, int index, const QString &name);
    QCustomPlot *addPlot(const QString &name);

    StoreLocation m_store;
    std::unique_ptr<ReaderThread> m_reader;
    std::deque<EngineStats> m_samples; // oldest first, covers the longest window
    QString m_eventId;
    int m_windowMinutes = 5;
    std::int64_t m_leads = -1;
    std::int64_t m_leadsCountedAtMs = 0;
    QStringList m_eventIds;

    QWidget *m_content = nullptr; // what a saved report shows
    QLabel *m_eventLabel = nullptr, *m_windowLabel = nullptr, *m_title = nullptr;
    QComboBox *m_event = nullptr;
    QComboBox *m_window = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_saleReport = nullptr; // enabled when one event is chosen
    Tile m_accepted, m_wonUnits, m_conversion, m_leadsTile, m_p50, m_p99, m_clients;
    QCustomPlot *m_ratePlot = nullptr;
    QCustomPlot *m_queuePlot = nullptr;
    QCustomPlot *m_stockPlot = nullptr;
    bool m_chartsStale = false; // data set while hidden, not yet rendered
};

} // namespace flashsale
