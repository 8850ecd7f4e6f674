// The Intent leads page: shoppers who did not get the item, filtered, sorted and exported as CSV.
#pragma once

#include "engine/node/engine.h"
#include "engine/storage/records.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QTableView;

namespace flashsale {

class ExportBar;
class LeadsModel;
class ReaderThread;

// Thread: GUI thread. The table pages from the GUI thread's read connection; the export runs on
// this page's ReaderThread and never blocks the UI.
class LeadsPage : public QWidget
{
    Q_OBJECT
public:
    LeadsPage(const StoreLocation &store, QWidget *parent = nullptr);
    ~LeadsPage() override;

    void setEvents(const QList<EventSnapshot> &events);
    // The filters as set in the widgets.
    IntentQuery query() const;
    LeadsModel *model() const { return m_model; }
    ExportBar *exportBar() const { return m_exportBar; }

public Q_SLOTS:
    void apply();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void retranslate();
    // The count line (and the empty-state hint) for the last read, in the current language.
    void showCount();
    void chooseExportFile();

    std::unique_ptr<ReaderThread> m_reader; // destroyed first: waits for a running export
    LeadsModel *m_model = nullptr;
    QStringList m_eventIds;
    QLabel *m_eventLabel = nullptr, *m_reasonLabel = nullptr, *m_count = nullptr;
    QLabel *m_empty = nullptr;  // what a lead is, when none matches
    std::int64_t m_total = -1; // rows of the last read (-1: none yet)
    QComboBox *m_event = nullptr;
    QComboBox *m_reason = nullptr;
    QCheckBox *m_fromSet = nullptr, *m_toSet = nullptr;
    QDateEdit *m_from = nullptr, *m_to = nullptr;
    QCheckBox *m_contactOnly = nullptr;
    QCheckBox *m_simulated = nullptr;
    QPushButton *m_refresh = nullptr;
    QTableView *m_view = nullptr;
    ExportBar *m_exportBar = nullptr;
};

} // namespace flashsale
