#include "ui/consolesettings.h"

namespace flashsale {

QString ConsoleSettings::listen() const { return m_settings.value(u"engine/listen"_qs).toString(); }
void ConsoleSettings::setListen(const QString &value) { m_settings.setValue(u"engine/listen"_qs, value); }
QString ConsoleSettings::dataDir() const { return m_settings.value(u"engine/dataDir"_qs).toString(); }
void ConsoleSettings::setDataDir(const QString &value) { m_settings.setValue(u"engine/dataDir"_qs, value); }
QString ConsoleSettings::language() const { return m_settings.value(u"console/language"_qs).toString(); }
void ConsoleSettings::setLanguage(const QString &code) { m_settings.setValue(u"console/language"_qs, code); }
QString ConsoleSettings::databaseUrl() const { return m_settings.value(u"backend/databaseUrl"_qs).toString(); }
void ConsoleSettings::setDatabaseUrl(const QString &value) { m_settings.setValue(u"backend/databaseUrl"_qs, value); }
QString ConsoleSettings::brokerUrl() const { return m_settings.value(u"backend/brokerUrl"_qs).toString(); }
void ConsoleSettings::setBrokerUrl(const QString &value) { m_settings.setValue(u"backend/brokerUrl"_qs, value); }

void ConsoleSettings::applyTo(ServerOptions *options, bool listenFromCommandLine, bool dataDirFromCommandLine) const
{
    if (!dataDirFromCommandLine && !dataDir().isEmpty())
        options->dataDir = dataDir();
    if (!listenFromCommandLine && !listen().isEmpty()) {
        QString ignored;
        ServerOptions parsed = *options;
        if (parsed.setListen(listen(), &ignored)) {
            options->listenAddress = parsed.listenAddress;
            options->port = parsed.port;
        }
    }
}

} // namespace flashsale
