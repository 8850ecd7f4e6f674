#include "engine/storage/xlsxexport.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QTemporaryFile>

#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace flashsale {

namespace {
constexpr double kExcelEpochDays = 25569.0; // 1970-01-01 as an Excel serial day
constexpr double kMsPerDay = 86'400'000.0;
constexpr int kMaxTextChars = 32767;        // what one cell holds

QString libraryError(lxw_error error)
{
    return QString::fromUtf8(lxw_strerror(error));
}

// Excel's sheet names: at most 31 characters, none of []:*?/\.
QByteArray safeSheetName(const QString &name)
{
    QString safe;
    for (const QChar c : name)
        safe += QStringView(u"[]:*?/\\").contains(c) ? u'_' : c;
    return safe.left(31).toUtf8();
}
} // namespace

// Thread: whoever holds the XlsxExport. The formats belong to the workbook and die with it.
struct XlsxExport::Book {
    QTemporaryFile target;                 // next to the final path; renamed into place by finish()
    QString path;
    lxw_workbook *workbook = nullptr;
    lxw_worksheet *sheet = nullptr;
    lxw_format *header = nullptr;
    lxw_format *integer = nullptr;
    lxw_format *dateTime = nullptr;
    QHash<QString, lxw_format *> money;    // by currency
    lxw_row_t nextRow = 0;

    ~Book()
    {
        if (workbook)
            lxw_workbook_free(workbook);
    }

    lxw_format *moneyFormat(const QString &currency)
    {
        if (lxw_format *format = money.value(currency))
            return format;
        // "[$CNY] #,##0.00": Excel shows the code as written; only letters reach the format.
        QString code;
        for (const QChar c : currency)
            if (c.isLetter() && c.unicode() < 128)
                code += c;
        const QByteArray pattern = (code.isEmpty() ? u"#,##0.00"_qs : u"[$"_qs + code + u"] #,##0.00"_qs).toUtf8();
        lxw_format *format = workbook_add_format(workbook);
        format_set_num_format(format, pattern.constData());
        money.insert(currency, format);
        return format;
    }
};

XlsxExport::XlsxExport(QList<XlsxColumn> columns, QTimeZone zone)
    : m_columns(std::move(columns))
    , m_zone(std::move(zone))
{
}

XlsxExport::~XlsxExport() = default;

bool XlsxExport::open(const QString &path, const QString &sheetName, QString *error)
{
    auto book = std::make_unique<Book>();
    book->path = path;
    const QFileInfo info(path);
    book->target.setFileTemplate(info.absoluteDir().filePath(u"."_qs + info.fileName() + u"-XXXXXX"_qs));
    if (!book->target.open()) {
        *error = book->target.errorString();
        return false;
    }
    book->target.close(); // libxlsxwriter writes it by name, keeping its owner-only mode
    const QByteArray fileName = QFile::encodeName(book->target.fileName());
    lxw_workbook_options options = {};
    options.constant_memory = LXW_TRUE;
    book->workbook = workbook_new_opt(fileName.constData(), &options);
    if (!book->workbook) {
        *error = u"cannot start the workbook"_qs;
        return false;
    }
    book->sheet = workbook_add_worksheet(book->workbook, safeSheetName(sheetName).constData());
    if (!book->sheet) {
        *error = u"cannot add the sheet"_qs;
        return false;
    }
    book->header = workbook_add_format(book->workbook);
    format_set_bold(book->header);
    book->integer = workbook_add_format(book->workbook);
    format_set_num_format(book->integer, "0");
    book->dateTime = workbook_add_format(book->workbook);
    format_set_num_format(book->dateTime, "yyyy-mm-dd hh:mm:ss");
    for (int i = 0; i < m_columns.size(); ++i) {
        const lxw_error result = worksheet_set_column(book->sheet, lxw_col_t(i), lxw_col_t(i), m_columns[i].widthChars, nullptr);
        const QByteArray header = m_columns[i].header.left(kMaxTextChars).toUtf8();
        if (result != LXW_NO_ERROR
            || worksheet_write_string(book->sheet, 0, lxw_col_t(i), header.constData(), book->header) != LXW_NO_ERROR) {
            *error = u"cannot write the header row"_qs;
            return false;
        }
    }
    worksheet_freeze_panes(book->sheet, 1, 0);
    book->nextRow = 1;
    m_book = std::move(book);
    return true;
}

bool XlsxExport::addRow(const QList<XlsxCell> &cells, QString *error)
{
    Q_ASSERT(m_book);
    if (cells.size() != m_columns.size()) {
        *error = QStringLiteral("a row has %1 cells for %2 columns").arg(cells.size()).arg(m_columns.size());
        return false;
    }
    if (m_book->nextRow >= LXW_ROW_MAX) {
        *error = QStringLiteral("more than %1 rows: a sheet holds no more").arg(LXW_ROW_MAX - 1);
        return false;
    }
    const lxw_row_t row = m_book->nextRow;
    for (int i = 0; i < cells.size(); ++i) {
        const lxw_col_t col = lxw_col_t(i);
        const XlsxCell &cell = cells[i];
        lxw_error result = LXW_NO_ERROR;
        bool typed = false;
        switch (m_columns[i].type) {
        case XlsxType::Text:
            if (const auto *text = std::get_if<QString>(&cell)) {
                typed = true;
                // A string cell: the value is shown, never run, whatever it starts with.
                if (!text->isEmpty())
                    result = worksheet_write_string(m_book->sheet, row, col, text->left(kMaxTextChars).toUtf8().constData(), nullptr);
            }
            break;
        case XlsxType::Integer:
            if (const auto *value = std::get_if<std::int64_t>(&cell)) {
                typed = true;
                result = worksheet_write_number(m_book->sheet, row, col, double(*value), m_book->integer);
            }
            break;
        case XlsxType::Money:
            if (const auto *money = std::get_if<XlsxMoney>(&cell)) {
                typed = true;
                result = worksheet_write_number(m_book->sheet, row, col, double(money->minorUnits) / 100.0,
                                                m_book->moneyFormat(money->currency));
            }
            break;
        case XlsxType::DateTime:
            if (const auto *epochMs = std::get_if<std::int64_t>(&cell)) {
                typed = true;
                if (*epochMs > 0) {
                    const QDateTime at = QDateTime::fromMSecsSinceEpoch(*epochMs, m_zone);
                    const double localMs = double(*epochMs) + double(at.offsetFromUtc()) * 1000.0;
                    result = worksheet_write_number(m_book->sheet, row, col, kExcelEpochDays + localMs / kMsPerDay,
                                                    m_book->dateTime);
                }
            }
            break;
        }
        if (!typed) {
            *error = QStringLiteral("cell %1 does not match its column's type").arg(i + 1);
            return false;
        }
        if (result != LXW_NO_ERROR) {
            *error = libraryError(result);
            return false;
        }
    }
    ++m_book->nextRow;
    return true;
}

bool XlsxExport::finish(QString *error)
{
    Q_ASSERT(m_book);
    std::unique_ptr<Book> book = std::move(m_book);
    if (!m_columns.isEmpty())
        worksheet_autofilter(book->sheet, 0, 0, book->nextRow - 1, lxw_col_t(m_columns.size() - 1));
    const lxw_error result = workbook_close(book->workbook); // frees it, written or not
    book->workbook = nullptr;
    if (result != LXW_NO_ERROR) {
        *error = libraryError(result);
        return false;
    }
    const QByteArray from = QFile::encodeName(book->target.fileName());
    const QByteArray to = QFile::encodeName(book->path);
    if (std::rename(from.constData(), to.constData()) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    book->target.setAutoRemove(false); // it is the target now
    return true;
}

SheetWords englishSheetWords()
{
    SheetWords words;
    words.orderSheet = u"Orders"_qs;
    words.intentSheet = u"Leads"_qs;
    words.orderHeaders = {u"Order"_qs, u"Event"_qs, u"User"_qs, u"Quantity"_qs, u"Price"_qs, u"Total"_qs,
                          u"Request"_qs, u"Contact"_qs, u"Simulated"_qs, u"Decided at (UTC)"_qs};
    words.intentHeaders = {u"Event"_qs, u"User"_qs, u"Contact"_qs, u"Quantity"_qs, u"Reason"_qs, u"Attempts"_qs,
                           u"First attempt (UTC)"_qs, u"Last attempt (UTC)"_qs, u"Simulated"_qs};
    words.reasons = {u"Sold out"_qs, u"Limit reached"_qs, u"Not open"_qs};
    words.yes = u"yes"_qs;
    words.no = u"no"_qs;
    return words;
}

namespace records {
namespace {
QList<XlsxColumn> columnsOf(const QStringList &headers, const QList<std::pair<XlsxType, double>> &kinds)
{
    QList<XlsxColumn> columns;
    for (int i = 0; i < kinds.size(); ++i)
        columns.append(XlsxColumn{headers.value(i), kinds[i].first, kinds[i].second});
    return columns;
}

QString reasonWord(LossReason reason, const SheetWords &words)
{
    const int index = int(reason) - int(LossReason::SoldOut);
    return index >= 0 && index < int(words.reasons.size()) ? words.reasons[std::size_t(index)] : QString();
}
} // namespace

QList<XlsxColumn> xlsxColumns(const OrderRow *, const SheetWords &words)
{
    return columnsOf(words.orderHeaders, {{XlsxType::Text, 10}, {XlsxType::Text, 16}, {XlsxType::Text, 24},
                                          {XlsxType::Integer, 10}, {XlsxType::Money, 14}, {XlsxType::Money, 14},
                                          {XlsxType::Text, 24}, {XlsxType::Text, 24}, {XlsxType::Text, 10},
                                          {XlsxType::DateTime, 20}});
}

QList<XlsxCell> xlsxCells(const OrderRow &r, const QString &currency, const SheetWords &words)
{
    return {QString::number(r.orderId), r.eventId, r.userId, std::int64_t(r.quantity),
            XlsxMoney{r.priceCents, currency}, XlsxMoney{r.totalCents, currency}, r.requestId, r.contact,
            r.simulated ? words.yes : words.no, r.decidedAtMs};
}

QList<XlsxColumn> xlsxColumns(const IntentRow *, const SheetWords &words)
{
    return columnsOf(words.intentHeaders, {{XlsxType::Text, 16}, {XlsxType::Text, 24}, {XlsxType::Text, 24},
                                           {XlsxType::Integer, 10}, {XlsxType::Text, 16}, {XlsxType::Integer, 10},
                                           {XlsxType::DateTime, 20}, {XlsxType::DateTime, 20}, {XlsxType::Text, 10}});
}

QList<XlsxCell> xlsxCells(const IntentRow &r, const SheetWords &words)
{
    return {r.eventId, r.userId, r.contact, std::int64_t(r.quantity), reasonWord(r.lastReason, words),
            std::int64_t(r.attempts), r.firstAtMs, r.lastAtMs, r.simulated ? words.yes : words.no};
}
} // namespace records

} // namespace flashsale
