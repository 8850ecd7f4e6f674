// Test helper: reads numbers and rows straight from a SQLite file, on a connection of its own.
#pragma once

#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
#include <QStringList>
#include <QVariant>

// The first column of the first row of sql, or -1 when the query fails.
inline std::int64_t sqlScalar(const QString &dbPath, const QString &sql)
{
    const QString name = QStringLiteral("check-%1").arg(QRandomGenerator::global()->generate());
    std::int64_t value = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return value;
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
