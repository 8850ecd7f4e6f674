// Table model of the sale events, fed with engine snapshots.
#pragma once

#include "engine/core/types.h"

#include <QAbstractTableModel>
#include <QList>

namespace flashsale {

// Thread: GUI thread. Holds copies of EventSnapshot; setEvents() updates rows in place when the
// set of events is unchanged so the selection and scroll position survive each refresh.
class EventsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Name, State, Price, Stock, Remaining, Won, Accepted, Starts, Ends, ColumnCount };

    explicit EventsModel(QObject *parent = nullptr);

    void setEvents(const QList<EventSnapshot> &events);
    const EventSnapshot *event(int row) const;
    int rowOf(const QString &id) const;
    // After a language change: headers and state names are text.
    void retranslate();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<EventSnapshot> m_events;
};

} // namespace flashsale
