// Online backups of the SQLite store: a consistent copy made from one read transaction while
// the node goes on committing (WAL), and keeping a copy fetched from a running node.
#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QTemporaryFile>

#include <memory>

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

// A partial file beside target (mode 0600), removed unless kept; null with error when it
// cannot be made.
std::unique_ptr<QTemporaryFile> partFile(const QString &target, QString *error);

// Keeps a downloaded copy as target if SQLite finds it sound (quick_check): synced, renamed
// over target, the directory synced. The client that downloads it is engine/tools/nodeclient.h.
bool keepIfSound(QTemporaryFile &part, const QString &target, QString *error);

} // namespace flashsale::backup
