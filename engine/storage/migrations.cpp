#include "engine/storage/migrations.h"

#include "engine/storage/backup.h"
#include "engine/storage/store.h"

#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <array>

namespace flashsale::schema {

namespace {

bool exec(QSqlQuery &query, const QString &sql, QString *error)
{
    if (query.exec(sql))
        return true;
    *error = query.lastError().text();
    return false;
}

// Version 1 is release 0.1.0's schema, stamped. Databases made by builds from before 0.1.0's
// scale-out lack the decider's fencing epoch; everything else is already there.
bool stampRelease010(QSqlDatabase &db, bool, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("SELECT decider_epoch FROM events LIMIT 0")))
        return true;
    return exec(query, QStringLiteral("ALTER TABLE events ADD COLUMN decider_epoch BIGINT NOT NULL DEFAULT 0"), error);
}

// Rehearsal copies (the simulator's): a flag that keeps them away from shoppers, exports and totals.
bool addRehearsalFlag(QSqlDatabase &db, bool, QString *error)
{
    QSqlQuery query(db);
    return exec(query, QStringLiteral("ALTER TABLE events ADD COLUMN rehearsal INTEGER NOT NULL DEFAULT 0"), error);
}

// Orders and payment (issue 13): each event's payment window and release policy; each order's
// status, source, deadline and payment time; each lead's offer. Existing orders are final sales.
bool addOrderLifecycle(QSqlDatabase &db, bool, QString *error)
{
    QSqlQuery query(db);
    for (const char *sql : {
             "ALTER TABLE events ADD COLUMN payment_window_seconds INTEGER NOT NULL DEFAULT 0",
             "ALTER TABLE events ADD COLUMN release_policy TEXT NOT NULL DEFAULT 'restock'",
             "ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'final'",
             "ALTER TABLE orders ADD COLUMN source TEXT NOT NULL DEFAULT 'sale'",
             "ALTER TABLE orders ADD COLUMN expires_at_ms BIGINT NOT NULL DEFAULT 0",
             "ALTER TABLE orders ADD COLUMN paid_at_ms BIGINT NOT NULL DEFAULT 0",
             "ALTER TABLE intents ADD COLUMN offered_at_ms BIGINT NOT NULL DEFAULT 0",
             "ALTER TABLE intents ADD COLUMN offer_order_id BIGINT NOT NULL DEFAULT 0",
         }) {
        if (!exec(query, QString::fromLatin1(sql), error))
            return false;
    }
    return true;
}

// Fair sales: who the shopper is (the body, or a pass the shop signed) and the fair-start window.
bool addFairSaleSettings(QSqlDatabase &db, bool, QString *error)
{
    QSqlQuery query(db);
    return exec(query, QStringLiteral("ALTER TABLE events ADD COLUMN shopper_identity TEXT NOT NULL DEFAULT 'open'"), error)
        && exec(query, QStringLiteral("ALTER TABLE events ADD COLUMN fair_start_ms INTEGER NOT NULL DEFAULT 0"), error);
}

// Runs schema.sql on db, from the line that starts with fromMarker on when one is given, up to
// the one that starts with untilMarker when one is given: migrations that add tables run the
// section of schema.sql that defines them.
bool runSchema(QSqlDatabase &db, bool isSqlite, const char *fromMarker, QString *error, const char *untilMarker = nullptr);

// Webhooks (issue 13): the shop's endpoint and the outbox written in each commit.
bool addWebhooks(QSqlDatabase &db, bool isSqlite, QString *error)
{
    return runSchema(db, isSqlite, "-- Webhooks", error, "-- The intent projector");
}

// The append-only commit (issue 14): journal rows say which commit wrote them and where, and the
// intent projector keeps its cursor. The journal's existing losses are in intents already: they
// keep commit 0, at or before the cursor's start.
bool addIntentProjection(QSqlDatabase &db, bool isSqlite, QString *error)
{
    QSqlQuery query(db);
    return exec(query, QStringLiteral("ALTER TABLE requests ADD COLUMN commit_no BIGINT NOT NULL DEFAULT 0"), error)
        && exec(query, QStringLiteral("ALTER TABLE requests ADD COLUMN commit_pos INTEGER NOT NULL DEFAULT 0"), error)
        && runSchema(db, isSqlite, "-- The intent projector", error);
}

// THE LIST. Every schema change ships as one more entry here (version = the last one + 1), with
// resources/sql/schema.sql updated to the same result (a fresh database is made from it) and a
// test in tests/engine/storage/tst_migrations.cpp that upgrades the release-0.1.0 fixture through it.
// Never edit or reorder an entry once released: databases in the field have run it.
constexpr std::array kMigrations{
    Migration{1, "release 0.1.0's schema, stamped", &stampRelease010},
    Migration{2, "events.rehearsal: the simulator's rehearsal copies", &addRehearsalFlag},
    Migration{3, "events.shopper_identity and events.fair_start_ms: fair sales", &addFairSaleSettings},
    Migration{4, "orders and payment: payment windows, order status, offers to leads", &addOrderLifecycle},
    Migration{5, "webhook_endpoint and webhook_outbox: webhooks to the shop", &addWebhooks},
    Migration{6, "requests.commit_no/commit_pos and intent_projection: intents projected off the commit path",
              &addIntentProjection},
};

} // namespace

std::span<const Migration> migrations()
{
    return kMigrations;
}

int currentVersion()
{
    return kMigrations.back().version;
}

QString tooNewMessage(const QString &where, int found, bool isSqlite)
{
    const QString restore = isSqlite ? QStringLiteral("the copy made before that upgrade (%1.pre-v%2.bak)").arg(where).arg(found)
                                     : QStringLiteral("a pg_dump from before that upgrade");
    return QStringLiteral("the database %1 has schema version %2, made by a newer flashsale than this one (which "
                          "knows versions up to %3). It was not changed. Run the newer flashsale, or restore %4.")
        .arg(where)
        .arg(found)
        .arg(currentVersion())
        .arg(restore);
}

bool peekSqliteVersion(const QString &path, int *version, QString *error)
{
    QFile file(path);
    if (!file.exists() || file.size() == 0) {
        *version = -1;
        return true;
    }
    // A clean stop leaves no WAL: the header then holds the version (offset 60, big-endian).
    // With a WAL or rollback journal beside it, SQLite must read it: a read-only connection.
    if (!QFileInfo::exists(path + u"-wal"_qs) && !QFileInfo::exists(path + u"-journal"_qs)) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
            return false;
        }
        const QByteArray header = file.read(100);
        if (header.size() < 100 || !header.startsWith(QByteArrayLiteral("SQLite format 3\0"))) {
            *error = QStringLiteral("%1 is not a SQLite database").arg(path);
            return false;
        }
        const auto byte = [&header](int i) { return std::uint32_t(std::uint8_t(header[i])); };
        *version = int(byte(60) << 24 | byte(61) << 16 | byte(62) << 8 | byte(63));
        return true;
    }
    const QString name = QStringLiteral("flashsale-peek-%1").arg(quintptr(&file), 0, 16);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        QSqlQuery query(db);
        if (!db.open()) {
            *error = db.lastError().text();
        } else if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
            *error = query.lastError().text();
        } else {
            *version = query.value(0).toInt();
            ok = true;
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

namespace {

// The version stamped on db's database (0 when none is: release 0.1.0 or a new database), and
// whether it holds the tables yet.
bool readVersion(QSqlDatabase &db, bool isSqlite, int *version, bool *hasTables, QString *error)
{
    QSqlQuery query(db);
    if (isSqlite) {
        if (!exec(query, QStringLiteral("PRAGMA user_version"), error) || !query.next())
            return false;
        *version = query.value(0).toInt();
        if (!exec(query, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'events'"), error) || !query.next())
            return false;
        *hasTables = query.value(0).toInt() > 0;
        return true;
    }
    if (!exec(query, QStringLiteral("SELECT to_regclass('schema_version') IS NOT NULL, to_regclass('events') IS NOT NULL"), error)
        || !query.next())
        return false;
    const bool hasVersion = query.value(0).toBool();
    *hasTables = query.value(1).toBool();
    *version = 0;
    if (hasVersion) {
        if (!exec(query, QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_version"), error) || !query.next())
            return false;
        *version = query.value(0).toInt();
    }
    return true;
}

bool stampVersion(QSqlDatabase &db, bool isSqlite, int version, QString *error)
{
    QSqlQuery query(db);
    if (isSqlite)
        return exec(query, QStringLiteral("PRAGMA user_version = %1").arg(version), error);
    return exec(query, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"), error)
        && exec(query, QStringLiteral("DELETE FROM schema_version"), error)
        && exec(query, QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(version), error);
}

// schema.sql with the driver's words filled in, comments left out, split into statements: from
// the line that starts with fromMarker on when one is given, up to untilMarker's (the section a
// migration adds).
bool schemaStatements(bool isSqlite, const char *fromMarker, const char *untilMarker, QStringList *statements,
                      QString *error)
{
    QFile schemaFile(QStringLiteral(":/flashsale/sql/schema.sql"));
    if (!schemaFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("schema resource missing");
        return false;
    }
    QString schema = QString::fromUtf8(schemaFile.readAll());
    if (fromMarker) {
        const qsizetype at = schema.indexOf(QLatin1String(fromMarker));
        if (at < 0) {
            *error = QStringLiteral("schema resource has no section \"%1\"").arg(QLatin1String(fromMarker));
            return false;
        }
        schema = schema.mid(at);
    }
    if (untilMarker) {
        const qsizetype at = schema.indexOf(QLatin1String(untilMarker));
        if (at < 0) {
            *error = QStringLiteral("schema resource has no section \"%1\"").arg(QLatin1String(untilMarker));
            return false;
        }
        schema.truncate(at);
    }
    schema.replace(QLatin1String("{{KEY}}"), isSqlite ? QLatin1String("INTEGER") : QLatin1String("BIGINT"));
    schema.replace(QLatin1String("{{CLUSTERED}}"), isSqlite ? QLatin1String(" WITHOUT ROWID") : QLatin1String(""));
    schema.replace(QLatin1String("{{SERIAL_KEY}}"),
                   isSqlite ? QLatin1String("INTEGER PRIMARY KEY") : QLatin1String("BIGSERIAL PRIMARY KEY"));
    QStringList lines;
    for (const QString &line : schema.split(QLatin1Char('\n'))) {
        if (!line.trimmed().startsWith(QLatin1String("--")))
            lines << line;
    }
    statements->clear();
    for (const QString &statement : lines.join(QLatin1Char('\n')).split(QLatin1Char(';'))) {
        if (!statement.trimmed().isEmpty())
            *statements << statement;
    }
    return true;
}

bool runSchema(QSqlDatabase &db, bool isSqlite, const char *fromMarker, QString *error, const char *untilMarker)
{
    QStringList statements;
    if (!schemaStatements(isSqlite, fromMarker, untilMarker, &statements, error))
        return false;
    QSqlQuery query(db);
    for (const QString &statement : std::as_const(statements)) {
        if (!exec(query, statement, error))
            return false;
    }
    return true;
}

// The newest schema, on a database without tables.
bool createNewest(QSqlDatabase &db, bool isSqlite, QString *error)
{
    return runSchema(db, isSqlite, nullptr, error);
}

} // namespace

UpgradeResult upgrade(QSqlDatabase &db, const StoreLocation &location, std::span<const Migration> steps)
{
    UpgradeResult result;
    const bool isSqlite = location.isSqlite();
    const int target = steps.empty() ? 0 : steps.back().version;
    const QString where = isSqlite ? location.databaseName
                                   : QStringLiteral("%1 on %2:%3").arg(location.databaseName, location.host).arg(location.port);
    QSqlQuery query(db);
    // PostgreSQL: no "relation already exists, skipping" notice on every start.
    if (!isSqlite)
        query.exec(QStringLiteral("SET client_min_messages TO WARNING"));
    // Nodes starting together upgrade one at a time; the next one finds the new version.
    SchemaLock schemaLock(db, isSqlite);
    bool hasTables = false;
    if (!readVersion(db, isSqlite, &result.foundVersion, &hasTables, &result.error))
        return result;
    // A database without the tables (new, or emptied) is made afresh, unless a newer build stamped it.
    if (!hasTables && result.foundVersion <= target)
        result.foundVersion = -1;
    result.version = result.foundVersion;
    if (result.foundVersion > target) {
        result.outcome = Outcome::TooNew;
        result.error = tooNewMessage(where, result.foundVersion, isSqlite);
        return result;
    }
    if (result.foundVersion == target) {
        result.outcome = Outcome::UpToDate;
        return result;
    }
    const bool fresh = result.foundVersion < 0;
    if (!fresh && isSqlite) {
        result.backupPath = QStringLiteral("%1.pre-v%2.bak").arg(location.databaseName).arg(target);
        if (!backup::saveCopy(db, result.backupPath, &result.error)) {
            result.error = QStringLiteral("copy before the upgrade to %1: %2").arg(result.backupPath, result.error);
            return result;
        }
    }
    if (!db.transaction()) {
        result.error = db.lastError().text();
        return result;
    }
    bool ok = true;
    if (fresh) {
        ok = createNewest(db, isSqlite, &result.error);
    } else {
        for (const Migration &step : steps) {
            if (step.version <= result.foundVersion)
                continue;
            if (!(ok = step.apply(db, isSqlite, &result.error))) {
                result.error = QStringLiteral("migration to version %1 (%2) failed: %3")
                                   .arg(step.version)
                                   .arg(QLatin1String(step.summary), result.error);
                break;
            }
        }
    }
    ok = ok && stampVersion(db, isSqlite, target, &result.error);
    if (!ok || !db.commit()) {
        if (ok)
            result.error = db.lastError().text();
        db.rollback();
        return result;
    }
    result.outcome = fresh ? Outcome::Created : Outcome::Migrated;
    result.version = target;
    return result;
}

} // namespace flashsale::schema
