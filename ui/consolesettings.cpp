#include "ui/consolesettings.h"

#include <QFile>

namespace flashsale {

QString ConsoleSettings::listen() const { return m_settings.value(u"engine/listen"_qs).toString(); }
void ConsoleSettings::setListen(const QString &value) { m_settings.setValue(u"engine/listen"_qs, value); }
QString ConsoleSettings::dataDir() const { return m_settings.value(u"engine/dataDir"_qs).toString(); }
void ConsoleSettings::setDataDir(const QString &value) { m_settings.setValue(u"engine/dataDir"_qs, value); }
QString ConsoleSettings::tlsCertificateFile() const { return m_settings.value(u"engine/tlsCert"_qs).toString(); }
QString ConsoleSettings::tlsKeyFile() const { return m_settings.value(u"engine/tlsKey"_qs).toString(); }
void ConsoleSettings::setTls(const QString &certificateFile, const QString &keyFile)
{
    m_settings.setValue(u"engine/tlsCert"_qs, certificateFile);
    m_settings.setValue(u"engine/tlsKey"_qs, keyFile);
}
QString ConsoleSettings::language() const { return m_settings.value(u"console/language"_qs).toString(); }
void ConsoleSettings::setLanguage(const QString &code) { m_settings.setValue(u"console/language"_qs, code); }
QString ConsoleSettings::exportDir() const { return m_settings.value(u"console/exportDir"_qs).toString(); }
void ConsoleSettings::setExportDir(const QString &value) { m_settings.setValue(u"console/exportDir"_qs, value); }
QString ConsoleSettings::storeUrl() const { return m_settings.value(u"backend/storeUrl"_qs).toString(); }
void ConsoleSettings::setStoreUrl(const QString &value)
{
    m_settings.setValue(u"backend/storeUrl"_qs, value);
    restrictToOwner();
}
QString ConsoleSettings::queueUrl() const { return m_settings.value(u"backend/queueUrl"_qs).toString(); }
void ConsoleSettings::setQueueUrl(const QString &value)
{
    m_settings.setValue(u"backend/queueUrl"_qs, value);
    restrictToOwner();
}
QString ConsoleSettings::nodeId() const { return m_settings.value(u"backend/nodeId"_qs).toString(); }
void ConsoleSettings::setNodeId(const QString &value) { m_settings.setValue(u"backend/nodeId"_qs, value); }

void ConsoleSettings::restrictToOwner()
{
    // Written now, so the file exists; later rewrites keep its permissions (QSaveFile).
    m_settings.sync();
    QFile::setPermissions(m_settings.fileName(), QFile::ReadOwner | QFile::WriteOwner);
}

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
    if (options->storeUrl.isEmpty() && options->queueUrl.isEmpty()) {
        options->storeUrl = storeUrl();
        options->queueUrl = queueUrl();
    }
    if (options->nodeId.isEmpty())
        options->nodeId = nodeId();
    if (!options->tls.enabled() && !tlsCertificateFile().isEmpty()) {
        options->tls.certificateChainFile = tlsCertificateFile();
        options->tls.privateKeyFile = tlsKeyFile();
    }
}

} // namespace flashsale
