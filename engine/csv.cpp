#include "engine/csv.h"

namespace flashsale::csv {

QByteArray byteOrderMark()
{
    return QByteArrayLiteral("\xEF\xBB\xBF");
}

QString textCell(const QString &text)
{
    QString cell = text;
    if (!cell.isEmpty()) {
        const QChar first = cell.front();
        if (first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t' || first == u'\r')
            cell.prepend(u'\'');
    }
    const bool needsQuotes = cell.contains(u',') || cell.contains(u'"') || cell.contains(u'\n') || cell.contains(u'\r');
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
