// RFC 4180 CSV that Excel opens correctly: UTF-8 with BOM, CRLF, and formula injection defused.
#pragma once

#include <QByteArray>
#include <QString>
#include <QVariant>

namespace flashsale::csv {

// The UTF-8 byte order mark Excel needs to read the file as UTF-8.
QByteArray byteOrderMark();

// Removes NUL and the bidirectional controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069)
// that could hide or reorder what a reader sees. A text cell that a spreadsheet would run as a
// formula (= + - @ first, also after leading whitespace of any kind such as a no-break or
// ideographic space, or a tab or CR first) gets a leading '. Quotes the cell when it holds a
// comma, semicolon (the separator in many locales), quote or line break, doubling quotes.
QString textCell(const QString &text);

// Appends one record and its CRLF. Strings become text cells; numbers are written as they are.
void appendRow(QByteArray &out, const QVariantList &cells);

} // namespace flashsale::csv
