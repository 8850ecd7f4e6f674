#include "ui/backend/recordsexport.h"

#include "engine/storage/csv.h"
#include "ui/widgets/labels.h"

#include <QCoreApplication>
#include <QSaveFile>
#include <QTimeZone>

namespace flashsale {

namespace {
constexpr qsizetype kFlushBytes = 256 * 1024;
constexpr std::int64_t kProgressEveryRows = 4096;

bool countOf(RecordsSource &src, const IntentQuery &q, std::int64_t *total, QString *error) { return src.countIntents(q, total, error); }
bool countOf(RecordsSource &src, const OrderQuery &q, std::int64_t *total, QString *error) { return src.countOrders(q, total, error); }
template<typename Fn>
bool listOf(RecordsSource &src, const IntentQuery &q, Fn &&fn, QString *error) { return src.listIntents(q, fn, error); }
template<typename Fn>
bool listOf(RecordsSource &src, const OrderQuery &q, Fn &&fn, QString *error) { return src.listOrders(q, fn, error); }

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
bool writeCsv(RecordsSource &db, const Query &query, const Job &job, RecordsExport::Progress &progress, std::int64_t *rows,
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
bool writeWorkbook(RecordsSource &db, const Query &query, const Job &job, RecordsExport::Progress &progress,
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

RecordsExport::RecordsExport(Runner runner, QObject *parent)
    : ExportJob(parent)
    , m_runner(std::move(runner))
{
    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, &RecordsExport::poll);
}

RecordsExport::~RecordsExport()
{
    if (m_progress)
        m_progress->cancel = true; // no signal: the owner is going away; the job ends by itself
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
    m_notYetListed = 0;
    auto progress = std::make_shared<Progress>();
    m_progress = progress;
    Query all = query;
    all.offset = 0;
    all.limit = 0;
    Job job;
    job.path = path;
    job.workbook = isWorkbook(path);
    if (job.workbook) {
        job.words = translatedSheetWords(); // here: the GUI thread's translator
        job.currencies = m_currencies;
        job.zone = QTimeZone::systemTimeZone();
    }
    m_poll.start();
    m_runner([progress, job, all](RecordsSource &source) {
        QString error;
        std::int64_t rows = 0;
        std::int64_t total = 0;
        bool ok = countOf(source, all, &total, &error);
        if (ok) {
            progress->total = total;
            ok = job.workbook ? writeWorkbook(source, all, job, *progress, &rows, &error)
                              : writeCsv(source, all, job, *progress, &rows, &error);
        }
        progress->written = rows;
        progress->ok = ok;
        progress->error = error;
        progress->notYetListed = source.notYetListed();
        progress->done.store(true, std::memory_order_release);
    });
    return true;
}

void RecordsExport::poll()
{
    if (!m_progress)
        return;
    const std::shared_ptr<Progress> progress = m_progress;
    if (!progress->done.load(std::memory_order_acquire)) {
        Q_EMIT progressed(progress->written.load(), progress->total.load());
        return;
    }
    m_progress.reset();
    m_poll.stop();
    m_notYetListed = progress->notYetListed;
    const bool cancelled = progress->cancel.load();
    Q_EMIT finished(progress->ok && !cancelled, cancelled, progress->written.load(), progress->error);
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


SheetWords translatedSheetWords()
{
    // The context stays Labels', where these words were first translated.
    SheetWords words;
    words.orderSheet = QCoreApplication::translate("flashsale::Labels", "Orders");
    words.intentSheet = QCoreApplication::translate("flashsale::Labels", "Leads");
    words.orderHeaders = {QCoreApplication::translate("flashsale::Labels", "Order"),
                          QCoreApplication::translate("flashsale::Labels", "Event"),
                          QCoreApplication::translate("flashsale::Labels", "User"),
                          QCoreApplication::translate("flashsale::Labels", "Quantity"),
                          QCoreApplication::translate("flashsale::Labels", "Price"),
                          QCoreApplication::translate("flashsale::Labels", "Total"),
                          QCoreApplication::translate("flashsale::Labels", "Request"),
                          QCoreApplication::translate("flashsale::Labels", "Contact"),
                          QCoreApplication::translate("flashsale::Labels", "Simulated"),
                          QCoreApplication::translate("flashsale::Labels", "Decided at")};
    words.intentHeaders = {QCoreApplication::translate("flashsale::Labels", "Event"),
                           QCoreApplication::translate("flashsale::Labels", "User"),
                           QCoreApplication::translate("flashsale::Labels", "Contact"),
                           QCoreApplication::translate("flashsale::Labels", "Quantity"),
                           QCoreApplication::translate("flashsale::Labels", "Reason"),
                           QCoreApplication::translate("flashsale::Labels", "Attempts"),
                           QCoreApplication::translate("flashsale::Labels", "First attempt"),
                           QCoreApplication::translate("flashsale::Labels", "Last attempt"),
                           QCoreApplication::translate("flashsale::Labels", "Simulated")};
    words.reasons = {Labels::reason(LossReason::SoldOut), Labels::reason(LossReason::LimitReached),
                     Labels::reason(LossReason::NotOpen)};
    words.yes = QCoreApplication::translate("flashsale::Labels", "yes");
    words.no = QCoreApplication::translate("flashsale::Labels", "no");
    return words;
}

} // namespace flashsale
