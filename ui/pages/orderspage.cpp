#include "ui/pages/orderspage.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/eventchoice.h"
#include "ui/widgets/exportbar.h"
#include "ui/widgets/labels.h"
#include "ui/widgets/recordsview.h"
#include "ui/models/ordersmodel.h"

#include <QDateTime>
#include <QCheckBox>
#include <QComboBox>
#include <QDate>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace flashsale {

namespace {

// An order as the engine answered an action, as a row of the Orders page.
OrderRow rowOf(const OrderView &o)
{
    return OrderRow{o.orderId, o.eventId, o.userId, o.quantity, o.priceCents, o.priceCents * o.quantity, o.requestId,
                    o.contact, o.simulated, o.decidedAtMs, o.status, o.source, o.expiresAtMs, o.paidAtMs};
}

} // namespace

OrdersPage::OrdersPage(ConsoleBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new OrdersModel(backend, this))
{
    auto *filters = new QHBoxLayout;
    m_eventLabel = new QLabel(this);
    m_event = new QComboBox(this);
    m_event->setObjectName(u"ordersEvent"_qs);
    m_event->addItem(QString(), QString());
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"ordersSearch"_qs);
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(240);
    // Left out by default, as on the Leads page: rehearsals are not sales.
    m_simulated = new QCheckBox(this);
    m_simulated->setObjectName(u"ordersSimulated"_qs);
    m_statusLabel = new QLabel(this);
    m_status = new QComboBox(this);
    m_status->setObjectName(u"ordersStatus"_qs);
    m_status->addItem(QString(), 0);
    for (OrderStatus status : {OrderStatus::PendingPayment, OrderStatus::Paid, OrderStatus::Cancelled,
                               OrderStatus::Expired, OrderStatus::Final})
        m_status->addItem(QString(), int(status));
    m_statusLabel->setBuddy(m_status);
    m_refresh = new QPushButton(this);
    filters->addWidget(m_eventLabel);
    filters->addWidget(m_event);
    filters->addWidget(m_statusLabel);
    filters->addWidget(m_status);
    filters->addWidget(m_search);
    filters->addWidget(m_simulated);
    filters->addStretch(1);
    filters->addWidget(m_refresh);

    auto *actions = new QHBoxLayout;
    m_markPaid = new QPushButton(this);
    m_markPaid->setObjectName(u"markPaidButton"_qs);
    m_cancelOrder = new QPushButton(this);
    m_cancelOrder->setObjectName(u"cancelOrderButton"_qs);
    actions->addWidget(m_markPaid);
    actions->addWidget(m_cancelOrder);
    actions->addStretch(1);

    m_records = new RecordsView(backend, m_model, u"orders"_qs, this);
    m_view = m_records->table();
    m_exportBar = m_records->exportBar();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addLayout(actions);
    layout->addWidget(m_records, 1);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &OrdersPage::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &OrdersPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &OrdersPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &OrdersPage::updateActions);
    connect(m_markPaid, &QPushButton::clicked, this, &OrdersPage::markPaid);
    connect(m_cancelOrder, &QPushButton::clicked, this, &OrdersPage::cancelOrder);
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, m_model, &OrdersModel::refreshCountdowns);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(300);
    connect(&m_searchDelay, &QTimer::timeout, this, &OrdersPage::apply);
    connect(m_search, &QLineEdit::textChanged, &m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_event, &QComboBox::currentIndexChanged, this, &OrdersPage::apply);
    connect(m_simulated, &QCheckBox::toggled, this, &OrdersPage::apply);
    connect(m_status, &QComboBox::currentIndexChanged, this, &OrdersPage::apply);
    connect(m_refresh, &QPushButton::clicked, this, &OrdersPage::apply);
    connect(m_exportBar, &ExportBar::exportRequested, this, &OrdersPage::chooseExportFile);
    retranslate();
}

void OrdersPage::setEvents(const QList<EventSnapshot> &events)
{
    if (!refillEventChoices(m_event, withoutRehearsals(events), &m_eventIds, 1))
        return;
    QHash<QString, QString> currencies;
    for (const EventSnapshot &e : events)
        currencies.insert(e.config.id, e.config.currency);
    m_model->setCurrencies(currencies);
    m_exportBar->setCurrencies(currencies);
}

OrderQuery OrdersPage::query() const
{
    OrderQuery q;
    q.eventId = m_event->currentData().toString();
    q.userContains = m_search->text().trimmed();
    q.includeSimulated = m_simulated->isChecked();
    if (const int status = m_status->currentData().toInt(); status != 0)
        q.status = OrderStatus(status);
    return q;
}

std::optional<OrdersModel::OrderRef> OrdersPage::selectedOrder() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return std::nullopt;
    return m_model->orderAt(rows.first().row());
}

void OrdersPage::selectRow(int row)
{
    m_view->selectRow(row);
    updateActions();
}

void OrdersPage::updateActions()
{
    const auto order = selectedOrder();
    const bool pending = m_calls == 0 && order && order->status == OrderStatus::PendingPayment;
    m_markPaid->setEnabled(pending);
    m_cancelOrder->setEnabled(pending);
}

void OrdersPage::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    selectRow(index.row());
    QMenu menu(this);
    for (QPushButton *b : {m_markPaid, m_cancelOrder}) {
        QAction *action = menu.addAction(b->text(), b, &QPushButton::click);
        action->setEnabled(b->isEnabled());
    }
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void OrdersPage::markPaid()
{
    if (const auto order = selectedOrder(); order && order->status == OrderStatus::PendingPayment)
        act(*order, OrderAction::Pay);
}

void OrdersPage::cancelOrder()
{
    const auto order = selectedOrder();
    if (!order || order->status != OrderStatus::PendingPayment)
        return;
    QMessageBox box(QMessageBox::Question, tr("Cancel the order"),
                    tr("Cancel order %1? Its units are freed at once (back to stock, or offered to the next lead, "
                       "as the event says). This cannot be undone.")
                        .arg(Labels::count(order->orderId)),
                    QMessageBox::Yes | QMessageBox::No, this);
    box.setObjectName(u"cancelOrderConfirm"_qs);
    box.setDefaultButton(QMessageBox::No);
    box.button(QMessageBox::Yes)->setText(tr("Cancel order"));
    box.button(QMessageBox::No)->setText(tr("Keep it"));
    if (box.exec() == QMessageBox::Yes)
        act(*order, OrderAction::Cancel);
}

void OrdersPage::act(const OrdersModel::OrderRef &order, OrderAction action)
{
    ++m_calls;
    updateActions();
    m_backend.actOnOrder(order.eventId, order.orderId, action, this, [this](const AdminResult &result) {
        --m_calls;
        if (result.status == Status::Ok) {
            m_model->orderChanged(rowOf(result.order));
        } else {
            QMessageBox box(QMessageBox::Warning, tr("The order was not changed"), Labels::orderFailure(result),
                            QMessageBox::Ok, this);
            box.setObjectName(u"orderActionFailed"_qs);
            box.exec();
        }
        updateActions();
    });
}

void OrdersPage::apply()
{
    m_searchDelay.stop();
    m_model->setQuery(query());
}

void OrdersPage::chooseExportFile()
{
    const QString date = QDate::currentDate().toString(Qt::ISODate);
    const QString path = m_exportBar->askForFile(tr("Export orders"), QStringLiteral("orders-%1").arg(date));
    if (!path.isEmpty())
        m_exportBar->exportTo(path, query());
}

void OrdersPage::showEvent(QShowEvent *event)
{
    apply();
    m_countdown.start();
    QWidget::showEvent(event);
}

void OrdersPage::hideEvent(QHideEvent *event)
{
    m_countdown.stop();
    QWidget::hideEvent(event);
}

void OrdersPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void OrdersPage::retranslate()
{
    // Times are as wide as the locale writes them.
    const int timeWidth = m_view->fontMetrics().horizontalAdvance(Labels::time(QDateTime::currentMSecsSinceEpoch())) + 24;
    m_view->setColumnWidth(OrdersModel::DecidedAt, timeWidth);
    m_view->setColumnWidth(OrdersModel::PaidAt, timeWidth);
    m_view->setColumnWidth(OrdersModel::PaysBy, timeWidth + m_view->fontMetrics().horizontalAdvance(tr("(%1 left)").arg(u"0:00:00"_qs)));
    m_view->setColumnWidth(OrdersModel::Contact, 220);
    m_view->setColumnWidth(OrdersModel::User, 200);
    m_view->setColumnWidth(OrdersModel::Quantity, 80);
    m_view->setColumnWidth(OrdersModel::Status, 140);
    m_view->setColumnWidth(OrdersModel::Source, 80);
    m_eventLabel->setText(tr("Event:"));
    m_statusLabel->setText(tr("&Status:"));
    m_status->setItemText(0, tr("All"));
    for (int i = 1; i < m_status->count(); ++i)
        m_status->setItemText(i, Labels::orderStatus(OrderStatus(m_status->itemData(i).toInt())));
    m_markPaid->setText(tr("Mark &paid"));
    m_markPaid->setToolTip(tr("The shopper paid for the selected order (awaiting payment): it becomes final."));
    m_cancelOrder->setText(tr("&Cancel order…"));
    m_cancelOrder->setToolTip(tr("Cancels the selected order (awaiting payment) and frees its units: back to stock, "
                                 "or offered to the next lead, as the event's Freed units setting says."));
    m_event->setItemText(0, tr("All events"));
    m_search->setPlaceholderText(tr("Search by user…"));
    m_simulated->setText(tr("Include simulated shoppers"));
    m_records->setTexts(
        [this](std::int64_t total) {
            return m_model->query().includeSimulated ? tr("Orders: %1").arg(Labels::count(total))
                                                     : tr("Orders: %1 (simulated shoppers left out)").arg(Labels::count(total));
        },
        [](const QString &error) { return tr("Cannot read the orders: %1").arg(error); },
        tr("No orders here yet. An order appears as soon as a shopper wins; orders of simulated "
           "shoppers show when “Include simulated shoppers” is ticked."));
    m_refresh->setText(tr("Refresh"));
    if (isVisible())
        apply();
}

} // namespace flashsale
