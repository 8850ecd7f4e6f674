#include "ui/csvexport.h"

#include "engine/csv.h"
#include "ui/readerthread.h"

#include <QSaveFile>

namespace flashsale {

namespace {
constexpr qsizetype kFlushBytes = 256 * 1024;

bool countOf(QSqlDatabase db, const IntentQuery &q, std::int64_t *total, QString *error) { return records::countIntents(db, q, total, error); }
bool countOf(QSqlDatabase db, const OrderQuery &q, std::int64_t *total, QString *error) { return records::countOrders(db, q, total, error); }
template<typename Fn>
bool listOf(QSqlDatabase db, const IntentQuery &q, Fn &&fn, QString *error) { return records::listIntents(db, q, fn, error); }
template<typename Fn>
bool listOf(QSqlDatabase db, const OrderQuery &q, Fn &&fn, QString *error) { return records::listOrders(db, q, fn, error); }
} // namespace

CsvExport::CsvExport(ReaderThread &reader, QObject *parent)
    : QObject(parent)
    , m_reader(reader)
{
    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_progress)
            Q_EMIT progressed(m_progress->written.load(), m_progress->total.load());
    });
}

CsvExport::~CsvExport()
{
    if (m_progress)
        m_progress->cancel = true; // no signal: the owner is going away
}

bool CsvExport::start(const QString &path, const IntentQuery &query)
{
    return startExport(path, query);
}

bool CsvExport::start(const QString &path, const OrderQuery &query)
{
    return startExport(path, query);
}

template<typename Query>
bool CsvExport::startExport(const QString &path, const Query &query)
{
    if (m_progress)
        return false;
    auto progress = std::make_shared<Progress>();
    m_progress = progress;
    Query all = query;
    all.offset = 0;
    all.limit = 0;
    m_poll.start();
    m_reader.post([this, progress, path, all](QSqlDatabase db, const QString &openError) {
        QString error = openError;
        std::int64_t rows = 0;
        bool ok = error.isEmpty();
        QSaveFile file(path);
        if (ok && !file.open(QIODevice::WriteOnly)) {
            error = file.errorString();
            ok = false;
        }
        std::int64_t total = 0;
        if (ok && countOf(db, all, &total, &error))
            progress->total = total;
        else
            ok = false;
        if (ok) {
            using Row = std::conditional_t<std::is_same_v<Query, IntentQuery>, IntentRow, OrderRow>;
            QByteArray buffer = csv::byteOrderMark();
            buffer.reserve(kFlushBytes + 4096);
            csv::appendRow(buffer, records::csvHeader(static_cast<const Row *>(nullptr)));
            ok = listOf(db, all, [&](const Row &row) {
                csv::appendRow(buffer, records::csvCells(row));
                ++rows;
                if (buffer.size() >= kFlushBytes) {
                    if (file.write(buffer) != buffer.size()) {
                        error = file.errorString();
                        return false;
                    }
                    buffer.clear();
                    progress->written = rows;
                }
                return !progress->cancel.load(std::memory_order_relaxed);
            }, &error);
            ok = ok && error.isEmpty();
            if (ok && file.write(buffer) != buffer.size()) {
                error = file.errorString();
                ok = false;
            }
            progress->written = rows;
        }
        const bool cancelled = progress->cancel.load();
        if (ok && !cancelled && !file.commit()) {
            error = file.errorString();
            ok = false;
        }
        if (!ok || cancelled)
            file.cancelWriting();
        // Back on the GUI thread; a cancelled or destroyed CsvExport has moved on (progress differs).
        QMetaObject::invokeMethod(this, [this, progress, ok, cancelled, rows, error] {
            if (m_progress == progress)
                done(ok && !cancelled, cancelled, rows, error);
        }, Qt::QueuedConnection);
    });
    return true;
}

void CsvExport::cancel()
{
    if (!m_progress)
        return;
    m_progress->cancel = true;
    m_progress.reset();
    m_poll.stop();
    Q_EMIT finished(false, true, 0, QString());
}

void CsvExport::done(bool ok, bool cancelled, std::int64_t rows, const QString &error)
{
    m_progress.reset();
    m_poll.stop();
    Q_EMIT finished(ok, cancelled, rows, error);
}

} // namespace flashsale
