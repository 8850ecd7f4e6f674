// Reads an .xlsx back through tests/support/xlsxcells.py (openpyxl): cell types, formats and values.
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QVariant>

namespace flashsale::test {

struct XlsxCellRead {
    QString type;   // openpyxl's data_type: "s" string, "n" number, "d" a number with a date format, "f" formula
    QString format; // the number format, e.g. "yyyy-mm-dd hh:mm:ss" or "[$CNY] #,##0.00"
    bool isDate = false;
    QVariant value; // dates as ISO text, as openpyxl reads them (no time zone)
};

struct XlsxRead {
    QString sheet;
    QList<QList<XlsxCellRead>> rows; // the header row first
    QString error;                   // empty when the file was read
};

// Runs the reader with the system python3 (where Debian's openpyxl is); bounded to 60 s.
inline XlsxRead readXlsx(const QString &path)
{
    XlsxRead result;
    QProcess reader;
    reader.start(QStringLiteral(FLASHSALE_SYSTEM_PYTHON), {QStringLiteral(FLASHSALE_XLSX_READER), path});
    if (!reader.waitForFinished(60'000) || reader.exitStatus() != QProcess::NormalExit || reader.exitCode() != 0) {
        result.error = QString::fromUtf8(reader.readAllStandardError()) + reader.errorString();
        reader.kill();
        return result;
    }
    const QJsonObject root = QJsonDocument::fromJson(reader.readAllStandardOutput()).object();
    result.sheet = root.value(u"sheet").toString();
    for (const QJsonValue &row : root.value(u"rows").toArray()) {
        QList<XlsxCellRead> cells;
        for (const QJsonValue &cell : row.toArray()) {
            const QJsonObject c = cell.toObject();
            cells.append({c.value(u"type").toString(), c.value(u"format").toString(), c.value(u"isDate").toBool(),
                          c.value(u"value").toVariant()});
        }
        result.rows.append(cells);
    }
    if (result.rows.isEmpty())
        result.error = QStringLiteral("no rows read from %1").arg(path);
    return result;
}

} // namespace flashsale::test
