#include "engine/api/admintoken.h"

#include "engine/storage/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>

namespace flashsale {

QString AdminToken::filePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("admin-token"));
}

AdminToken AdminToken::regenerate(const QString &dataDir, QString *error)
{
    QByteArray random(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), random.size() / 4);
    const QString token = QString::fromLatin1(random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));

    if (!makePrivateDir(dataDir, error))
        return {};
    QSaveFile file(filePath(dataDir));
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return {};
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(token.toLatin1() + '\n');
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return {};
    }
    return AdminToken{token, true};
}

AdminToken AdminToken::resolve(const QString &explicitToken, const QString &dataDir, QString *error)
{
    if (!explicitToken.isEmpty())
        return AdminToken{explicitToken, false};
    const QString fromEnv = qEnvironmentVariable("FLASHSALE_ADMIN_TOKEN");
    if (!fromEnv.isEmpty())
        return AdminToken{fromEnv, false};
    QFile file(filePath(dataDir));
    if (file.open(QIODevice::ReadOnly)) {
        const QString stored = QString::fromLatin1(file.readAll().trimmed());
        if (!stored.isEmpty())
            return AdminToken{stored, false};
    }
    return regenerate(dataDir, error);
}

bool tokensEqual(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace flashsale
