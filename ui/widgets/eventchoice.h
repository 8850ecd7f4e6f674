// Keeps an event picker (a combo box) in step with the engine's events.
#pragma once

#include "engine/core/types.h"

#include <QList>
#include <QStringList>

class QComboBox;

namespace flashsale {

// Thread: GUI thread. Items before firstEventItem (such as "All events") stay; the rest become
// one "name — id" item per event with the id as data. The current choice survives when its
// event still exists, else the first item is chosen. No signal is emitted. Does nothing and
// returns false when the ids are the ones in *shownIds already.
bool refillEventChoices(QComboBox *box, const QList<EventSnapshot> &events, QStringList *shownIds, int firstEventItem);

// events without the simulator's rehearsal copies (for pickers over records, which leave them out).
QList<EventSnapshot> withoutRehearsals(const QList<EventSnapshot> &events);

} // namespace flashsale
