// Writes orders or intent leads to a CSV file on a worker thread, with progress and cancel.
#pragma once

#include "engine/records.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace flashsale {

class ReaderThread;

// Thread: start()/cancel() and the signals on the GUI thread; the rows are read and written on
// the ReaderThread. The two share only Progress (atomics). The file appears complete or not at
// all (QSaveFile), as UTF-8 with BOM, RFC 4180, formula-injection safe (engine/csv.h).
// Lifetime: the ReaderThread must be destroyed (it waits for the job) before this object.
class CsvExport : public QObject
{
    Q_OBJECT
public:
    struct Progress {
        std::atomic<std::int64_t> total{-1}; // -1 until counted
        std::atomic<std::int64_t> written{0};
        std::atomic<bool> cancel{false};
    };

    explicit CsvExport(ReaderThread &reader, QObject *parent = nullptr);
    ~CsvExport() override;

    bool start(const QString &path, const IntentQuery &query);
    bool start(const QString &path, const OrderQuery &query);
    void cancel();
    bool isRunning() const { return m_progress != nullptr; }

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
    QTimer m_poll;
};

} // namespace flashsale
