// QCOMPARE for the engine's enums, printing them by name when they differ.
#pragma once

#include "engine/core/types.h"

#include <QTest>

#define QCOMPARE_ENUM(actual, expected) QCOMPARE(flashsale::toString(actual), flashsale::toString(expected))
