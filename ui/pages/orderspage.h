// The Orders page: every won order, paged from the database, searchable by user, exportable as CSV.
#pragma once

#include "engine/storage/recordtypes.h"
#include "engine/core/types.h"

#include <QTimer>
#include <QWidget>


class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace flashsale {

class ConsoleBackend;
class ExportBar;
class OrdersModel;
class RecordsView;

// Thread: GUI thread. The model asks the backend for one page of rows when the view first shows
// it, so a million orders scroll smoothly; the export is the backend's job (ExportBar).
class OrdersPage : public QWidget
{
    Q_OBJECT
public:
    OrdersPage(ConsoleBackend &backend, QWidget *parent = nullptr);

    void setEvents(const QList<EventSnapshot> &events);
    OrderQuery query() const;
    OrdersModel *model() const { return m_model; }
    ExportBar *exportBar() const { return m_exportBar; }

public Q_SLOTS:
    void apply();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void retranslate();
    void chooseExportFile();

    OrdersModel *m_model = nullptr;
    QStringList m_eventIds;
    QTimer m_searchDelay;
    QLabel *m_eventLabel = nullptr;
    QComboBox *m_event = nullptr;
    QLineEdit *m_search = nullptr;
    QCheckBox *m_simulated = nullptr;
    QPushButton *m_refresh = nullptr;
    RecordsView *m_records = nullptr; // the table, count line, hint and export bar
    QTableView *m_view = nullptr;     // m_records's
    ExportBar *m_exportBar = nullptr; // m_records's
};

} // namespace flashsale
