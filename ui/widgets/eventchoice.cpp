#include "ui/widgets/eventchoice.h"

#include <QComboBox>
#include <QSignalBlocker>

namespace flashsale {

bool refillEventChoices(QComboBox *box, const QList<EventSnapshot> &events, QStringList *shownIds, int firstEventItem)
{
    QStringList ids;
    ids.reserve(events.size());
    for (const EventSnapshot &e : events)
        ids << e.config.id;
    if (ids == *shownIds)
        return false;
    *shownIds = ids;
    const QString keep = box->currentData().toString();
    const QSignalBlocker blocker(box);
    while (box->count() > firstEventItem)
        box->removeItem(firstEventItem);
    for (const EventSnapshot &e : events)
        box->addItem(QStringLiteral("%1 — %2").arg(e.config.name, e.config.id), e.config.id);
    const int index = box->findData(keep);
    box->setCurrentIndex(index >= 0 ? index : 0);
    return true;
}

QList<EventSnapshot> withoutRehearsals(const QList<EventSnapshot> &events)
{
    QList<EventSnapshot> real;
    real.reserve(events.size());
    for (const EventSnapshot &e : events) {
        if (!e.config.rehearsal)
            real << e;
    }
    return real;
}

} // namespace flashsale
