// QCustomPlot for a project built with QT_NO_KEYWORDS: qcustomplot.h spells Qt's keywords out
// (signals, slots, emit, foreach), so they are defined around its include and only there.
#pragma once

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef foreach
#undef emit
#undef slots
#undef signals
