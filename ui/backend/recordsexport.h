// Writes orders or intent leads to a file on a worker thread, with progress and cancel: CSV for
// machines, .xlsx for people (chosen by the file's suffix). Where the rows come from (the store,
// a remote node) is a RecordsSource.
#pragma once

#include "engine/storage/records.h"
#include "engine/storage/xlsxexport.h"
#include "ui/backend/consolebackend.h"

#include <QHash>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

namespace flashsale {

// Reads every row a query matches (offset and limit ignored), in order.
// Thread: one export's worker thread, for that export only.
class RecordsSource
{
public:
    virtual ~RecordsSource() = default;
    virtual bool countOrders(const OrderQuery &query, std::int64_t *total, QString *error) = 0;
    // row returns false to stop early (cancel).
    virtual bool listOrders(const OrderQuery &query, const std::function<bool(const OrderRow &)> &row, QString *error) = 0;
    virtual bool countIntents(const IntentQuery &query, std::int64_t *total, QString *error) = 0;
    virtual bool listIntents(const IntentQuery &query, const std::function<bool(const IntentRow &)> &row, QString *error) = 0;
    // Losses journaled but not in the intent list at the last intents read.
    std::int64_t notYetListed() const { return m_notYetListed; }

protected:
    std::int64_t m_notYetListed = 0;
};

// Thread: start()/cancel() and the signals on the GUI thread; the rows are read and written by a
// job the runner runs on a worker thread. The two share only Progress (atomics, and the outcome
// published by `done`), which the GUI thread polls: the job never calls back into this object,
// so it may be destroyed while the job ends. The words and currencies are copied into the job.
// CSV: UTF-8 with BOM, RFC 4180, formula-injection safe (engine/csv.h). .xlsx: typed cells in
// the UI's language and the system time zone (engine/xlsxexport.h).
class RecordsExport : public ExportJob
{
    Q_OBJECT
public:
    struct Progress {
        std::atomic<std::int64_t> total{-1}; // -1 until counted
        std::atomic<std::int64_t> written{0};
        std::atomic<bool> cancel{false};
        std::atomic<bool> done{false}; // set last; ok, error and notYetListed are then final
        bool ok = false;
        QString error;
        std::int64_t notYetListed = 0;
    };
    // Runs job on a worker thread with a source of rows (the backend's reader or a network client).
    using Runner = std::function<void(std::function<void(RecordsSource &source)> job)>;

    RecordsExport(Runner runner, QObject *parent = nullptr);
    ~RecordsExport() override;

    // A path ending in .xlsx (any case) gets a workbook, any other a CSV file. false: one runs.
    bool start(const QString &path, const IntentQuery &query);
    bool start(const QString &path, const OrderQuery &query);
    void cancel() override;
    bool isRunning() const override { return m_progress != nullptr; }
    std::int64_t notYetListed() const override { return m_notYetListed; }
    // Each event's currency, for the workbook's money cells; an event not listed shows CNY.
    void setCurrencies(const QHash<QString, QString> &currencies) { m_currencies = currencies; }

    static bool isWorkbook(const QString &path);

private:
    template<typename Query>
    bool startExport(const QString &path, const Query &query);
    void poll();

    Runner m_runner;
    std::shared_ptr<Progress> m_progress;
    std::int64_t m_notYetListed = 0; // of the last export that finished
    QHash<QString, QString> m_currencies;
    QTimer m_poll;
};

// The headers, reasons and yes/no of an .xlsx export in the console's language (call on the GUI
// thread, where the translator is).
SheetWords translatedSheetWords();

} // namespace flashsale
