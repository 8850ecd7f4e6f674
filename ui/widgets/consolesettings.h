// The console's saved preferences (QSettings): where the engine listens and stores, language, backend.
#pragma once

#include <QSettings>
#include <QString>

namespace flashsale {

// Thread: GUI thread. A thin typed view over QSettings; each instance reads and writes through.
class ConsoleSettings
{
public:
    QString listen() const;          // "ADDR:PORT"; empty: the default
    void setListen(const QString &value);
    QString dataDir() const;         // empty: the default data dir
    void setDataDir(const QString &value);
    QString tlsCertificateFile() const; // HTTPS/WSS: empty for plain HTTP
    QString tlsKeyFile() const;
    void setTls(const QString &certificateFile, const QString &keyFile);
    double rateLimit() const;        // purchases a second per client address; -1: not set (the engine's default)
    void setRateLimit(double perSecond);
    QString language() const;        // empty: follow the system on first start
    void setLanguage(const QString &code);
    QString exportDir() const;       // the folder of the last export; empty: none yet
    void setExportDir(const QString &value);

    // The backend, for scale-out nodes. Saved as given, password included: setting a URL makes
    // the settings file readable by its owner only.
    QString storeUrl() const;        // postgresql://… ; empty: embedded SQLite in the data dir
    void setStoreUrl(const QString &value);
    QString queueUrl() const;        // amqp://… ; empty: the embedded in-process queue
    void setQueueUrl(const QString &value);
    QString nodeId() const;          // empty: the host name
    void setNodeId(const QString &value);

    // The node a remote console attaches to (File → Connect to server…) and its admin token,
    // saved only when asked (the file is then readable by its owner only).
    QString remoteUrl() const;
    void setRemoteUrl(const QString &value);
    QString remoteToken() const;
    void setRemoteToken(const QString &value);

private:
    void restrictToOwner();

    QSettings m_settings;
};

} // namespace flashsale
