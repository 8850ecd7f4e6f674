// Test helper: reads numbers, rows and journal entries straight from a SQLite file, on a
// connection of its own, and holds its write lock as another process would.
#pragma once

#include "engine/core/types.h"

#include <QHash>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>

// Every column of the first row of sql; empty when the query fails or finds no row.
inline QVariantList sqlRow(const QString &dbPath, const QString &sql)
{
    const QString name = QStringLiteral("check-%1").arg(QRandomGenerator::global()->generate());
    QVariantList row;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next()) {
                for (int i = 0, n = q.record().count(); i < n; ++i)
                    row.append(q.value(i));
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return row;
}

// Runs one statement on a connection of its own; false when it fails.
inline bool sqlExec(const QString &dbPath, const QString &sql)
{
    const QString name = QStringLiteral("exec-%1").arg(QRandomGenerator::global()->generate());
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        QSqlQuery q(db);
        ok = db.open() && q.exec(sql);
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// The first column of the first row of sql, or -1 when the query fails.
inline std::int64_t sqlScalar(const QString &dbPath, const QString &sql)
{
    const QVariantList row = sqlRow(dbPath, sql);
    return row.isEmpty() ? -1 : row.first().toLongLong();
}

// Every row of sql as text, the columns joined by '|', on a connection of its own; empty when
// the query fails (it then prints why).
inline QStringList sqlRows(const QString &dbPath, const QString &sql)
{
    const QString name = QStringLiteral("rows-%1").arg(QRandomGenerator::global()->generate());
    QStringList rows;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        QSqlQuery q(db);
        if (!db.open() || !q.exec(sql)) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(db.isOpen() ? q.lastError().text() : db.lastError().text()));
        } else {
            while (q.next()) {
                QStringList cells;
                for (int i = 0; i < q.record().count(); ++i)
                    cells << q.value(i).toString();
                rows << cells.join(u'|');
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

// One journaled request in the API's terms: what GET /tickets answers for it.
struct JournalEntry {
    QString ticket;
    QString state; // "won" or "lost"
    QString reason;
    qint64 orderId = 0;
};

// requestId -> its journal row, for one event; empty when the query fails.
inline QHash<QString, JournalEntry> journalByRequest(const QString &dbPath, const QString &eventId)
{
    const QString name = QStringLiteral("journal-%1").arg(QRandomGenerator::global()->generate());
    QHash<QString, JournalEntry> entries;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT request_id, seq, ticket_tag, state, COALESCE(reason, ''), COALESCE(order_id, 0)"
                                     " FROM requests WHERE event_id = ?"));
            q.addBindValue(eventId);
            if (q.exec()) {
                while (q.next()) {
                    entries.insert(q.value(0).toString(),
                                   JournalEntry{flashsale::formatTicket(q.value(1).toULongLong(), quint64(q.value(2).toLongLong())),
                                                q.value(3).toString(), q.value(4).toString(), q.value(5).toLongLong()});
                }
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return entries;
}

// Holds SQLite's write lock on a database file (BEGIN IMMEDIATE on a connection of its own), as
// a second process would, until release() or destruction. Thread: the one that created it.
class SqliteWriteLock
{
public:
    explicit SqliteWriteLock(const QString &dbPath)
        : m_name(QStringLiteral("write-lock-%1").arg(QRandomGenerator::global()->generate()))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(dbPath);
        QSqlQuery begin(db);
        if (!db.open() || !begin.exec(QStringLiteral("BEGIN IMMEDIATE")))
            m_error = db.isOpen() ? begin.lastError().text() : db.lastError().text();
    }
    ~SqliteWriteLock() { release(); }
    SqliteWriteLock(const SqliteWriteLock &) = delete;
    SqliteWriteLock &operator=(const SqliteWriteLock &) = delete;

    bool isHeld() const { return m_error.isEmpty() && QSqlDatabase::contains(m_name); }
    const QString &error() const { return m_error; }
    void release()
    {
        if (!QSqlDatabase::contains(m_name))
            return;
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

private:
    QString m_name;
    QString m_error;
};
