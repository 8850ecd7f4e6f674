// The shop's pass-signing secrets: from --shop-secret-file, FLASHSALE_SHOP_SECRET, or the data
// dir's `shop-secret` file (generated 0600 on first start), with rotation keeping the previous
// secret valid for a grace period.
#pragma once

#include "engine/api/shoppass.h"

#include <QList>
#include <QString>

#include <mutex>

namespace flashsale {

struct ShopSecrets {
    QList<ShopKey> keys;    // the current key first, then retired ones still in their grace period
    bool generated = false; // the file was created now
    bool fromDataDir = false; // kept in the data dir, so the console may show and rotate it

    // The file given, else the environment, else the data dir's file, else a new one written
    // there. Empty keys and error on failure (an unreadable or malformed file is an error, never
    // silently replaced).
    static ShopSecrets resolve(const QString &secretFile, const QString &dataDir, std::int64_t nowS, QString *error);
    // Writes a new current key to the data dir's file; the old current key retires at
    // nowS + graceS. Keys retired before nowS are dropped from the file.
    static ShopSecrets rotate(const QString &dataDir, std::int64_t graceS, std::int64_t nowS, QString *error);
    static QString filePath(const QString &dataDir);

    // File format, one key per line: "KID SECRET [RETIRES_AT_UNIX_SECONDS]"; a file holding one
    // bare secret is one key named "default". Parses text; false and error when malformed.
    static bool parse(const QByteArray &text, QList<ShopKey> *keys, QString *error);
    static QByteArray format(const QList<ShopKey> &keys);
};

// Default grace period of a rotated secret: passes already handed out keep working for a day.
inline constexpr std::int64_t kShopSecretGraceS = 24 * 3600;

// The keys every front verifies against, replaced whole at rotation. Thread-safe; get() is a
// cheap implicitly shared copy.
class SharedShopKeys
{
public:
    void set(const QList<ShopKey> &keys);
    QList<ShopKey> get() const;

private:
    mutable std::mutex m_mutex;
    QList<ShopKey> m_keys; // guarded by m_mutex
};

} // namespace flashsale
