#include "ui/pages/webhookspage.h"

#include "ui/widgets/labels.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace flashsale {

namespace {
constexpr int kPollMs = 3000;
constexpr int kRowsShown = 200;
} // namespace

WebhooksPage::WebhooksPage(ConsoleBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_backend(backend)
{
    m_endpointGroup = new QGroupBox(this);
    auto *endpointForm = new QFormLayout(m_endpointGroup);
    m_urlLabel = new QLabel(m_endpointGroup);
    m_url = new QLineEdit(m_endpointGroup);
    m_url->setObjectName(u"webhookUrl"_qs);
    m_url->setPlaceholderText(u"https://shop.example/hooks/flashsale"_qs);
    m_urlLabel->setBuddy(m_url);
    m_save = new QPushButton(m_endpointGroup);
    m_save->setObjectName(u"saveWebhook"_qs);
    m_remove = new QPushButton(m_endpointGroup);
    m_remove->setObjectName(u"removeWebhook"_qs);
    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(m_url, 1);
    urlRow->addWidget(m_save);
    urlRow->addWidget(m_remove);
    endpointForm->addRow(m_urlLabel, urlRow);
    m_secretLabel = new QLabel(m_endpointGroup);
    m_secret = new QLineEdit(m_endpointGroup);
    m_secret->setObjectName(u"webhookSecret"_qs);
    m_secret->setReadOnly(true);
    m_copySecret = new QPushButton(m_endpointGroup);
    m_copySecret->setObjectName(u"copyWebhookSecret"_qs);
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(m_secret, 1);
    secretRow->addWidget(m_copySecret);
    endpointForm->addRow(m_secretLabel, secretRow);
    m_endpointNote = new QLabel(m_endpointGroup);
    m_endpointNote->setWordWrap(true);
    endpointForm->addRow(m_endpointNote);

    m_deliveriesGroup = new QGroupBox(this);
    auto *deliveriesBox = new QVBoxLayout(m_deliveriesGroup);
    auto *filterRow = new QHBoxLayout;
    m_statusLabel = new QLabel(m_deliveriesGroup);
    m_status = new QComboBox(m_deliveriesGroup);
    m_status->setObjectName(u"deliveryStatus"_qs);
    m_statusLabel->setBuddy(m_status);
    m_refresh = new QPushButton(m_deliveriesGroup);
    m_retrySelected = new QPushButton(m_deliveriesGroup);
    m_retrySelected->setObjectName(u"retrySelected"_qs);
    m_retryFailing = new QPushButton(m_deliveriesGroup);
    m_retryFailing->setObjectName(u"retryFailing"_qs);
    filterRow->addWidget(m_statusLabel);
    filterRow->addWidget(m_status);
    filterRow->addStretch(1);
    filterRow->addWidget(m_refresh);
    filterRow->addWidget(m_retrySelected);
    filterRow->addWidget(m_retryFailing);
    m_table = new QTableWidget(0, 7, m_deliveriesGroup);
    m_table->setObjectName(u"deliveries"_qs);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    deliveriesBox->addLayout(filterRow);
    deliveriesBox->addWidget(m_table, 1);

    m_message = new QLabel(this);
    m_message->setObjectName(u"webhookMessage"_qs);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_endpointGroup);
    layout->addWidget(m_deliveriesGroup, 1);
    layout->addWidget(m_message);

    m_poll = new QTimer(this);
    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, this, &WebhooksPage::refreshDeliveries);
    connect(m_save, &QPushButton::clicked, this, &WebhooksPage::saveEndpoint);
    connect(m_url, &QLineEdit::returnPressed, this, &WebhooksPage::saveEndpoint);
    connect(m_remove, &QPushButton::clicked, this, &WebhooksPage::removeEndpoint);
    connect(m_copySecret, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_secret->text());
        say(tr("Secret copied. Store it in the shop's backend: it is not shown again."));
    });
    connect(m_refresh, &QPushButton::clicked, this, &WebhooksPage::refresh);
    connect(m_status, &QComboBox::currentIndexChanged, this, &WebhooksPage::refreshDeliveries);
    connect(m_retrySelected, &QPushButton::clicked, this, [this] { retry(true); });
    connect(m_retryFailing, &QPushButton::clicked, this, [this] { retry(false); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this,
            [this] { m_retrySelected->setEnabled(!m_table->selectedItems().isEmpty()); });
    retranslate();
    showEndpoint(m_endpoint);
}

void WebhooksPage::refresh()
{
    m_backend.fetchWebhook(this, [this](const WebhookEndpoint &endpoint, const QString &, const QString &error) {
        if (!error.isEmpty())
            return say(tr("Cannot read the webhook endpoint: %1").arg(error), true);
        showEndpoint(endpoint);
    });
    refreshDeliveries();
}

void WebhooksPage::refreshDeliveries()
{
    WebhookDeliveryQuery query;
    if (const int status = m_status->currentData().toInt(); status > 0)
        query.status = WebhookStatus(status);
    query.limit = kRowsShown;
    m_backend.fetchWebhookDeliveries(query, this, [this](const QList<WebhookDeliveryRow> &rows, const QString &error) {
        if (!error.isEmpty())
            return say(tr("Cannot read the deliveries: %1").arg(error), true);
        showDeliveries(rows);
    });
}

void WebhooksPage::saveEndpoint()
{
    const QString url = m_url->text().trimmed();
    m_backend.setWebhook(url, QString(), this, [this](const WebhookEndpoint &endpoint, const QString &secret, const QString &error) {
        if (!error.isEmpty())
            return say(tr("The endpoint was not saved: %1").arg(error), true);
        showEndpoint(endpoint);
        m_secret->setText(secret);
        m_copySecret->setEnabled(true);
        say(tr("Saved. A new signing secret was made: copy it to the shop's backend now, it is shown only this once."));
        refreshDeliveries();
    });
}

void WebhooksPage::removeEndpoint()
{
    m_backend.removeWebhook(this, [this](const WebhookEndpoint &endpoint, const QString &, const QString &error) {
        if (!error.isEmpty())
            return say(tr("The endpoint was not removed: %1").arg(error), true);
        showEndpoint(endpoint);
        m_url->clear();
        say(tr("Removed: no webhooks are sent until an endpoint is set again."));
    });
}

void WebhooksPage::retry(bool selectedOnly)
{
    QString id;
    if (selectedOnly) {
        const int row = m_table->currentRow();
        if (row < 0 || row >= m_rows.size())
            return;
        id = m_rows.at(row).id;
    }
    m_backend.retryWebhooks(id, this, [this](int count, const QString &error) {
        if (!error.isEmpty())
            return say(tr("Retry failed: %1").arg(error), true);
        say(tr("%n webhook(s) will be sent again now.", nullptr, count));
        refreshDeliveries();
    });
}

void WebhooksPage::showEndpoint(const WebhookEndpoint &endpoint)
{
    m_endpoint = endpoint;
    if (!m_url->hasFocus() && !endpoint.url.isEmpty())
        m_url->setText(endpoint.url);
    m_remove->setEnabled(!endpoint.url.isEmpty());
    m_copySecret->setEnabled(!m_secret->text().isEmpty());
    m_endpointNote->setText(endpoint.url.isEmpty()
                                ? tr("No endpoint is set: nothing is sent. Wins, payments, cancellations, expiries and "
                                     "events opening, selling out and ending are sent once one is.")
                                : tr("Set %1. Each webhook is a signed POST (header Flashsale-Signature); failed ones are "
                                     "retried for three days, from 1 s apart doubling to an hour.")
                                      .arg(Labels::time(endpoint.configuredAtMs)));
}

QString WebhooksPage::statusText(WebhookStatus status)
{
    switch (status) {
    case WebhookStatus::Pending:
        return tr("Waiting");
    case WebhookStatus::Retrying:
        return tr("Retrying");
    case WebhookStatus::Delivered:
        return tr("Delivered");
    case WebhookStatus::Failed:
        return tr("Gave up");
    case WebhookStatus::Skipped:
        return tr("Not sent (no endpoint then)");
    }
    return QString();
}

void WebhooksPage::showDeliveries(const QList<WebhookDeliveryRow> &rows)
{
    const QString selectedId = m_table->currentRow() >= 0 && m_table->currentRow() < m_rows.size()
                                 ? m_rows.at(m_table->currentRow()).id
                                 : QString();
    m_rows = rows;
    m_table->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        const WebhookDeliveryRow &d = rows.at(r);
        const QString http = d.lastHttpStatus > 0 ? QString::number(d.lastHttpStatus) : d.lastError;
        const QString next = d.status == WebhookStatus::Retrying || d.status == WebhookStatus::Pending
                               ? Labels::time(d.nextAttemptAtMs)
                               : QString();
        const QString cells[] = {Labels::time(d.createdAtMs), d.type, d.eventId, statusText(d.status),
                                 Labels::count(d.attempts), http, next};
        for (int c = 0; c < int(std::size(cells)); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c == 5 && !d.lastError.isEmpty())
                item->setToolTip(d.lastError);
            if (c == 0)
                item->setToolTip(d.id);
            m_table->setItem(r, c, item);
        }
        if (d.id == selectedId)
            m_table->selectRow(r);
    }
    m_table->resizeColumnsToContents();
    m_retrySelected->setEnabled(!m_table->selectedItems().isEmpty());
}

void WebhooksPage::say(const QString &message, bool problem)
{
    m_message->setText(message);
    m_message->setStyleSheet(problem ? u"color: #b3261e;"_qs : QString());
}

void WebhooksPage::retranslate()
{
    m_endpointGroup->setTitle(tr("Shop endpoint"));
    m_urlLabel->setText(tr("&URL:"));
    m_save->setText(tr("&Save and make a secret"));
    m_remove->setText(tr("Remo&ve"));
    m_secretLabel->setText(tr("Signing secret:"));
    m_secret->setPlaceholderText(tr("shown once, when the endpoint is saved"));
    m_copySecret->setText(tr("&Copy"));
    m_deliveriesGroup->setTitle(tr("Deliveries (newest first)"));
    m_statusLabel->setText(tr("Sho&w:"));
    const int current = m_status->currentIndex();
    m_status->blockSignals(true);
    m_status->clear();
    m_status->addItem(tr("All"), 0);
    for (WebhookStatus s : {WebhookStatus::Retrying, WebhookStatus::Failed, WebhookStatus::Pending, WebhookStatus::Delivered,
                            WebhookStatus::Skipped})
        m_status->addItem(statusText(s), int(s));
    m_status->setCurrentIndex(std::max(0, current));
    m_status->blockSignals(false);
    m_refresh->setText(tr("&Refresh"));
    m_retrySelected->setText(tr("Retry &now"));
    m_retrySelected->setToolTip(tr("Send the selected webhook again now, whatever its status"));
    m_retryFailing->setText(tr("Retry all failin&g"));
    m_table->setHorizontalHeaderLabels({tr("Made"), tr("Type"), tr("Event"), tr("Status"), tr("Attempts"),
                                        tr("Last answer"), tr("Next attempt")});
    showEndpoint(m_endpoint);
    showDeliveries(m_rows);
}

void WebhooksPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void WebhooksPage::showEvent(QShowEvent *event)
{
    refresh();
    m_poll->start();
    QWidget::showEvent(event);
}

void WebhooksPage::hideEvent(QHideEvent *event)
{
    m_poll->stop();
    m_secret->clear(); // shown once: not again when the page comes back
    m_copySecret->setEnabled(false);
    QWidget::hideEvent(event);
}

} // namespace flashsale
