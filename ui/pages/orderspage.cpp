#include "ui/pages/orderspage.h"

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
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace flashsale {

OrdersPage::OrdersPage(ConsoleBackend &backend, QWidget *parent)
    : QWidget(parent)
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
    m_refresh = new QPushButton(this);
    filters->addWidget(m_eventLabel);
    filters->addWidget(m_event);
    filters->addWidget(m_search);
    filters->addWidget(m_simulated);
    filters->addStretch(1);
    filters->addWidget(m_refresh);

    m_records = new RecordsView(backend, m_model, u"orders"_qs, this);
    m_view = m_records->table();
    m_exportBar = m_records->exportBar();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_records, 1);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(300);
    connect(&m_searchDelay, &QTimer::timeout, this, &OrdersPage::apply);
    connect(m_search, &QLineEdit::textChanged, &m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_event, &QComboBox::currentIndexChanged, this, &OrdersPage::apply);
    connect(m_simulated, &QCheckBox::toggled, this, &OrdersPage::apply);
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
    return q;
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
    QWidget::showEvent(event);
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
    m_view->setColumnWidth(6, m_view->fontMetrics().horizontalAdvance(Labels::time(QDateTime::currentMSecsSinceEpoch())) + 24);
    m_view->setColumnWidth(5, 220);
    m_view->setColumnWidth(2, 200);
    m_view->setColumnWidth(3, 80);
    m_eventLabel->setText(tr("Event:"));
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
