// Writes orders or intent leads to a file on a worker thread, with progress and cancel: CSV for
// machines, .xlsx for people (chosen by the file's suffix).
#pragma once

#include "engine/storage/records.h"
#include "engine/storage/xlsxexport.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace flashsale {

class ReaderThread;

// Thread: start()/cancel() and the signals on the GUI thread; the rows are read and written on
// the ReaderThread. The two share only Progress (atomics); the words and currencies are copied
// into the job. The file appears complete or not at all. CSV: UTF-8 with BOM, RFC 4180,
// formula-injection safe (engine/storage/csv.h). .xlsx: typed cells in the UI's language and the
// system time zone (engine/storage/xlsxexport.h).
// Lifetime: the ReaderThread must be destroyed (it waits for the job) before this object.
class RecordsExport : public QObject
{
    Q_OBJECT
public:
    struct Progress {
        std::atomic<std::int64_t> total{-1}; // -1 until counted
        std::atomic<std::int64_t> written{0};
        std::atomic<bool> cancel{false};
    };

    explicit RecordsExport(ReaderThread &reader, QObject *parent = nullptr);
    ~RecordsExport() override;

    // A path ending in .xlsx (any case) gets a workbook, any other a CSV file.
    bool start(const QString &path, const IntentQuery &query);
    bool start(const QString &path, const OrderQuery &query);
    void cancel();
    bool isRunning() const { return m_progress != nullptr; }
    // Each event's currency, for the workbook's money cells; an event not listed shows CNY.
    void setCurrencies(const QHash<QString, QString> &currencies) { m_currencies = currencies; }

    static bool isWorkbook(const QString &path);

Q_SIGNALS:
    // A few times a second while running.
    void progressed(std::int64_t written, std::int64_t total);
    // Once per start(). cancelled: the user stopped it and no file was written.
    void finished(bool ok, bool cancelled, std::int64_t rows, const QString &error);

private:
    template<typename Query>
    bool startExport(const QString &path, const Query &query);
    void done(bool ok, bool cancelled, std::int64_t rows, const QString &error);

    ReaderThread &m_reader;
    std::shared_ptr<Progress> m_progress;
    QHash<QString, QString> m_currencies;
    QTimer m_poll;
};

} // namespace flashsale
