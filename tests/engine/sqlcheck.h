// Test helper: reads one number straight from a SQLite file, on a connection of its own.
#pragma once

#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
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
