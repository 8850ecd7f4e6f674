#include "engine/api/shopsecrets.h"

#include "engine/storage/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>

namespace flashsale {

namespace {

// bytes random bytes from the system's CSPRNG, as base64url text.
QByteArray randomText(int bytes)
{
    QByteArray random((bytes + 3) / 4 * 4, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), random.size() / 4);
    random.truncate(bytes);
    return random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool writePrivate(const QString &path, const QByteArray &contents, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(contents);
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool readKeys(const QString &path, QList<ShopKey> *keys, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the shop secret %1: %2").arg(path, file.errorString());
        return false;
    }
    if (!ShopSecrets::parse(file.read(64 * 1024), keys, error)) {
        *error = QStringLiteral("%1: %2").arg(path, *error);
        return false;
    }
    return true;
}

} // namespace

QString ShopSecrets::filePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("shop-secret"));
}

bool ShopSecrets::parse(const QByteArray &text, QList<ShopKey> *keys, QString *error)
{
    keys->clear();
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QList<QByteArray> fields = line.simplified().split(' ');
        ShopKey key;
        if (fields.size() == 1) {
            key.kid = QStringLiteral("default");
            key.secret = fields[0];
        } else if (fields.size() == 2 || fields.size() == 3) {
            key.kid = QString::fromUtf8(fields[0]);
            key.secret = fields[1];
            if (fields.size() == 3) {
                bool ok = false;
                key.retiresAtS = fields[2].toLongLong(&ok);
                if (!ok || key.retiresAtS <= 0) {
                    *error = QStringLiteral("line %1: the third field must be a Unix time in seconds").arg(i + 1);
                    return false;
                }
            }
        } else {
            *error = QStringLiteral("line %1: expected \"KID SECRET [RETIRES_AT]\"").arg(i + 1);
            return false;
        }
        if (key.secret.size() < 16) {
            *error = QStringLiteral("line %1: a secret must have at least 16 characters").arg(i + 1);
            return false;
        }
        if (keys->isEmpty() && key.retiresAtS != 0) {
            *error = QStringLiteral("line %1: the first key is the current one and cannot retire").arg(i + 1);
            return false;
        }
        keys->append(key);
    }
    if (keys->isEmpty()) {
        *error = QStringLiteral("no secret in it");
        return false;
    }
    return true;
}

QByteArray ShopSecrets::format(const QList<ShopKey> &keys)
{
    QByteArray text = "# KID SECRET [RETIRES_AT_UNIX_SECONDS]; the first line is the current key\n";
    for (const ShopKey &key : keys) {
        text += key.kid.toUtf8() + ' ' + key.secret;
        if (key.retiresAtS != 0)
            text += ' ' + QByteArray::number(qlonglong(key.retiresAtS));
        text += '\n';
    }
    return text;
}

ShopSecrets ShopSecrets::resolve(const QString &secretFile, const QString &dataDir, std::int64_t nowS, QString *error)
{
    ShopSecrets secrets;
    if (!secretFile.isEmpty()) {
        if (!readKeys(secretFile, &secrets.keys, error))
            return {};
        return secrets;
    }
    const QByteArray fromEnv = qgetenv("FLASHSALE_SHOP_SECRET").trimmed();
    if (!fromEnv.isEmpty()) {
        if (!parse(fromEnv, &secrets.keys, error)) {
            *error = QStringLiteral("FLASHSALE_SHOP_SECRET: %1").arg(*error);
            return {};
        }
        return secrets;
    }
    secrets.fromDataDir = true;
    if (QFile::exists(filePath(dataDir))) {
        if (!readKeys(filePath(dataDir), &secrets.keys, error))
            return {};
        return secrets;
    }
    ShopSecrets created = rotate(dataDir, 0, nowS, error);
    created.generated = !created.keys.isEmpty();
    return created;
}

ShopSecrets ShopSecrets::rotate(const QString &dataDir, std::int64_t graceS, std::int64_t nowS, QString *error)
{
    if (!makePrivateDir(dataDir, error))
        return {};
    QList<ShopKey> kept;
    if (QFile::exists(filePath(dataDir)) && !readKeys(filePath(dataDir), &kept, error))
        return {};
    QList<ShopKey> keys;
    ShopKey current;
    current.kid = QStringLiteral("k%1").arg(nowS) + QString::fromLatin1(randomText(3));
    current.secret = randomText(32);
    keys.append(current);
    for (qsizetype i = 0; i < kept.size(); ++i) {
        ShopKey key = kept[i];
        if (i == 0)
            key.retiresAtS = nowS + graceS;
        if (key.retiresAtS > nowS)
            keys.append(key);
    }
    if (!writePrivate(filePath(dataDir), format(keys), error))
        return {};
    ShopSecrets secrets;
    secrets.keys = keys;
    secrets.fromDataDir = true;
    return secrets;
}

void SharedShopKeys::set(const QList<ShopKey> &keys)
{
    std::lock_guard lock(m_mutex);
    m_keys = keys;
}

QList<ShopKey> SharedShopKeys::get() const
{
    std::lock_guard lock(m_mutex);
    return m_keys;
}

} // namespace flashsale
