#include "ui/models/eventsmodel.h"

#include "ui/widgets/labels.h"


#include <QDateTime>
#include <QBrush>
#include <QColor>

namespace flashsale {

EventsModel::EventsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void EventsModel::setEvents(const QList<EventSnapshot> &events)
{
    bool sameRows = events.size() == m_events.size();
    for (qsizetype i = 0; sameRows && i < events.size(); ++i)
        sameRows = events[i].config.id == m_events[i].config.id;
    if (!sameRows) {
        beginResetModel();
        m_events = events;
        endResetModel();
        return;
    }
    m_events = events;
    if (!m_events.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::DisplayRole});
}

const EventSnapshot *EventsModel::event(int row) const
{
    return row >= 0 && row < m_events.size() ? &m_events[row] : nullptr;
}

int EventsModel::rowOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_events.size(); ++i) {
        if (m_events[i].config.id == id)
            return int(i);
    }
    return -1;
}

void EventsModel::retranslate()
{
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_events.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int EventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventsModel::data(const QModelIndex &index, int role) const
{
    const EventSnapshot *e = event(index.row());
    if (!e)
        return {};
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case Price: case Stock: case Remaining: case Won: case Accepted:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == State) {
        switch (e->state) {
        case EventState::Open: return QBrush(QColor(0x1b, 0x7f, 0x3b));
        case EventState::SoldOut: return QBrush(QColor(0xb3, 0x26, 0x1e));
        case EventState::Paused: return QBrush(QColor(0xb0, 0x6d, 0x00));
        default: return {};
        }
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Id: return e->config.id;
    case Name: return e->config.name;
    case State:
        if (e->state == EventState::Scheduled && e->config.startsAtMs > QDateTime::currentMSecsSinceEpoch()) {
            //: %1 is the time left, such as 1:05:09
            return tr("Scheduled · opens in %1").arg(Labels::countdown(e->config.startsAtMs - QDateTime::currentMSecsSinceEpoch()));
        }
        return Labels::state(e->state);
    case Price: return Labels::money(e->config.priceCents, e->config.currency);
    case Stock: return Labels::count(e->stockTotal);
    case Remaining: return Labels::count(e->remaining);
    case Won: return Labels::count(e->stockTotal - e->remaining);
    case Accepted: return Labels::count(e->requests.accepted);
    // Once launched the engine records when the sale opened and ended in these times.
    case Starts:
        if (e->config.startsAtMs > 0)
            return Labels::time(e->config.startsAtMs);
        return e->state == EventState::Draft ? tr("When opened") : QStringLiteral("—");
    case Ends:
        if (e->config.endsAtMs > 0)
            return Labels::time(e->config.endsAtMs);
        return e->state == EventState::Ended ? QStringLiteral("—") : tr("When ended");
    }
    return {};
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("Id");
    case Name: return tr("Name");
    case State: return tr("State");
    case Price: return tr("Price");
    case Stock: return tr("Stock");
    case Remaining: return tr("Remaining");
    case Won: return tr("Sold");
    case Accepted: return tr("Requests");
    case Starts: return tr("Starts");
    case Ends: return tr("Ends");
    }
    return {};
}

} // namespace flashsale
