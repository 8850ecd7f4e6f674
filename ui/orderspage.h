// The Orders page: every won order, paged from the database, searchable by user, exportable as CSV.
#pragma once

#include "engine/node/engine.h"
#include "engine/storage/records.h"

#include <QTimer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace flashsale {

class ExportBar;
class OrdersModel;
class ReaderThread;

// Thread: GUI thread. The model fetches one page of rows when the view first shows it, so a
// million orders scroll smoothly; the export runs on this page's ReaderThread.
class OrdersPage : public QWidget
{
    Q_OBJECT
public:
    OrdersPage(const StoreLocation &store, QWidget *parent = nullptr);
    ~OrdersPage() override;

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
    // The count line (and the empty-state hint) for the last read, in the current language.
    void showCount();
    void chooseExportFile();

    std::unique_ptr<ReaderThread> m_reader; // destroyed first: waits for a running export
    OrdersModel *m_model = nullptr;
    QStringList m_eventIds;
    QTimer m_searchDelay;
    QLabel *m_eventLabel = nullptr, *m_count = nullptr;
    QLabel *m_empty = nullptr;  // what to expect when no order matches
    std::int64_t m_total = -1; // rows of the last read (-1: none yet)
    QComboBox *m_event = nullptr;
    QLineEdit *m_search = nullptr;
    QCheckBox *m_simulated = nullptr;
    QPushButton *m_refresh = nullptr;
    QTableView *m_view = nullptr;
    ExportBar *m_exportBar = nullptr;
};

} // namespace flashsale
