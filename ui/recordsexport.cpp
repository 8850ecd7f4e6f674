#include "ui/recordsexport.h"

#include "engine/storage/csv.h"
#include "ui/labels.h"
#include "ui/readerthread.h"

#include <QSaveFile>
#include <QTimeZone>

namespace flashsale {

namespace {
constexpr qsizetype kFlushBytes = 256 * 1024;
constexpr std::int64_t kProgressEveryRows = 4096;

bool countOf(QSqlDatabase db, const IntentQuery &q, std::int64_t *total, QString *error) { return records::countIntents(db, q, total, error); }
bool countOf(QSqlDatabase db, const OrderQuery &q, std::int64_t *total, QString *error) { return records::countOrders(db, q, total, error); }
template<typename Fn>
bool listOf(QSqlDatabase db, const IntentQuery &q, Fn &&fn, QString *error) { return records::listIntents(db, q, fn, error); }
template<typename Fn>
bool listOf(QSqlDatabase db, const OrderQuery &q, Fn &&fn, QString *error) { return records::listOrders(db, q, fn, error); }

template<typename Query>
using RowOf = std::conditional_t<std::is_same_v<Query, IntentQuery>, IntentRow, OrderRow>;

// What the job needs besides the query; copied on the GUI thread, read on the reader thread.
struct Job {
    QString path;
    bool workbook = false;
    SheetWords words;                   // the UI's language, taken when the export starts
    QHash<QString, QString> currencies; // by event id
    QTimeZone zone;
};

template<typename Query>
bool writeCsv(QSqlDatabase db, const Query &query, const Job &job, RecordsExport::Progress &progress, std::int64_t *rows,
              QString *error)
{
    using Row = RowOf<Query>;
    QSaveFile file(job.path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    QByteArray buffer = csv::byteOrderMark();
    buffer.reserve(kFlushBytes + 4096);
    csv::appendRow(buffer, records::csvHeader(static_cast<const Row *>(nullptr)));
    bool ok = listOf(db, query, [&](const Row &row) {
        csv::appendRow(buffer, records::csvCells(row));
        ++*rows;
        if (buffer.size() >= kFlushBytes) {
            if (file.write(buffer) != buffer.size()) {
                *error = file.errorString();
                return false;
            }
            buffer.clear();
            progress.written = *rows;
        }
        return !progress.cancel.load(std::memory_order_relaxed);
    }, error);
    ok = ok && error->isEmpty();
    if (ok && file.write(buffer) != buffer.size()) {
        *error = file.errorString();
        ok = false;
    }
    progress.written = *rows;
    if (ok && !progress.cancel.load() && !file.commit()) {
        *error = file.errorString();
        ok = false;
    }
    if (!ok || progress.cancel.load())
        file.cancelWriting();
    return ok;
}

template<typename Query>
bool writeWorkbook(QSqlDatabase db, const Query &query, const Job &job, RecordsExport::Progress &progress,
                   std::int64_t *rows, QString *error)
{
    using Row = RowOf<Query>;
    const bool orders = std::is_same_v<Row, OrderRow>;
    XlsxExport sheet(records::xlsxColumns(static_cast<const Row *>(nullptr), job.words), job.zone);
    if (!sheet.open(job.path, orders ? job.words.orderSheet : job.words.intentSheet, error))
        return false;
    QString rowError;
    bool ok = listOf(db, query, [&](const Row &row) {
        bool added = false;
        if constexpr (std::is_same_v<Row, OrderRow>)
            added = sheet.addRow(records::xlsxCells(row, job.currencies.value(row.eventId, u"CNY"_qs), job.words), &rowError);
        else
            added = sheet.addRow(records::xlsxCells(row, job.words), &rowError);
        if (!added)
            return false;
        if (++*rows % kProgressEveryRows == 0)
            progress.written = *rows;
        return !progress.cancel.load(std::memory_order_relaxed);
    }, error);
    if (!rowError.isEmpty()) {
        *error = rowError;
        ok = false;
    }
    progress.written = *rows;
    // Unfinished, the sheet leaves no file (its destructor discards it).
    return ok && error->isEmpty() && !progress.cancel.load() && sheet.finish(error);
}
} // namespace

RecordsExport::RecordsExport(ReaderThread &reader, QObject *parent)
    : QObject(parent)
    , m_reader(reader)
{
    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_progress)
            Q_EMIT progressed(m_progress->written.load(), m_progress->total.load());
    });
}

RecordsExport::~RecordsExport()
{
    if (m_progress)
        m_progress->cancel = true; // no signal: the owner is going away
}

bool RecordsExport::isWorkbook(const QString &path)
{
    return path.endsWith(u".xlsx"_qs, Qt::CaseInsensitive);
}

bool RecordsExport::start(const QString &path, const IntentQuery &query)
{
    return startExport(path, query);
}

bool RecordsExport::start(const QString &path, const OrderQuery &query)
{
    return startExport(path, query);
}

template<typename Query>
bool RecordsExport::startExport(const QString &path, const Query &query)
{
    if (m_progress)
        return false;
    auto progress = std::make_shared<Progress>();
    m_progress = progress;
    Query all = query;
    all.offset = 0;
    all.limit = 0;
    Job job;
    job.path = path;
    job.workbook = isWorkbook(path);
    if (job.workbook) {
        job.words = Labels::sheetWords(); // here: the GUI thread's translator
        job.currencies = m_currencies;
        job.zone = QTimeZone::systemTimeZone();
    }
    m_poll.start();
    m_reader.post([this, progress, job, all](QSqlDatabase db, const QString &openError) {
        QString error = openError;
        std::int64_t rows = 0;
        std::int64_t total = 0;
        bool ok = error.isEmpty() && countOf(db, all, &total, &error);
        if (ok) {
            progress->total = total;
            ok = job.workbook ? writeWorkbook(db, all, job, *progress, &rows, &error)
                              : writeCsv(db, all, job, *progress, &rows, &error);
        }
        const bool cancelled = progress->cancel.load();
        // Back on the GUI thread; a cancelled or destroyed RecordsExport has moved on (progress differs).
        QMetaObject::invokeMethod(this, [this, progress, ok, cancelled, rows, error] {
            if (m_progress == progress)
                done(ok && !cancelled, cancelled, rows, error);
        }, Qt::QueuedConnection);
    });
    return true;
}

void RecordsExport::cancel()
{
    if (!m_progress)
        return;
    m_progress->cancel = true;
    m_progress.reset();
    m_poll.stop();
    Q_EMIT finished(false, true, 0, QString());
}

void RecordsExport::done(bool ok, bool cancelled, std::int64_t rows, const QString &error)
{
    m_progress.reset();
    m_poll.stop();
    Q_EMIT finished(ok, cancelled, rows, error);
}

} // namespace flashsale
