// The admin API's bearer token: given, from the environment, or generated once per data dir.
#pragma once

#include <QString>

namespace flashsale {

struct AdminToken {
    QString value;
    bool generated = false; // true when created now; print it once

    // --admin-token, else FLASHSALE_ADMIN_TOKEN, else the token file in dataDir, else a new
    // random one saved there (mode 0600). Returns an empty value and sets error on failure.
    static AdminToken resolve(const QString &explicitToken, const QString &dataDir, QString *error);
    // Replaces the token file in dataDir with a new random token.
    static AdminToken regenerate(const QString &dataDir, QString *error);
    static QString filePath(const QString &dataDir);
};

// Compares in time independent of where the strings differ.
bool tokensEqual(const QByteArray &a, const QByteArray &b);

} // namespace flashsale
