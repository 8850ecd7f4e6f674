// Test helper: a PostgreSQL database of the test's own, created next to the one a URL names and
// dropped at the end, so that tests sharing one server never touch each other's tables.
#pragma once

#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QUrl>

// Thread: the test's thread.
class ScratchDatabase
{
public:
    // Connects to the database serverUrl names (postgresql://USER:PASS@HOST:PORT/DB) and creates
    // PREFIX_<random> beside it; error() says why when that failed.
    ScratchDatabase(const QString &serverUrl, const QString &prefix)
        : m_serverUrl(serverUrl)
        , m_name(QStringLiteral("%1_%2").arg(prefix).arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0')))
    {
        if (!run(QStringLiteral("CREATE DATABASE %1").arg(m_name)))
            m_error.prepend(QStringLiteral("cannot create database %1 (the test role needs CREATEDB; "
                                           "scripts/start-postgres.sh grants it): ").arg(m_name));
        else
            m_created = true;
    }
    ~ScratchDatabase()
    {
        // FORCE (PostgreSQL 13+) ends connections a killed node may have left behind.
        if (m_created && !run(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name)))
            qWarning("cannot drop %s: %s", qPrintable(m_name), qPrintable(m_error));
    }
    ScratchDatabase(const ScratchDatabase &) = delete;
    ScratchDatabase &operator=(const ScratchDatabase &) = delete;

    bool isReady() const { return m_created; }
    const QString &error() const { return m_error; }
    const QString &name() const { return m_name; }
    // The server URL with this database in its path.
    QString url() const
    {
        QUrl url(m_serverUrl);
        url.setPath(QLatin1Char('/') + m_name);
        return url.toString();
    }

private:
    // Runs one statement on a connection of its own to the database the server URL names.
    bool run(const QString &sql)
    {
        const QUrl url(m_serverUrl);
        const QString connection = QStringLiteral("scratch-%1").arg(QRandomGenerator::global()->generate());
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(url.host());
            db.setPort(url.port(5432));
            db.setUserName(url.userName());
            db.setPassword(url.password());
            db.setDatabaseName(url.path().mid(1));
            QSqlQuery query(db);
            ok = db.open() && query.exec(sql);
            if (!ok)
                m_error = db.isOpen() ? query.lastError().text() : db.lastError().text();
        }
        QSqlDatabase::removeDatabase(connection);
        return ok;
    }

    QString m_serverUrl;
    QString m_name;
    QString m_error;
    bool m_created = false;
};
