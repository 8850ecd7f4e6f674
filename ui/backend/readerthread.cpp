#include "ui/backend/readerthread.h"

namespace flashsale {

ReaderThread::ReaderThread(StoreLocation location)
    : m_location(std::move(location))
{
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1); // one thread for the pool's life, so one connection
}

ReaderThread::~ReaderThread()
{
    // Close the worker's connection on the worker, then wait.
    m_pool.start([location = m_location] {
        QString name;
        {
            QString error;
            QSqlDatabase db = readerConnection(location, &error);
            name = db.connectionName();
            db.close();
        }
        if (!name.isEmpty())
            QSqlDatabase::removeDatabase(name);
    });
    m_pool.waitForDone();
}

void ReaderThread::post(Job job)
{
    m_pending.ref();
    m_pool.start([this, job = std::move(job)] {
        QString error;
        QSqlDatabase db = readerConnection(m_location, &error);
        job(db, error);
        m_pending.deref();
    });
}

} // namespace flashsale
