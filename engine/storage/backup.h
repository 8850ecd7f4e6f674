// Online backups of the SQLite store: a consistent copy made from one read transaction while
// the node goes on committing (WAL), and the client that fetches one from a running node.
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace flashsale::backup {

// Writes a consistent copy of the database behind db into emptyFile (which must not exist or
// be empty): VACUUM INTO, one read transaction; the writer keeps committing meanwhile.
bool snapshotInto(QSqlDatabase &db, const QString &emptyFile, QString *error);

// A snapshot saved durably as target: written beside it, synced, then renamed over it, so that
// target is either the old file or the complete new copy.
bool saveCopy(QSqlDatabase &db, const QString &target, QString *error);

// flashsale --backup FILE: a copy of the SQLite database at databasePath, on a connection of
// this process's own (the node may be serving). Refuses to overwrite the database itself.
bool copyDatabase(const QString &databasePath, const QString &target, QString *error);

// flashsale --backup FILE --connect URL: fetches GET URL/api/v1/admin/backup with the admin
// token, checks that the download is a sound SQLite database, then saves it as target.
// Runs its own event loop; bounded by timeoutMs without progress.
bool fetchFromNode(const QString &baseUrl, const QString &adminToken, const QString &target, QString *error,
                   int timeoutMs = 600000);

} // namespace flashsale::backup
