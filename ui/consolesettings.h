// The console's saved preferences (QSettings): where the engine listens and stores, language, backend.
#pragma once

#include "engine/server.h"

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
    QString language() const;        // empty: follow the system on first start
    void setLanguage(const QString &code);

    // The later backend issue fills these in; today the engine embeds SQLite.
    QString databaseUrl() const;     // postgresql://… ; empty: embedded SQLite
    void setDatabaseUrl(const QString &value);
    QString brokerUrl() const;       // amqp://… ; empty: none
    void setBrokerUrl(const QString &value);

    // Fills options from the saved values where the command line left them unset.
    void applyTo(ServerOptions *options, bool listenFromCommandLine, bool dataDirFromCommandLine) const;

private:
    QSettings m_settings;
};

} // namespace flashsale
