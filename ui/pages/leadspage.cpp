#include "ui/pages/leadspage.h"

#include "ui/widgets/eventchoice.h"
#include "ui/widgets/exportbar.h"
#include "ui/widgets/labels.h"
#include "ui/widgets/recordsview.h"
#include "ui/models/leadsmodel.h"

#include <QDateTime>
#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace flashsale {

LeadsPage::LeadsPage(ConsoleBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_model(new LeadsModel(backend, this))
{
    auto *filters = new QHBoxLayout;
    m_eventLabel = new QLabel(this);
    m_event = new QComboBox(this);
    m_event->setObjectName(u"leadsEvent"_qs);
    m_event->addItem(QString(), QString());
    m_reasonLabel = new QLabel(this);
    m_reason = new QComboBox(this);
    m_reason->setObjectName(u"leadsReason"_qs);
    m_reason->addItem(QString(), 0);
    for (LossReason reason : {LossReason::SoldOut, LossReason::LimitReached, LossReason::NotOpen})
        m_reason->addItem(QString(), int(reason));
    const QDate today = QDate::currentDate();
    m_fromSet = new QCheckBox(this);
    m_from = new QDateEdit(today.addDays(-7), this);
    m_from->setCalendarPopup(true);
    m_from->setEnabled(false);
    m_toSet = new QCheckBox(this);
    m_to = new QDateEdit(today, this);
    m_to->setCalendarPopup(true);
    m_to->setEnabled(false);
    m_contactOnly = new QCheckBox(this);
    m_contactOnly->setObjectName(u"leadsContactOnly"_qs);
    m_offeredOnly = new QCheckBox(this);
    m_offeredOnly->setObjectName(u"leadsOfferedOnly"_qs);
    m_simulated = new QCheckBox(this);
    m_simulated->setObjectName(u"leadsSimulated"_qs);
    m_refresh = new QPushButton(this);
    for (QWidget *w : std::initializer_list<QWidget *>{m_eventLabel, m_event, m_reasonLabel, m_reason, m_fromSet, m_from,
                                                        m_toSet, m_to, m_contactOnly, m_offeredOnly, m_simulated})
        filters->addWidget(w);
    filters->addStretch(1);
    filters->addWidget(m_refresh);

    m_records = new RecordsView(backend, m_model, u"leads"_qs, this);
    m_view = m_records->table();
    m_view->setSortingEnabled(true);
    m_view->horizontalHeader()->setSortIndicator(LeadsModel::LastAt, Qt::DescendingOrder);
    m_exportBar = m_records->exportBar();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_records, 1);

    connect(m_fromSet, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_toSet, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    for (QCheckBox *box : {m_fromSet, m_toSet, m_contactOnly, m_offeredOnly, m_simulated})
        connect(box, &QCheckBox::toggled, this, &LeadsPage::apply);
    for (QComboBox *box : {m_event, m_reason})
        connect(box, &QComboBox::currentIndexChanged, this, &LeadsPage::apply);
    for (QDateEdit *edit : {m_from, m_to})
        connect(edit, &QDateEdit::dateChanged, this, &LeadsPage::apply);
    connect(m_refresh, &QPushButton::clicked, this, &LeadsPage::apply);
    connect(m_exportBar, &ExportBar::exportRequested, this, &LeadsPage::chooseExportFile);
    retranslate();
}

void LeadsPage::setEvents(const QList<EventSnapshot> &events)
{
    refillEventChoices(m_event, withoutRehearsals(events), &m_eventIds, 1);
}

IntentQuery LeadsPage::query() const
{
    IntentQuery q = m_model->query(); // keeps the sort
    q.eventId = m_event->currentData().toString();
    const int reason = m_reason->currentData().toInt();
    q.reason = reason > 0 ? std::optional<LossReason>(LossReason(reason)) : std::nullopt;
    q.fromMs = m_fromSet->isChecked() ? m_from->date().startOfDay().toMSecsSinceEpoch() : 0;
    q.toMs = m_toSet->isChecked() ? m_to->date().addDays(1).startOfDay().toMSecsSinceEpoch() : 0;
    q.withContactOnly = m_contactOnly->isChecked();
    q.offeredOnly = m_offeredOnly->isChecked();
    q.includeSimulated = m_simulated->isChecked();
    return q;
}

void LeadsPage::apply()
{
    m_model->setQuery(query());
}

void LeadsPage::chooseExportFile()
{
    const QString date = QDate::currentDate().toString(Qt::ISODate);
    const QString path = m_exportBar->askForFile(tr("Export intent leads"), QStringLiteral("leads-%1").arg(date));
    if (!path.isEmpty())
        m_exportBar->exportTo(path, query());
}

void LeadsPage::showEvent(QShowEvent *event)
{
    apply();
    QWidget::showEvent(event);
}

void LeadsPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void LeadsPage::retranslate()
{
    // Times are as wide as the locale writes them.
    const int timeWidth = m_view->fontMetrics().horizontalAdvance(Labels::time(QDateTime::currentMSecsSinceEpoch())) + 24;
    m_view->setColumnWidth(LeadsModel::FirstAt, timeWidth);
    m_view->setColumnWidth(LeadsModel::LastAt, timeWidth);
    m_view->setColumnWidth(LeadsModel::OfferedAt, timeWidth);
    m_view->setColumnWidth(LeadsModel::Contact, 220);
    m_view->setColumnWidth(LeadsModel::User, 200);
    m_view->setColumnWidth(LeadsModel::Quantity, 80);
    m_view->setColumnWidth(LeadsModel::Attempts, 80);
    m_eventLabel->setText(tr("Event:"));
    m_event->setItemText(0, tr("All events"));
    m_reasonLabel->setText(tr("Reason:"));
    m_reason->setItemText(0, tr("Any"));
    m_reason->setItemText(1, Labels::reason(LossReason::SoldOut));
    m_reason->setItemText(2, Labels::reason(LossReason::LimitReached));
    m_reason->setItemText(3, Labels::reason(LossReason::NotOpen));
    m_fromSet->setText(tr("From"));
    m_toSet->setText(tr("To"));
    m_contactOnly->setText(tr("Only leads with contact"));
    m_offeredOnly->setText(tr("Offered leads only"));
    m_offeredOnly->setToolTip(tr("Leads who were offered units freed by a cancelled or expired order "
                                 "(events whose Freed units setting is “Offer to the next lead”)."));
    m_simulated->setText(tr("Include simulated shoppers"));
    m_refresh->setText(tr("Refresh"));
    m_records->setTexts(
        [this](std::int64_t total) {
            // "Leads" is every lost shopper, as on the dashboard; with the filter on, say it is the part with a contact.
            const IntentQuery shown = m_model->query();
            QString text = shown.withContactOnly ? tr("Leads with contact: %1").arg(Labels::count(total))
                                                 : tr("Leads: %1").arg(Labels::count(total));
            if (shown.offeredOnly)
                text += u' ' + tr("(offered freed units only)");
            if (!shown.includeSimulated)
                text += u' ' + tr("(simulated shoppers left out)");
            if (const std::int64_t behind = m_model->notYetListed(); behind > 0)
                //: The intent list is filled from the sale's journal a moment after each commit
                text += u"  "_qs + tr("%1 more losses are still being listed; Refresh in a moment.").arg(Labels::count(behind));
            return text;
        },
        [](const QString &error) { return tr("Cannot read the leads: %1").arg(error); },
        tr("No leads here yet. A lead is a shopper who tried to buy and lost (sold out, over the limit, "
           "not open yet); with the contact they left, they are the people to call for the next sale."));
    // The date pickers write dates as the language does.
    for (QDateEdit *edit : {m_from, m_to}) {
        edit->setLocale(QLocale());
        edit->setDisplayFormat(QLocale().dateFormat(QLocale::ShortFormat));
    }
    if (isVisible())
        apply(); // cells hold translated reasons and localized dates
}

} // namespace flashsale
