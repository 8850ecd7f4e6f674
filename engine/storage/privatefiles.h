// The data dir and the files in it hold secrets and shoppers' contacts: made for the owner only
// (0700 / 0600), whatever the umask.
#pragma once

#include <QString>

namespace flashsale {

// Creates dir (and missing parents) if needed; a dir created here gets mode 0700. An existing
// dir keeps its mode (an administrator may have chosen it). False and error on failure.
bool makePrivateDir(const QString &dir, QString *error);

// Creates an empty file at path with mode 0600 unless it exists. SQLite gives its -wal, -shm
// and -journal files the mode of the database file, so a database created this way keeps all
// of them private. False and error on failure.
bool createPrivateFile(const QString &path, QString *error);

} // namespace flashsale
