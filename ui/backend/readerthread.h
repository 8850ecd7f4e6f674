// A background thread with its own read connection to the store, for queries the GUI must not wait on.
#pragma once

#include "engine/storage/store.h"

#include <QSqlDatabase>
#include <QThreadPool>

#include <functional>

namespace flashsale {

// Thread: post() from the GUI thread; jobs run one at a time on one long-lived worker thread,
// which owns the Qt Sql connection (connections are per thread). Results go back by a queued
// call to a QObject the caller owns; the destructor waits for the running job.
class ReaderThread
{
public:
    using Job = std::function<void(QSqlDatabase db, const QString &openError)>;

    explicit ReaderThread(StoreLocation location);
    ~ReaderThread();

    void post(Job job);
    // Jobs queued or running.
    int pending() const { return m_pending.loadRelaxed(); }

private:
    StoreLocation m_location;
    QAtomicInt m_pending;
    QThreadPool m_pool;
};

} // namespace flashsale
