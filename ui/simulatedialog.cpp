#include "ui/simulatedialog.h"

#include "engine/server.h"
#include "ui/labels.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace flashsale {

SimulateDialog::SimulateDialog(Server &server, QWidget *parent)
    : QDialog(parent)
    , m_server(server)
{
    setObjectName(u"simulateDialog"_qs);
    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    auto *form = new QFormLayout;
    m_eventLabel = new QLabel(this);
    m_event = new QComboBox(this);
    m_event->setObjectName(u"simulateEvent"_qs);
    m_shoppersLabel = new QLabel(this);
    m_shoppers = new QSpinBox(this);
    m_shoppers->setObjectName(u"simulateShoppers"_qs);
    m_shoppers->setRange(1, 1'000'000);
    m_shoppers->setValue(2000);
    m_shoppers->setGroupSeparatorShown(true);
    m_concurrencyLabel = new QLabel(this);
    m_concurrency = new QSpinBox(this);
    m_concurrency->setRange(1, 256);
    m_concurrency->setValue(64);
    form->addRow(m_eventLabel, m_event);
    form->addRow(m_shoppersLabel, m_shoppers);
    form->addRow(m_concurrencyLabel, m_concurrency);
    m_progress = new QProgressBar(this);
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"simulateSummary"_qs);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_start = new QPushButton(this);
    m_start->setObjectName(u"simulateStart"_qs);
    m_start->setDefault(true);
    m_close = new QPushButton(this);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_start);
    buttons->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_summary);
    layout->addLayout(buttons);

    m_poll.setInterval(200);
    connect(&m_poll, &QTimer::timeout, this, &SimulateDialog::showSummary);
    connect(m_start, &QPushButton::clicked, this, &SimulateDialog::toggle);
    connect(m_close, &QPushButton::clicked, this, &QDialog::close);
    connect(&m_simulator, &Simulator::finished, this, [this] {
        m_poll.stop();
        showSummary();
        retranslate();
    });
    retranslate();
}

void SimulateDialog::setEvents(const QList<EventSnapshot> &events)
{
    // Each item names the event's state: refill when a state changes too, or the language.
    QStringList items;
    for (const EventSnapshot &e : events)
        items << u"%1 — %2 (%3)"_qs.arg(e.config.name, e.config.id, Labels::state(e.state));
    if (items == m_eventItems)
        return;
    m_eventItems = items;
    const QString keep = m_event->currentData().toString();
    m_event->clear();
    for (qsizetype i = 0; i < events.size(); ++i)
        m_event->addItem(items[i], events[i].config.id);
    m_events = events;
    const int index = m_event->findData(keep);
    if (index >= 0)
        m_event->setCurrentIndex(index);
}

bool SimulateDialog::start(const QString &eventId, int shoppers)
{
    SimulationPlan plan;
    plan.baseUrl = m_server.baseUrl();
    plan.adminToken = m_server.adminToken();
    plan.eventId = eventId;
    plan.shoppers = shoppers;
    plan.concurrency = m_concurrency->value();
    if (!m_simulator.start(plan))
        return false;
    m_progress->setRange(0, shoppers);
    m_progress->setValue(0);
    m_poll.start();
    retranslate();
    showSummary();
    return true;
}

void SimulateDialog::toggle()
{
    if (m_simulator.isRunning()) {
        m_simulator.cancel();
        return;
    }
    const QString eventId = m_event->currentData().toString();
    if (eventId.isEmpty()) {
        m_summary->setText(tr("Create and open an event first."));
        return;
    }
    start(eventId, m_shoppers->value());
}

void SimulateDialog::showSummary()
{
    const SimulationSummary s = m_simulator.summary();
    if (s.shoppers == 0)
        return;
    m_progress->setValue(int(s.finished()));
    //: Leads are the shoppers who lost, as on the dashboard; "with contact" is the part that left one
    QString text = tr("Accepted %1 · won %2 · leads (lost shoppers) %3, with contact %4 · %5 shoppers/s")
                       .arg(Labels::count(s.accepted), Labels::count(s.won), Labels::count(s.lost), Labels::count(s.withContact),
                            QLocale().toString(s.ratePerSecond(), 'f', 0));
    if (s.undecided > 0)
        text += u'\n' + tr("%1 still queued when the wait ended").arg(Labels::count(s.undecided));
    if (s.retries > 0)
        text += u'\n' + tr("%1 answers were “too busy” and retried").arg(Labels::count(s.retries));
    if (s.failed > 0)
        text += u'\n' + tr("%1 failed; last error: %2").arg(Labels::count(s.failed), s.lastError);
    m_summary->setText(text);
}

void SimulateDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void SimulateDialog::retranslate()
{
    setWindowTitle(tr("Simulate a sale"));
    m_intro->setText(tr("Sends synthetic shoppers through the real shoppers' API, so you can rehearse a launch and "
                        "watch the dashboard. They are marked as simulated and can be left out of exports."));
    m_eventLabel->setText(tr("Event:"));
    m_shoppersLabel->setText(tr("Shoppers:"));
    m_concurrencyLabel->setText(tr("At once (in flight):"));
    m_start->setText(m_simulator.isRunning() ? tr("Stop") : tr("Start"));
    m_close->setText(tr("Close"));
    if (m_simulator.summary().shoppers > 0)
        showSummary();
    setEvents(m_events);
}

} // namespace flashsale
