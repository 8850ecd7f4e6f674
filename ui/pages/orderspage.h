// The Orders page: every won order, paged from the database, searchable by user and status, exportable;
// Mark paid and Cancel order on an order awaiting payment.
#pragma once

#include "engine/storage/recordtypes.h"
#include "engine/core/types.h"
#include "ui/models/ordersmodel.h"

#include <QTimer>
#include <QWidget>

#include <optional>


class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace flashsale {

class ConsoleBackend;
class ExportBar;
class RecordsView;

// Thread: GUI thread. The model asks the backend for one page of rows when the view first shows
// it, so a million orders scroll smoothly; the export is the backend's job (ExportBar). Mark paid
// and Cancel order go to the backend one at a time (greyed while one is under way); the row shows
// the engine's answer, and a refusal is shown in a message box ("orderActionFailed").
class OrdersPage : public QWidget
{
    Q_OBJECT
public:
    OrdersPage(ConsoleBackend &backend, QWidget *parent = nullptr);

    // The selected row's order, if its page is here.
    std::optional<OrdersModel::OrderRef> selectedOrder() const;
    // Selects a row (the context menu, tests).
    void selectRow(int row);

    void setEvents(const QList<EventSnapshot> &events);
    OrderQuery query() const;
    OrdersModel *model() const { return m_model; }
    ExportBar *exportBar() const { return m_exportBar; }

public Q_SLOTS:
    void apply();
    // Staff actions on the selected order (Cancel asks first).
    void markPaid();
    void cancelOrder();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void retranslate();
    void chooseExportFile();
    void updateActions();
    void showContextMenu(const QPoint &pos);
    void act(const OrdersModel::OrderRef &order, OrderAction action);

    ConsoleBackend &m_backend;
    OrdersModel *m_model = nullptr;
    int m_calls = 0; // order actions sent, not answered yet
    QTimer m_countdown; // once a second while shown: the Pays by column's time left
    QStringList m_eventIds;
    QTimer m_searchDelay;
    QLabel *m_eventLabel = nullptr;
    QComboBox *m_event = nullptr;
    QLineEdit *m_search = nullptr;
    QCheckBox *m_simulated = nullptr;
    QLabel *m_statusLabel = nullptr;
    QComboBox *m_status = nullptr; // item data: int(OrderStatus), 0 for all
    QPushButton *m_refresh = nullptr;
    QPushButton *m_markPaid = nullptr;
    QPushButton *m_cancelOrder = nullptr;
    RecordsView *m_records = nullptr; // the table, count line, hint and export bar
    QTableView *m_view = nullptr;     // m_records's
    ExportBar *m_exportBar = nullptr; // m_records's
};

} // namespace flashsale
