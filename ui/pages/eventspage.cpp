#include "ui/pages/eventspage.h"

#include "ui/backend/consolebackend.h"
#include "ui/dialogs/eventdialog.h"
#include "ui/models/eventsmodel.h"
#include "ui/widgets/labels.h"

#include <QDateTime>
#include <QClipboard>
#include <QEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace flashsale {

EventsPage::EventsPage(ConsoleBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new EventsModel(this))
{
    auto *buttons = new QHBoxLayout;
    const auto button = [&](QPushButton *&b, const QString &name, void (EventsPage::*slot)()) {
        b = new QPushButton(this);
        b->setObjectName(name);
        connect(b, &QPushButton::clicked, this, slot);
        buttons->addWidget(b);
    };
    button(m_new, u"newButton"_qs, &EventsPage::newEvent);
    button(m_edit, u"editButton"_qs, &EventsPage::editEvent);
    button(m_duplicate, u"duplicateButton"_qs, &EventsPage::duplicateEvent);
    buttons->addSpacing(16);
    button(m_open, u"openButton"_qs, &EventsPage::openEvent);
    button(m_pause, u"pauseButton"_qs, &EventsPage::pauseEvent);
    button(m_end, u"endButton"_qs, &EventsPage::endEvent);
    button(m_restock, u"restockButton"_qs, &EventsPage::restockEvent);
    buttons->addSpacing(16);
    button(m_copyLink, u"copyLinkButton"_qs, &EventsPage::copyShopLink);
    buttons->addStretch(1);

    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_view, &QTableView::doubleClicked, this, &EventsPage::editEvent);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &EventsPage::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &EventsPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &EventsPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &EventsPage::updateActions);

    m_empty = new QLabel(this);
    m_empty->setObjectName(u"eventsEmpty"_qs);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_selected = new QLabel(this);
    m_selected->setObjectName(u"selectedNote"_qs);
    m_selected->setWordWrap(true);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_empty);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_selected);
    layout->addWidget(m_hint);
    retranslate();
    refresh(m_backend.stats().events);
}

void EventsPage::refresh(const QList<EventSnapshot> &events)
{
    const QString keep = selectedId();
    const bool reset = m_model->rowCount() != events.size();
    m_model->setEvents(events);
    if (reset && !keep.isEmpty())
        select(keep);
    updateActions();
}

QString EventsPage::selectedId() const
{
    const EventSnapshot *e = selected();
    return e ? e->config.id : QString();
}

void EventsPage::select(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row >= 0)
        m_view->selectRow(row);
}

const EventSnapshot *EventsPage::selected() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? nullptr : m_model->event(rows.first().row());
}

void EventsPage::updateActions()
{
    const EventSnapshot *e = selected();
    const EventState state = e ? e->state : EventState::Ended;
    if (m_calls > 0)
        e = nullptr; // one staff change at a time: the buttons wait for the node's answer
    m_new->setEnabled(m_calls == 0);
    m_edit->setEnabled(e && state != EventState::Ended);
    m_duplicate->setEnabled(e);
    m_open->setEnabled(e && (state == EventState::Draft || state == EventState::Paused));
    m_pause->setEnabled(e && (state == EventState::Open || state == EventState::SoldOut));
    m_end->setEnabled(e && state != EventState::Ended);
    m_restock->setEnabled(e && (state == EventState::Open || state == EventState::Paused || state == EventState::SoldOut));
    m_copyLink->setEnabled(e && !m_backend.baseUrl().isEmpty());
    // A draft waiting for a start time is scheduled by the same button that opens the others.
    const bool schedules = e && state == EventState::Draft && e->config.startsAtMs > QDateTime::currentMSecsSinceEpoch();
    m_open->setText(schedules ? tr("&Schedule") : tr("&Open"));
    m_empty->setVisible(m_model->rowCount() == 0);
    QString note;
    if (e && state == EventState::Draft) {
        note = schedules ? tr("“%1” is a draft: shoppers cannot see it. Schedule it to open by itself at %2, or edit it.")
                               .arg(e->config.name, Labels::time(e->config.startsAtMs))
                         : tr("“%1” is a draft: shoppers cannot see it. Open it when the sale should start, or give "
                              "it a start time and schedule it.").arg(e->config.name);
    } else if (e && state == EventState::Scheduled) {
        note = tr("“%1” is scheduled: shoppers see a countdown, and it opens by itself at %2.")
                   .arg(e->config.name, Labels::time(e->config.startsAtMs));
    }
    m_selected->setText(note);
    m_selected->setVisible(!note.isEmpty());
}

void EventsPage::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    m_view->selectRow(index.row());
    QMenu menu(this);
    for (QPushButton *b : {m_edit, m_duplicate, m_open, m_pause, m_end, m_restock, m_copyLink}) {
        if (b == m_open || b == m_copyLink)
            menu.addSeparator();
        QAction *action = menu.addAction(b->text(), b, &QPushButton::click);
        action->setEnabled(b->isEnabled());
    }
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void EventsPage::copyShopLink()
{
    const EventSnapshot *e = selected();
    if (!e || m_backend.baseUrl().isEmpty())
        return;
    QGuiApplication::clipboard()->setText(m_backend.shopUrl(e->config.id));
}

bool EventsPage::confirm(const QString &title, const QString &question)
{
    return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Yes;
}

void EventsPage::report(const AdminResult &result)
{
    if (result.status != Status::Ok) {
        QMessageBox::warning(this, tr("The change was not made"), Labels::adminFailure(result));
        return;
    }
    // The answer is newer than the last snapshot: list it now, the next snapshot agrees.
    QList<EventSnapshot> events = m_backend.stats().events;
    auto it = std::find_if(events.begin(), events.end(),
                           [&](const EventSnapshot &e) { return e.config.id == result.event.config.id; });
    if (it == events.end())
        events.append(result.event);
    else
        *it = result.event;
    refresh(events);
    select(result.event.config.id);
    Q_EMIT eventsChanged();
}

void EventsPage::act(const QString &id, EventAction action)
{
    ++m_calls;
    updateActions();
    m_backend.actOnEvent(id, action, this, [this](const AdminResult &result) {
        --m_calls;
        updateActions();
        report(result);
    });
}

void EventsPage::newEvent()
{
    EventDialog dialog(m_backend, EventDialog::Mode::Create, std::nullopt, this);
    if (dialog.exec() == QDialog::Accepted)
        report(AdminResult{Status::Ok, dialog.savedEvent(), {}});
}

void EventsPage::editEvent()
{
    const EventSnapshot *e = selected();
    if (!e || e->state == EventState::Ended)
        return;
    EventDialog dialog(m_backend, EventDialog::Mode::Edit, *e, this);
    if (dialog.exec() == QDialog::Accepted)
        report(AdminResult{Status::Ok, dialog.savedEvent(), {}});
}

void EventsPage::duplicateEvent()
{
    const EventSnapshot *e = selected();
    if (!e)
        return;
    EventDialog dialog(m_backend, EventDialog::Mode::Create, *e, this);
    if (dialog.exec() == QDialog::Accepted)
        report(AdminResult{Status::Ok, dialog.savedEvent(), {}});
}

void EventsPage::openEvent()
{
    const EventSnapshot *e = selected();
    if (!e)
        return;
    const EventConfig c = e->config;
    const bool scheduled = e->state == EventState::Draft && c.startsAtMs > QDateTime::currentMSecsSinceEpoch();
    const QString question = scheduled
        ? tr("Launch “%1”? It opens to shoppers by itself at %2.").arg(c.name, Labels::time(c.startsAtMs))
        : tr("Open “%1” now? Shoppers can buy at once.").arg(c.name);
    if (confirm(tr("Open the sale"), question))
        act(c.id, EventAction::Open);
}

void EventsPage::pauseEvent()
{
    const EventSnapshot *e = selected();
    if (!e)
        return;
    const EventConfig c = e->config;
    if (confirm(tr("Pause the sale"), tr("Pause “%1”? Requests lose with “not open” until you open it again.").arg(c.name)))
        act(c.id, EventAction::Pause);
}

void EventsPage::endEvent()
{
    const EventSnapshot *e = selected();
    if (!e)
        return;
    const EventConfig c = e->config;
    if (confirm(tr("End the sale"), tr("End “%1” for good? This cannot be undone.").arg(c.name)))
        act(c.id, EventAction::End);
}

void EventsPage::restockEvent()
{
    const EventSnapshot *e = selected();
    if (!e)
        return;
    const EventConfig c = e->config;
    bool ok = false;
    const int units = QInputDialog::getInt(this, tr("Restock"), tr("Units to add to “%1”:").arg(c.name), 10, 1,
                                           int(limits::maxStock), 1, &ok);
    if (!ok)
        return;
    if (confirm(tr("Restock"), tr("Add %1 units to “%2”?").arg(Labels::count(units), c.name)))
    {
        ++m_calls;
        updateActions();
        m_backend.restockEvent(c.id, units, this, [this](const AdminResult &result) {
            --m_calls;
            updateActions();
            report(result);
        });
    }
}

void EventsPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void EventsPage::retranslate()
{
    m_new->setText(tr("&New…"));
    m_edit->setText(tr("&Edit…"));
    m_duplicate->setText(tr("D&uplicate…"));
    m_pause->setText(tr("&Pause"));
    m_end->setText(tr("En&d"));
    m_restock->setText(tr("&Restock…"));
    m_copyLink->setText(tr("Copy shop &link"));
    m_copyLink->setToolTip(tr("Copies the address of the event's shop page, to send to shoppers."));
    m_empty->setText(tr("No events yet. Press New… (Ctrl+N) to create a sale: give it a name, a price and the "
                        "stock, and tick “Open by itself at” to schedule its launch."));
    m_hint->setText(tr("Scheduled events open by themselves at their start time. Double-click an event to edit it."));
    m_model->retranslate();
    updateActions();
}

} // namespace flashsale
