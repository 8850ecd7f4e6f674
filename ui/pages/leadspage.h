// The Intent leads page: shoppers who did not get the item, filtered, sorted and exported as CSV.
#pragma once

#include "engine/storage/recordtypes.h"
#include "engine/core/types.h"

#include <QWidget>


class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QTableView;

namespace flashsale {

class ConsoleBackend;
class ExportBar;
class LeadsModel;
class RecordsView;

// Thread: GUI thread. The table pages through the backend (never the GUI thread's own reads);
// the export is the backend's job (ExportBar) and never blocks the UI.
class LeadsPage : public QWidget
{
    Q_OBJECT
public:
    LeadsPage(ConsoleBackend &backend, QWidget *parent = nullptr);

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
    void chooseExportFile();

    LeadsModel *m_model = nullptr;
    QStringList m_eventIds;
    QLabel *m_eventLabel = nullptr, *m_reasonLabel = nullptr;
    QComboBox *m_event = nullptr;
    QComboBox *m_reason = nullptr;
    QCheckBox *m_fromSet = nullptr, *m_toSet = nullptr;
    QDateEdit *m_from = nullptr, *m_to = nullptr;
    QCheckBox *m_contactOnly = nullptr;
    QCheckBox *m_offeredOnly = nullptr; // leads freed units were offered to
    QCheckBox *m_simulated = nullptr;
    QPushButton *m_refresh = nullptr;
    RecordsView *m_records = nullptr; // the table, count line, hint and export bar
    QTableView *m_view = nullptr;     // m_records's
    ExportBar *m_exportBar = nullptr; // m_records's
};

} // namespace flashsale
