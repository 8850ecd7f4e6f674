#include "ui/dialogs/simulatedialog.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/labels.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QSignalBlocker>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace flashsale {

SimulateDialog::SimulateDialog(ConsoleBackend &backend, QWidget *parent)
    : QDialog(parent)
    , m_rehearsal(backend.newRehearsal(this))
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
    m_paceLabel = new QLabel(this);
    m_pace = new QSpinBox(this);
    m_pace->setObjectName(u"simulatePace"_qs);
    m_pace->setRange(0, 100'000);
    m_pace->setValue(kDefaultShoppersPerSecond);
    m_pace->setGroupSeparatorShown(true);
    form->addRow(m_eventLabel, m_event);
    form->addRow(m_shoppersLabel, m_shoppers);
    form->addRow(m_concurrencyLabel, m_concurrency);
    form->addRow(m_paceLabel, m_pace);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"simulateProgress"_qs);
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
    connect(m_rehearsal, &RehearsalRun::finished, this, [this] {
        m_poll.stop();
        showSummary();
        retranslate();
    });
    retranslate();
}

void SimulateDialog::setEvents(const QList<EventSnapshot> &events)
{
    QList<EventSnapshot> shown;
    for (const EventSnapshot &e : events) {
        if (!e.config.rehearsal)
            shown << e;
    }
    const auto sameChoices = [](const QList<EventSnapshot> &a, const QList<EventSnapshot> &b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const EventSnapshot &x, const EventSnapshot &y) {
            return x.config.id == y.config.id && x.config.name == y.config.name && x.state == y.state;
        });
    };
    if (sameChoices(shown, m_events))
        return;
    const bool sameIds = std::equal(shown.begin(), shown.end(), m_events.begin(), m_events.end(),
                                    [](const EventSnapshot &x, const EventSnapshot &y) { return x.config.id == y.config.id; });
    m_events = shown;
    if (sameIds) // only names or states changed: relabel in place, an open list stays open
        return labelEvents();
    const QString keep = m_event->currentData().toString();
    const QSignalBlocker blocker(m_event);
    m_event->clear();
    for (const EventSnapshot &e : std::as_const(m_events))
        m_event->addItem(QString(), e.config.id);
    labelEvents();
    const int index = m_event->findData(keep);
    if (index >= 0)
        m_event->setCurrentIndex(index);
}

void SimulateDialog::labelEvents()
{
    for (int i = 0; i < m_events.size() && i < m_event->count(); ++i) {
        const EventSnapshot &e = m_events[i];
        m_event->setItemText(i, u"%1 — %2 (%3)"_qs.arg(e.config.name, e.config.id, Labels::state(e.state)));
    }
}

void SimulateDialog::start(const QString &eventId, int shoppers)
{
    SimulationPlan plan;
    plan.eventId = eventId;
    plan.shoppers = shoppers;
    plan.concurrency = m_concurrency->value();
    plan.shoppersPerSecond = m_pace->value();
    m_progress->setRange(0, shoppers);
    m_progress->setValue(0);
    m_rehearsal->start(plan);
    m_poll.start(); // until finished(), also while the copy is being made
    retranslate();
    showSummary();
}

void SimulateDialog::toggle()
{
    if (m_rehearsal->isRunning()) {
        m_rehearsal->cancel();
        return;
    }
    const QString eventId = m_event->currentData().toString();
    if (eventId.isEmpty()) {
        m_summary->setText(tr("Create an event first."));
        return;
    }
    start(eventId, m_shoppers->value());
}

void SimulateDialog::showSummary()
{
    const SimulationSummary s = m_rehearsal->summary();
    if (s.shoppers == 0)
        return;
    m_progress->setValue(int(s.decided()));
    //: Leads are the shoppers who lost, as on the dashboard; "with contact" is the part that left one
    QString text = tr("Decided %1 of %2 · won %3 · leads (lost shoppers) %4, with contact %5 · %6 shoppers/s")
                       .arg(Labels::count(s.decided()), Labels::count(s.shoppers), Labels::count(s.won),
                            Labels::count(s.lost), Labels::count(s.withContact), QLocale().toString(s.ratePerSecond(), 'f', 0));
    if (!m_rehearsal->copyId().isEmpty())
        text += u'\n' + tr("On the rehearsal copy %1; the event itself is not touched.").arg(m_rehearsal->copyId());
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
    m_intro->setText(tr("Rehearses a launch: synthetic shoppers go through the real shoppers' API to a rehearsal copy "
                        "of the event (same settings, its own id, opened for the rehearsal and ended after it). The "
                        "event itself, its stock, orders and leads are not touched; shoppers never see the copy, and "
                        "exports and totals leave it out. Pick the copy on the dashboard to watch it."));
    m_eventLabel->setText(tr("Event:"));
    m_shoppersLabel->setText(tr("Shoppers:"));
    m_concurrencyLabel->setText(tr("At once (in flight):"));
    m_paceLabel->setText(tr("Pace:"));
    m_pace->setSuffix(tr(" shoppers/s"));
    m_pace->setSpecialValueText(tr("As fast as possible"));
    m_start->setText(m_rehearsal->isRunning() ? tr("Stop") : tr("Start"));
    m_close->setText(tr("Close"));
    labelEvents();
    if (m_rehearsal->summary().shoppers > 0)
        showSummary();
}

} // namespace flashsale
