// Test helper: reads values straight from a SQLite file, on a connection of its own.
#pragma once

#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
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

// The first column of the first row of sql, or -1 when the query fails.
inline std::int64_t sqlScalar(const QString &dbPath, const QString &sql)
{
    const QVariantList row = sqlRow(dbPath, sql);
    return row.isEmpty() ? -1 : row.first().toLongLong();
}
