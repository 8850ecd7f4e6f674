// Schema versions: the ordered list of migrations from release 0.1.0's schema to this build's,
// and the start-up step that brings a database to the newest version or refuses a newer one.
#pragma once

#include <QSqlDatabase>
#include <QString>

#include <cstdint>
#include <span>

namespace flashsale {

struct StoreLocation;

namespace schema {

// One step of the list: brings a database from version - 1 to version. Runs inside the
// upgrade's transaction on the writer's connection; false and error on failure.
struct Migration {
    int version = 0;
    const char *summary = nullptr; // one line for the log: what changes
    bool (*apply)(QSqlDatabase &db, bool isSqlite, QString *error) = nullptr;
};

// Every migration of this build, in order (engine/storage/migrations.cpp).
std::span<const Migration> migrations();
// The version this build writes: the last migration's.
int currentVersion();

enum class Outcome : std::uint8_t {
    Created = 1, // a fresh database, made at the newest version directly
    UpToDate,    // already at the newest version
    Migrated,    // brought from an older version (SQLite: after a copy beside the file)
    TooNew,      // made by a newer build: refused, nothing written
    Failed,      // a step failed: rolled back, the database is as it was
};

struct UpgradeResult {
    Outcome outcome = Outcome::Failed;
    int foundVersion = -1; // the version found; -1 for a fresh database
    int version = -1;      // the version the database has now
    QString backupPath;    // Migrated on SQLite: the copy made before the first step
    QString error;         // TooNew and Failed: a message for the operator
};

// The schema version of the SQLite file at path without writing anything, not even the WAL's
// side files: -1 for a missing or empty file, 0 for a database made by release 0.1.0.
// Returns false and error when the file is not a SQLite database.
bool peekSqliteVersion(const QString &path, int *version, QString *error);

// The message for a database newer than this build (for the log, stderr and the console).
QString tooNewMessage(const QString &where, int found, bool isSqlite);

// Brings the database behind db (the writer's connection) to the last version of steps, inside
// one transaction, holding the schema lock so that nodes starting together upgrade once. A
// fresh database gets schema.sql (always the newest schema) and the version stamp. SQLite
// databases are first copied to "<file>.pre-v<N>.bak" (N: the version upgraded to).
UpgradeResult upgrade(QSqlDatabase &db, const StoreLocation &location, std::span<const Migration> steps = migrations());

} // namespace schema
} // namespace flashsale
