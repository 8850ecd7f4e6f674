// One sheet of typed rows to an .xlsx file (libxlsxwriter, constant memory): rows in, file out.
#pragma once

#include "engine/storage/records.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QTimeZone>

#include <array>
#include <memory>
#include <variant>

namespace flashsale {

// What every cell of a column is; declared once per column, never guessed from the values.
enum class XlsxType : std::uint8_t {
    Text = 1, // a string cell, never a number or a formula (ids, phone numbers, words)
    Integer,  // a number cell, format "0"
    Money,    // a number cell in major units with a currency format naming the row's currency
    DateTime, // a number cell with a date format, in the sheet's time zone; 0 ms: empty
};

struct XlsxColumn {
    QString header;
    XlsxType type = XlsxType::Text;
    double widthChars = 14;
};

struct XlsxMoney {
    std::int64_t minorUnits = 0; // cents
    QString currency;            // ISO 4217, e.g. "CNY"
};

// Text: QString; Integer and DateTime (epoch ms): std::int64_t; Money: XlsxMoney.
using XlsxCell = std::variant<QString, std::int64_t, XlsxMoney>;

// Thread: one thread at a time (any). Memory stays bounded whatever the row count: rows go to
// libxlsxwriter's temporary files as they come. The file appears complete at finish() or not at
// all: it is written next to the target and renamed into place.
class XlsxExport
{
public:
    // zone: what DateTime cells are shown in (the console's zone, or UTC for the API).
    XlsxExport(QList<XlsxColumn> columns, QTimeZone zone);
    ~XlsxExport(); // discards an unfinished file
    XlsxExport(const XlsxExport &) = delete;
    XlsxExport &operator=(const XlsxExport &) = delete;

    // Starts the workbook and writes the header row (bold, frozen, filterable).
    bool open(const QString &path, const QString &sheetName, QString *error);
    // One row, one cell per column, each of its column's type.
    bool addRow(const QList<XlsxCell> &cells, QString *error);
    // Writes the file and renames it to the path given to open().
    bool finish(QString *error);

private:
    struct Book;
    QList<XlsxColumn> m_columns;
    QTimeZone m_zone;
    std::unique_ptr<Book> m_book;
};

// The words an export shows for what the engine stores as codes: the console passes its
// translated labels, the API English ones (englishSheetWords()).
struct SheetWords {
    QString orderSheet;        // the sheet's name
    QString intentSheet;
    QStringList orderHeaders;  // records::xlsxColumns(const OrderRow *) order
    QStringList intentHeaders; // records::xlsxColumns(const IntentRow *) order
    std::array<QString, 3> reasons; // SoldOut, LimitReached, NotOpen
    QString yes;
    QString no;
};

// English headers with times in UTC, said in the header, for the API.
SheetWords englishSheetWords();

namespace records {
QList<XlsxColumn> xlsxColumns(const OrderRow *, const SheetWords &words);
// currency: the order's event's currency.
QList<XlsxCell> xlsxCells(const OrderRow &row, const QString &currency, const SheetWords &words);
QList<XlsxColumn> xlsxColumns(const IntentRow *, const SheetWords &words);
QList<XlsxCell> xlsxCells(const IntentRow &row, const SheetWords &words);
} // namespace records

} // namespace flashsale
