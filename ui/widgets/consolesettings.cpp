#include "ui/widgets/consolesettings.h"

#include <QFile>

namespace flashsale {

QString ConsoleSettings::listen() const { return m_settings.value(u"engine/listen"_qs).toString(); }
void ConsoleSettings::setListen(const QString &value) { m_settings.setValue(u"engine/listen"_qs, value); }
QString ConsoleSettings::dataDir() const { return m_settings.value(u"engine/dataDir"_qs).toString(); }
void ConsoleSettings::setDataDir(const QString &value) { m_settings.setValue(u"engine/dataDir"_qs, value); }
QString ConsoleSettings::tlsCertificateFile() const { return m_settings.value(u"engine/tlsCert"_qs).toString(); }
QString ConsoleSettings::tlsKeyFile() const { return m_settings.value(u"engine/tlsKey"_qs).toString(); }
double ConsoleSettings::rateLimit() const { return m_settings.value(u"engine/rateLimit"_qs, -1.0).toDouble(); }
void ConsoleSettings::setRateLimit(double perSecond) { m_settings.setValue(u"engine/rateLimit"_qs, perSecond); }
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

QString ConsoleSettings::remoteUrl() const { return m_settings.value(u"remote/url"_qs).toString(); }
void ConsoleSettings::setRemoteUrl(const QString &value) { m_settings.setValue(u"remote/url"_qs, value); }
QString ConsoleSettings::remoteToken() const { return m_settings.value(u"remote/token"_qs).toString(); }
void ConsoleSettings::setRemoteToken(const QString &value)
{
    m_settings.setValue(u"remote/token"_qs, value);
    restrictToOwner();
}

void ConsoleSettings::restrictToOwner()
{
    // Written now, so the file exists; later rewrites keep its permissions (QSaveFile).
    m_settings.sync();
    QFile::setPermissions(m_settings.fileName(), QFile::ReadOwner | QFile::WriteOwner);
}

} // namespace flashsale
