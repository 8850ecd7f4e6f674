#include "engine/storage/backup.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryFile>
#include <QVariant>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace flashsale::backup {

namespace {

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// Syncs part and renames it over target, then syncs the directory entry.
bool publish(QTemporaryFile &part, const QString &target, QString *error)
{
    if (::fsync(int(part.handle())) != 0 || ::rename(QFile::encodeName(part.fileName()).constData(),
                                                      QFile::encodeName(target).constData()) != 0) {
        *error = QStringLiteral("cannot save %1: %2").arg(target, systemError());
        return false;
    }
    part.setAutoRemove(false);
    const int dir = ::open(QFile::encodeName(QFileInfo(target).absolutePath()).constData(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return true;
}

// Runs body with a SQLite connection of its own to path, opened with options.
template <typename Body>
bool withConnection(const QString &path, const QString &options, QString *error, Body body)
{
    const QString name = QStringLiteral("flashsale-backup-%1").arg(quintptr(&path), 0, 16);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(options);
        if (!db.open())
            *error = db.lastError().text();
        else
            ok = body(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace

std::unique_ptr<QTemporaryFile> partFile(const QString &target, QString *error)
{
    const QFileInfo info(target);
    auto file = std::make_unique<QTemporaryFile>(info.absoluteDir().filePath(info.fileName() + u".XXXXXX.part"_qs));
    if (!file->open()) { // mode 0600: the copy holds shoppers' contacts
        *error = QStringLiteral("cannot write in %1: %2").arg(info.absolutePath(), file->errorString());
        return nullptr;
    }
    return file;
}

bool snapshotInto(QSqlDatabase &db, const QString &emptyFile, QString *error)
{
    QSqlQuery query(db);
    if (query.prepare(QStringLiteral("VACUUM INTO ?"))) {
        query.addBindValue(emptyFile);
        if (query.exec())
            return true;
    }
    *error = query.lastError().text();
    return false;
}

bool saveCopy(QSqlDatabase &db, const QString &target, QString *error)
{
    const auto part = partFile(target, error);
    return part && snapshotInto(db, part->fileName(), error) && publish(*part, target, error);
}

bool copyDatabase(const QString &databasePath, const QString &target, QString *error)
{
    const QFileInfo database(databasePath);
    if (!database.exists() || database.size() == 0) {
        *error = QStringLiteral("no database at %1 (is --data-dir right?)").arg(databasePath);
        return false;
    }
    const QString targetPath = QFileInfo(target).absoluteFilePath();
    const QString existing = QFileInfo(targetPath).canonicalFilePath(); // empty: no such file yet
    const QString live = database.canonicalFilePath();
    if (!existing.isEmpty() && (existing == live || existing == live + u"-wal"_qs || existing == live + u"-shm"_qs)) {
        *error = QStringLiteral("%1 is the live database; give the backup another name").arg(target);
        return false;
    }
    return withConnection(databasePath, u"QSQLITE_BUSY_TIMEOUT=10000"_qs, error,
                          [&](QSqlDatabase &db) { return saveCopy(db, targetPath, error); });
}

bool keepIfSound(QTemporaryFile &part, const QString &target, QString *error)
{
    QString verdict;
    const bool checked = withConnection(part.fileName(), u"QSQLITE_OPEN_READONLY"_qs, error, [&](QSqlDatabase &db) {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("PRAGMA quick_check")) || !query.next()) {
            *error = query.lastError().text();
            return false;
        }
        verdict = query.value(0).toString();
        return true;
    });
    if (!checked || verdict != u"ok") {
        if (checked)
            *error = QStringLiteral("the downloaded copy is damaged: %1").arg(verdict);
        return false;
    }
    return publish(part, QFileInfo(target).absoluteFilePath(), error);
}

} // namespace flashsale::backup
