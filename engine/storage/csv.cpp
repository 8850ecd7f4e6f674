#include "engine/storage/csv.h"

namespace flashsale::csv {

QByteArray byteOrderMark()
{
    return QByteArrayLiteral("\xEF\xBB\xBF");
}

namespace {

bool isRemoved(char16_t c)
{
    return c == 0 || c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

bool startsFormula(const QString &cell)
{
    if (cell.isEmpty())
        return false;
    if (cell.front() == u'\t' || cell.front() == u'\r')
        return true;
    for (QChar c : cell) {
        if (c.isSpace())
            continue;
        return c == u'=' || c == u'+' || c == u'-' || c == u'@';
    }
    return false;
}

} // namespace

QString textCell(const QString &text)
{
    QString cell = text;
    cell.removeIf([](QChar c) { return isRemoved(c.unicode()); });
    if (startsFormula(cell))
        cell.prepend(u'\'');
    const bool needsQuotes = cell.contains(u',') || cell.contains(u';') || cell.contains(u'"') || cell.contains(u'\n')
                             || cell.contains(u'\r');
    if (!needsQuotes)
        return cell;
    cell.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + cell + u'"';
}

void appendRow(QByteArray &out, const QVariantList &cells)
{
    bool first = true;
    for (const QVariant &cell : cells) {
        if (!first)
            out.append(',');
        first = false;
        switch (cell.typeId()) {
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong:
            out.append(QByteArray::number(cell.toLongLong()));
            break;
        default:
            out.append(textCell(cell.toString()).toUtf8());
            break;
        }
    }
    out.append("\r\n");
}

} // namespace flashsale::csv
