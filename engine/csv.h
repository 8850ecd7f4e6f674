// RFC 4180 CSV that Excel opens correctly: UTF-8 with BOM, CRLF, and formula injection defused.
#pragma once

#include <QByteArray>
#include <QString>
#include <QVariant>

namespace flashsale::csv {

// The UTF-8 byte order mark Excel needs to read the file as UTF-8.
QByteArray byteOrderMark();

// Quotes a text cell when it holds a comma, quote or line break, doubling quotes. A text cell
// that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading '.
QString textCell(const QString &text);

// Appends one record and its CRLF. Strings become text cells; numbers are written as they are.
void appendRow(QByteArray &out, const QVariantList &cells);

} // namespace flashsale::csv
