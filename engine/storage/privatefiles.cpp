#include "engine/storage/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace flashsale {

bool makePrivateDir(const QString &dir, QString *error)
{
    const QString absolute = QFileInfo(dir).absoluteFilePath();
    if (QFileInfo(absolute).isDir())
        return true;
    const QString parent = QFileInfo(absolute).absolutePath();
    if (!QDir().mkpath(parent)) {
        *error = QStringLiteral("cannot create directory %1").arg(parent);
        return false;
    }
    const QByteArray path = QFile::encodeName(absolute);
    // mkdir applies the umask; chmod then sets exactly 0700.
    if ((::mkdir(path.constData(), 0700) != 0 && errno != EEXIST) || ::chmod(path.constData(), 0700) != 0) {
        *error = QStringLiteral("cannot create data directory %1: %2").arg(absolute, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

bool createPrivateFile(const QString &path, QString *error)
{
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return true;
        *error = QStringLiteral("cannot create %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    const bool ok = ::fchmod(fd, 0600) == 0;
    const int savedErrno = errno;
    ::close(fd);
    if (!ok) {
        *error = QStringLiteral("cannot make %1 private: %2").arg(path, QString::fromLocal8Bit(std::strerror(savedErrno)));
        return false;
    }
    return true;
}

} // namespace flashsale
