#include "engine/storage/projector.h"

#include <QDebug>
#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>

#include <map>

namespace flashsale {

namespace {

// Qt binds a null QString as SQL NULL; intents.contact holds '' instead.
QString notNull(const QString &text)
{
    return text.isNull() ? QString(u""_qs) : text;
}

// One event's and user's losses within a chunk, written as one intents upsert.
struct LeadFold {
    QString contact;
    std::int32_t quantity = 0;
    QString reason;
    std::int32_t attempts = 0;
    std::int64_t firstAtMs = 0;
    std::int64_t lastAtMs = 0;
    bool simulated = false;
};

// Losses after the cursor, in commit order. PostgreSQL: only of transactions older than every
// one still running, so that none can commit a loss behind the cursor later.
QString lossesAfterSql(bool isSqlite)
{
    return QStringLiteral("SELECT commit_no, commit_pos, event_id, user_id, quantity, contact, simulated, reason,"
                          " decided_at_ms FROM requests WHERE state = 'lost' AND (commit_no, commit_pos) > (?, ?)%1"
                          " ORDER BY commit_no, commit_pos LIMIT %2")
        .arg(isSqlite ? QString() : QStringLiteral(" AND commit_no < txid_snapshot_xmin(txid_current_snapshot())"))
        .arg(IntentProjector::kChunkRows);
}

} // namespace

IntentProjector::IntentProjector(StoreLocation location)
    : m_location(std::move(location))
    , m_thread([this] { run(); })
{
}

IntentProjector::~IntentProjector()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void IntentProjector::nudge()
{
    {
        std::lock_guard lock(m_mutex);
        m_nudged = true;
    }
    m_wake.notify_one();
}

void IntentProjector::run()
{
    const QString name = QStringLiteral("flashsale-projector-%1").arg(reinterpret_cast<quintptr>(this), 0, 16);
    // Waits for a nudge, the poll or the stop; true once stopping.
    const auto pause = [this](int ms) {
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_stopping || m_nudged; });
        m_nudged = false;
        return m_stopping;
    };
    QString error;
    QString lastError;
    bool connected = false;
    while (true) {
        {
            QSqlDatabase db = openConnection(m_location, name, &error);
            QSqlQuery query(db);
            // PostgreSQL: one projector per database; the lock goes with this connection.
            bool mine = db.isOpen()
                && (m_location.isSqlite()
                    || (query.exec(QStringLiteral("SELECT pg_try_advisory_lock(%1)").arg(kAdvisoryLockKey)) && query.next()
                        && query.value(0).toBool()));
            query.finish();
            // Another node's projector (or the lock's holder) may have moved the cursor.
            if (mine && !(mine = records::projectionCursor(db, &m_cursor, &error)))
                qWarning("intent projector: %s", qPrintable(error));
            connected = db.isOpen();
            bool lastPass = false; // stopping: one more pass folds what was committed before
            while (mine) {
                int folded = 0;
                if (!projectChunk(db, &folded, &error)) {
                    if (error != lastError)
                        qWarning("intent projector: %s", qPrintable(error));
                    lastError = error;
                    break; // reconnect: the server may have dropped the connection
                }
                lastError.clear();
                if (folded == kChunkRows)
                    continue; // more is waiting: the next chunk at once, in a transaction of its own
                if (lastPass)
                    break;
                lastPass = pause(kPollMs);
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        if (!connected && error != lastError) {
            qWarning("intent projector cannot open the database: %s", qPrintable(error));
            lastError = error;
        }
        if (pause(1000))
            break;
    }
}

bool IntentProjector::projectChunk(QSqlDatabase &db, int *folded, QString *error)
{
    const bool isSqlite = m_location.isSqlite();
    QSqlQuery read(db);
    read.setForwardOnly(true);
    const auto fail = [error](const QSqlQuery &query) {
        *error = query.lastError().text();
        return false;
    };
    // The read needs no transaction: committed journal rows never change, and only this thread
    // writes the cursor.
    if (!read.prepare(lossesAfterSql(isSqlite)))
        return fail(read);
    read.bindValue(0, qint64(m_cursor.commitNo));
    read.bindValue(1, m_cursor.commitPos);
    if (!read.exec())
        return fail(read);
    // Sorted by key, so that the upserts walk the intents B-tree in order.
    std::map<std::pair<QString, QString>, LeadFold> leads;
    ProjectionCursor next = m_cursor;
    *folded = 0;
    while (read.next()) {
        next.commitNo = read.value(0).toLongLong();
        next.commitPos = read.value(1).toInt();
        auto [it, added] = leads.try_emplace({read.value(2).toString(), read.value(3).toString()});
        LeadFold &l = it->second;
        const std::int64_t decidedAtMs = read.value(8).toLongLong();
        const bool simulated = read.value(6).toInt() != 0;
        if (added) {
            l.firstAtMs = decidedAtMs;
            l.simulated = simulated;
        }
        const QString contact = read.value(5).toString();
        if (!contact.isEmpty())
            l.contact = contact;
        l.quantity = read.value(4).toInt();
        l.reason = read.value(7).toString();
        l.lastAtMs = decidedAtMs;
        l.simulated = l.simulated && simulated;
        ++l.attempts;
        ++*folded;
    }
    read.finish();
    if (*folded == 0)
        return true;

    QSqlQuery write(db);
    // SQLite: take the write lock first (a deferred transaction could not upgrade its lock once the
    // writer committed in between); held for this chunk only.
    if (isSqlite ? !write.exec(QStringLiteral("BEGIN IMMEDIATE")) : !db.transaction())
        return isSqlite ? fail(write) : (*error = db.lastError().text(), false);
    bool ok = write.prepare(QStringLiteral(
        "INSERT INTO intents (event_id, user_id, contact, quantity, last_reason, attempts, first_at_ms,"
        " last_at_ms, simulated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (event_id, user_id) DO UPDATE SET"
        " contact = CASE WHEN excluded.contact <> '' THEN excluded.contact ELSE intents.contact END,"
        " quantity = excluded.quantity, last_reason = excluded.last_reason,"
        " attempts = intents.attempts + excluded.attempts,"
        // A row an offer made before its losses were projected (attempts 0) takes them whole.
        " first_at_ms = CASE WHEN intents.attempts = 0 THEN excluded.first_at_ms ELSE intents.first_at_ms END,"
        " last_at_ms = excluded.last_at_ms,"
        " simulated = CASE WHEN intents.attempts = 0 OR excluded.simulated = 0 THEN excluded.simulated"
        " ELSE intents.simulated END"));
    for (auto it = leads.begin(); ok && it != leads.end(); ++it) {
        const LeadFold &l = it->second;
        write.bindValue(0, it->first.first);
        write.bindValue(1, it->first.second);
        write.bindValue(2, notNull(l.contact));
        write.bindValue(3, l.quantity);
        write.bindValue(4, l.reason);
        write.bindValue(5, l.attempts);
        write.bindValue(6, qint64(l.firstAtMs));
        write.bindValue(7, qint64(l.lastAtMs));
        write.bindValue(8, int(l.simulated));
        ok = write.exec();
    }
    ok = ok && write.prepare(QStringLiteral("UPDATE intent_projection SET projected_commit = ?, projected_pos = ? WHERE id = 1"));
    if (ok) {
        write.bindValue(0, qint64(next.commitNo));
        write.bindValue(1, next.commitPos);
        ok = write.exec();
    }
    if (!ok) {
        *error = write.lastError().text();
        write.finish();
        isSqlite ? void(QSqlQuery(db).exec(QStringLiteral("ROLLBACK"))) : void(db.rollback());
        return false;
    }
    write.finish();
    if (isSqlite ? !write.exec(QStringLiteral("COMMIT")) : !db.commit()) {
        *error = isSqlite ? write.lastError().text() : db.lastError().text();
        isSqlite ? void(QSqlQuery(db).exec(QStringLiteral("ROLLBACK"))) : void(db.rollback());
        return false;
    }
    m_cursor = next;
    return true;
}

namespace records {

bool projectionCursor(QSqlDatabase db, ProjectionCursor *cursor, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT projected_commit, projected_pos FROM intent_projection WHERE id = 1"))) {
        *error = query.lastError().text();
        return false;
    }
    *cursor = query.next() ? ProjectionCursor{query.value(0).toLongLong(), query.value(1).toInt()} : ProjectionCursor();
    return true;
}

bool intentsNotYetListed(QSqlDatabase db, std::int64_t *count, QString *error)
{
    ProjectionCursor cursor;
    if (!projectionCursor(db, &cursor, error))
        return false;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(QStringLiteral("SELECT COUNT(*) FROM requests WHERE state = 'lost' AND (commit_no, commit_pos) > (?, ?)"))) {
        *error = query.lastError().text();
        return false;
    }
    query.bindValue(0, qint64(cursor.commitNo));
    query.bindValue(1, cursor.commitPos);
    if (!query.exec() || !query.next()) {
        *error = query.lastError().text();
        return false;
    }
    *count = query.value(0).toLongLong();
    return true;
}

bool waitForIntents(QSqlDatabase db, int waitMs, std::int64_t *count, QString *error)
{
    QElapsedTimer waited;
    waited.start();
    while (intentsNotYetListed(db, count, error)) {
        if (*count == 0 || waited.elapsed() >= waitMs)
            return true;
        QThread::msleep(20);
    }
    return false;
}

} // namespace records
} // namespace flashsale
