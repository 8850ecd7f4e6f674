#include "ui/settingspage.h"

#include "engine/server.h"
#include "ui/consolesettings.h"
#include "ui/language.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace flashsale {

SettingsPage::SettingsPage(Server *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
{
    const ConsoleSettings settings;
    // Engine
    m_engineGroup = new QGroupBox(this);
    auto *engineForm = new QFormLayout(m_engineGroup);
    m_listenLabel = new QLabel(m_engineGroup);
    m_listen = new QLineEdit(m_engineGroup);
    m_listen->setObjectName(u"listenEdit"_qs);
    m_listen->setText(!settings.listen().isEmpty() ? settings.listen()
                      : server ? QString(server->baseUrl()).remove(u"http://"_qs) : u"127.0.0.1:8080"_qs);
    engineForm->addRow(m_listenLabel, m_listen);
    m_dataDirLabel = new QLabel(m_engineGroup);
    m_dataDir = new QLineEdit(m_engineGroup);
    m_dataDir->setObjectName(u"dataDirEdit"_qs);
    m_dataDir->setText(!settings.dataDir().isEmpty() ? settings.dataDir()
                       : server ? server->options().dataDir : ServerOptions::defaultDataDir());
    m_browse = new QPushButton(m_engineGroup);
    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_dataDir, 1);
    dirRow->addWidget(m_browse);
    engineForm->addRow(m_dataDirLabel, dirRow);
    m_restartNote = new QLabel(m_engineGroup);
    m_restartNote->setWordWrap(true);
    m_save = new QPushButton(m_engineGroup);
    m_saved = new QLabel(m_engineGroup);
    auto *saveRow = new QHBoxLayout;
    saveRow->addWidget(m_save);
    saveRow->addWidget(m_saved, 1);
    engineForm->addRow(m_restartNote);
    engineForm->addRow(saveRow);

    // Admin token
    m_tokenGroup = new QGroupBox(this);
    auto *tokenRow = new QHBoxLayout(m_tokenGroup);
    m_token = new QLineEdit(m_tokenGroup);
    m_token->setObjectName(u"tokenEdit"_qs);
    m_token->setReadOnly(true);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setText(server ? server->adminToken() : QString());
    m_showToken = new QCheckBox(m_tokenGroup);
    m_copyToken = new QPushButton(m_tokenGroup);
    m_regenerate = new QPushButton(m_tokenGroup);
    m_regenerate->setEnabled(server != nullptr);
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_showToken);
    tokenRow->addWidget(m_copyToken);
    tokenRow->addWidget(m_regenerate);

    // Language
    m_languageGroup = new QGroupBox(this);
    auto *languageForm = new QFormLayout(m_languageGroup);
    m_languageLabel = new QLabel(m_languageGroup);
    m_language = new QComboBox(m_languageGroup);
    m_language->setObjectName(u"languageCombo"_qs);
    for (const Language::Choice &choice : Language::available())
        m_language->addItem(choice.nativeName, choice.code);
    m_language->setCurrentIndex(std::max(0, m_language->findData(Language::current())));
    languageForm->addRow(m_languageLabel, m_language);

    // Backend: the next issue wires these to PostgreSQL and RabbitMQ.
    m_backendGroup = new QGroupBox(this);
    auto *backendForm = new QFormLayout(m_backendGroup);
    m_databaseLabel = new QLabel(m_backendGroup);
    m_database = new QLineEdit(settings.databaseUrl(), m_backendGroup);
    m_database->setPlaceholderText(u"postgresql://flashsale@db.example:5432/flashsale"_qs);
    m_database->setEnabled(false);
    m_brokerLabel = new QLabel(m_backendGroup);
    m_broker = new QLineEdit(settings.brokerUrl(), m_backendGroup);
    m_broker->setPlaceholderText(u"amqp://flashsale@mq.example:5672/"_qs);
    m_broker->setEnabled(false);
    m_backendNote = new QLabel(m_backendGroup);
    m_backendNote->setWordWrap(true);
    backendForm->addRow(m_databaseLabel, m_database);
    backendForm->addRow(m_brokerLabel, m_broker);
    backendForm->addRow(m_backendNote);

    auto *layout = new QVBoxLayout(this);
    for (QGroupBox *group : {m_engineGroup, m_tokenGroup, m_languageGroup, m_backendGroup})
        layout->addWidget(group);
    layout->addStretch(1);

    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Data directory"), m_dataDir->text());
        if (!dir.isEmpty())
            m_dataDir->setText(QDir::toNativeSeparators(dir));
    });
    connect(m_save, &QPushButton::clicked, this, &SettingsPage::save);
    connect(m_showToken, &QCheckBox::toggled, this, [this](bool show) {
        m_token->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
    });
    connect(m_copyToken, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_token->text());
        m_saved->setText(tr("Admin token copied."));
    });
    connect(m_regenerate, &QPushButton::clicked, this, &SettingsPage::regenerateToken);
    connect(m_language, &QComboBox::currentIndexChanged, this, [this] {
        Language::apply(m_language->currentData().toString());
    });
    retranslate();
}

void SettingsPage::setLanguage(const QString &code)
{
    const int index = m_language->findData(code);
    if (index >= 0)
        m_language->setCurrentIndex(index);
}

bool SettingsPage::validate(QString *problem) const
{
    ServerOptions probe;
    if (!probe.setListen(m_listen->text().trimmed(), problem)) {
        *problem = tr("The address must look like 127.0.0.1:8080 or [::1]:8080.");
        return false;
    }
    if (m_dataDir->text().trimmed().isEmpty()) {
        *problem = tr("Choose a data directory.");
        return false;
    }
    return true;
}

void SettingsPage::save()
{
    QString problem;
    if (!validate(&problem)) {
        m_saved->setText(problem);
        return;
    }
    ConsoleSettings settings;
    settings.setListen(m_listen->text().trimmed());
    settings.setDataDir(QDir::fromNativeSeparators(m_dataDir->text().trimmed()));
    m_saved->setText(tr("Saved. The new address and data directory apply at the next start."));
}

void SettingsPage::regenerateToken()
{
    if (!m_server)
        return;
    if (QMessageBox::question(this, tr("New admin token"),
                              tr("Scripts and dashboards that use the current token will be refused until they get "
                                 "the new one. Make a new token?"),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        != QMessageBox::Yes)
        return;
    QString error;
    if (!m_server->regenerateAdminToken(&error)) {
        QMessageBox::warning(this, tr("New admin token"), tr("The token was not changed: %1").arg(error));
        return;
    }
    m_token->setText(m_server->adminToken());
    m_saved->setText(tr("A new admin token is in use."));
}

void SettingsPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void SettingsPage::retranslate()
{
    m_engineGroup->setTitle(tr("Engine"));
    m_listenLabel->setText(tr("Listen address:"));
    m_dataDirLabel->setText(tr("Data directory:"));
    m_browse->setText(tr("Browse…"));
    m_restartNote->setText(tr("The address and data directory apply at the next start. "
                              "Command-line options (--listen, --data-dir) take precedence."));
    m_save->setText(tr("Save"));
    m_tokenGroup->setTitle(tr("Admin token"));
    m_showToken->setText(tr("Show"));
    m_copyToken->setText(tr("Copy"));
    m_regenerate->setText(tr("Regenerate…"));
    m_languageGroup->setTitle(tr("Language"));
    m_languageLabel->setText(tr("Console language:"));
    m_backendGroup->setTitle(tr("Backend"));
    m_databaseLabel->setText(tr("PostgreSQL URL:"));
    m_brokerLabel->setText(tr("RabbitMQ URL:"));
    m_backendNote->setText(tr("The engine stores everything in the embedded SQLite database for now. "
                              "PostgreSQL and RabbitMQ arrive in a later release."));
}

} // namespace flashsale
