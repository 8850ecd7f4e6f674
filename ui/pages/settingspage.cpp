#include "ui/pages/settingspage.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/consolesettings.h"
#include "ui/widgets/language.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QSysInfo>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace flashsale {

namespace {

// What the console shows of a URL: never its password.
QString withoutPassword(const QString &url)
{
    return url.isEmpty() ? QString() : QUrl(url).toDisplayString(QUrl::RemovePassword);
}

} // namespace

SettingsPage::SettingsPage(ConsoleBackend *backend, BackendServices services, QWidget *parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_services(std::move(services))
{
    const ConsoleSettings settings;
    // Engine
    m_engineGroup = new QGroupBox(this);
    auto *engineForm = new QFormLayout(m_engineGroup);
    m_listenLabel = new QLabel(m_engineGroup);
    m_listen = new QLineEdit(m_engineGroup);
    m_listen->setObjectName(u"listenEdit"_qs);
    m_listen->setText(!settings.listen().isEmpty() ? settings.listen() : m_services.defaults.listen);
    engineForm->addRow(m_listenLabel, m_listen);
    m_dataDirLabel = new QLabel(m_engineGroup);
    m_dataDir = new QLineEdit(m_engineGroup);
    m_dataDir->setObjectName(u"dataDirEdit"_qs);
    m_dataDir->setText(!settings.dataDir().isEmpty() ? settings.dataDir() : m_services.defaults.dataDir);
    m_browse = new QPushButton(m_engineGroup);
    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_dataDir, 1);
    dirRow->addWidget(m_browse);
    engineForm->addRow(m_dataDirLabel, dirRow);
    m_tlsCertLabel = new QLabel(m_engineGroup);
    m_tlsCert = new QLineEdit(settings.tlsCertificateFile(), m_engineGroup);
    m_tlsCert->setObjectName(u"tlsCertEdit"_qs);
    m_tlsCert->setPlaceholderText(u"/etc/letsencrypt/live/shop.example.org/fullchain.pem"_qs);
    engineForm->addRow(m_tlsCertLabel, m_tlsCert);
    m_tlsKeyLabel = new QLabel(m_engineGroup);
    m_tlsKey = new QLineEdit(settings.tlsKeyFile(), m_engineGroup);
    m_tlsKey->setObjectName(u"tlsKeyEdit"_qs);
    m_tlsKey->setPlaceholderText(u"/etc/letsencrypt/live/shop.example.org/privkey.pem"_qs);
    engineForm->addRow(m_tlsKeyLabel, m_tlsKey);
    m_rateLimitLabel = new QLabel(m_engineGroup);
    m_rateLimit = new QSpinBox(m_engineGroup);
    m_rateLimit->setObjectName(u"rateLimitEdit"_qs);
    m_rateLimit->setRange(0, 1'000'000);
    m_rateLimit->setValue(int(settings.rateLimit() >= 0 ? settings.rateLimit() : m_services.defaults.rateLimitPerSecond));
    engineForm->addRow(m_rateLimitLabel, m_rateLimit);
    m_restartNote = new QLabel(m_engineGroup);
    m_restartNote->setWordWrap(true);
    engineForm->addRow(m_restartNote);

    // Admin token
    m_tokenGroup = new QGroupBox(this);
    auto *tokenRow = new QHBoxLayout(m_tokenGroup);
    m_token = new QLineEdit(m_tokenGroup);
    m_token->setObjectName(u"tokenEdit"_qs);
    m_token->setReadOnly(true);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setText(backend ? backend->adminToken() : QString());
    m_showToken = new QCheckBox(m_tokenGroup);
    m_copyToken = new QPushButton(m_tokenGroup);
    m_regenerate = new QPushButton(m_tokenGroup);
    m_regenerate->setEnabled(backend && backend->canRegenerateAdminToken());
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_showToken);
    tokenRow->addWidget(m_copyToken);
    tokenRow->addWidget(m_regenerate);

    // Shop secret: what the shop's backend signs shopper passes with.
    m_shopSecretGroup = new QGroupBox(this);
    auto *secretBox = new QVBoxLayout(m_shopSecretGroup);
    auto *secretRow = new QHBoxLayout;
    m_shopSecret = new QLineEdit(m_shopSecretGroup);
    m_shopSecret->setObjectName(u"shopSecretEdit"_qs);
    m_shopSecret->setReadOnly(true);
    m_shopSecret->setEchoMode(QLineEdit::Password);
    m_shopSecret->setText(backend ? backend->shopSecret() : QString());
    m_showShopSecret = new QCheckBox(m_shopSecretGroup);
    m_copyShopSecret = new QPushButton(m_shopSecretGroup);
    m_copyShopSecret->setObjectName(u"copyShopSecret"_qs);
    m_rotateShopSecret = new QPushButton(m_shopSecretGroup);
    m_rotateShopSecret->setObjectName(u"rotateShopSecret"_qs);
    m_rotateShopSecret->setEnabled(backend && backend->canRotateShopSecret());
    m_copyShopSecret->setEnabled(!m_shopSecret->text().isEmpty());
    secretRow->addWidget(m_shopSecret, 1);
    secretRow->addWidget(m_showShopSecret);
    secretRow->addWidget(m_copyShopSecret);
    secretRow->addWidget(m_rotateShopSecret);
    m_shopSecretNote = new QLabel(m_shopSecretGroup);
    m_shopSecretNote->setWordWrap(true);
    secretBox->addLayout(secretRow);
    secretBox->addWidget(m_shopSecretNote);

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

    // Backend: PostgreSQL and RabbitMQ, so several nodes share one sale.
    m_backendGroup = new QGroupBox(this);
    auto *backendForm = new QFormLayout(m_backendGroup);
    m_savedStoreUrl = settings.storeUrl();
    m_savedQueueUrl = settings.queueUrl();
    m_storeLabel = new QLabel(m_backendGroup);
    m_storeUrl = new QLineEdit(withoutPassword(m_savedStoreUrl), m_backendGroup);
    m_storeUrl->setObjectName(u"storeUrlEdit"_qs);
    m_storeUrl->setPlaceholderText(u"postgresql://flashsale:PASSWORD@db.example:5432/flashsale"_qs);
    m_queueLabel = new QLabel(m_backendGroup);
    m_queueUrl = new QLineEdit(withoutPassword(m_savedQueueUrl), m_backendGroup);
    m_queueUrl->setObjectName(u"queueUrlEdit"_qs);
    m_queueUrl->setPlaceholderText(u"amqp://flashsale:PASSWORD@mq.example:5672/"_qs);
    m_nodeIdLabel = new QLabel(m_backendGroup);
    m_nodeId = new QLineEdit(settings.nodeId(), m_backendGroup);
    m_nodeId->setObjectName(u"nodeIdEdit"_qs);
    m_nodeId->setPlaceholderText(QSysInfo::machineHostName());
    m_nodeId->setMaxLength(64);
    m_backendNote = new QLabel(m_backendGroup);
    m_backendNote->setWordWrap(true);
    m_backendInUse = new QLabel(m_backendGroup);
    m_backendInUse->setObjectName(u"backendInUse"_qs);
    m_backendInUse->setWordWrap(true);
    m_backendInUse->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_backendInUse->setVisible(backend && !backend->runningDescription().isEmpty());
    backendForm->addRow(m_storeLabel, m_storeUrl);
    backendForm->addRow(m_queueLabel, m_queueUrl);
    backendForm->addRow(m_nodeIdLabel, m_nodeId);
    backendForm->addRow(m_backendNote);
    backendForm->addRow(m_backendInUse);

    // One Save for the engine and backend settings.
    m_save = new QPushButton(this);
    m_save->setObjectName(u"saveButton"_qs);
    m_saved = new QLabel(this);
    m_saved->setObjectName(u"savedLabel"_qs);
    m_saved->setWordWrap(true);
    auto *saveRow = new QHBoxLayout;
    saveRow->addWidget(m_save);
    saveRow->addWidget(m_saved, 1);

    // Several nodes are for the IT staff who set them up: out of sight until asked for.
    m_advanced = new QToolButton(this);
    m_advanced->setObjectName(u"advancedToggle"_qs);
    m_advanced->setCheckable(true);
    m_advanced->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_advanced->setArrowType(Qt::RightArrow);
    m_advanced->setAutoRaise(true);
    m_backendGroup->setVisible(false);
    connect(m_advanced, &QToolButton::toggled, this, [this](bool open) {
        m_advanced->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        m_backendGroup->setVisible(open);
    });

    auto *layout = new QVBoxLayout(this);
    for (QGroupBox *group : {m_engineGroup, m_tokenGroup, m_shopSecretGroup, m_languageGroup})
        layout->addWidget(group);
    layout->addWidget(m_advanced);
    layout->addWidget(m_backendGroup);
    layout->addLayout(saveRow);
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
        say([this] { return tr("Admin token copied."); });
    });
    connect(m_regenerate, &QPushButton::clicked, this, &SettingsPage::regenerateToken);
    connect(m_showShopSecret, &QCheckBox::toggled, this, [this](bool show) {
        m_shopSecret->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
    });
    connect(m_copyShopSecret, &QPushButton::clicked, this, [this] {
        // The shop's backend needs the key id (JWT header `kid`) and the secret: "KID SECRET".
        QGuiApplication::clipboard()->setText(m_shopSecret->text());
        say([this] { return tr("Shop secret copied (key id, a space, the secret)."); });
    });
    connect(m_rotateShopSecret, &QPushButton::clicked, this, &SettingsPage::rotateShopSecret);
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
    const QString tlsCert = m_tlsCert->text().trimmed();
    const QString tlsKey = m_tlsKey->text().trimmed();
    if (tlsCert.isEmpty() != tlsKey.isEmpty()) {
        *problem = tr("HTTPS needs both a certificate file and its key file, or neither.");
        return false;
    }
    for (const QString &file : {tlsCert, tlsKey}) {
        if (!file.isEmpty() && !QFileInfo(file).isReadable()) {
            *problem = tr("Cannot read %1.").arg(file);
            return false;
        }
    }
    EngineSettings settings;
    settings.listen = m_listen->text().trimmed();
    settings.dataDir = m_dataDir->text().trimmed();
    settings.storeUrl = urlToSave(m_storeUrl, m_savedStoreUrl);
    settings.queueUrl = urlToSave(m_queueUrl, m_savedQueueUrl);
    settings.nodeId = m_nodeId->text().trimmed();
    // The same rules as --listen, --store, --queue and --node-id; the engine's texts are English,
    // so the page says it in the console's language.
    switch (m_services.checkSettings(settings)) {
    case SettingsProblem::None: return true;
    case SettingsProblem::Listen: *problem = tr("The address must look like 127.0.0.1:8080 or [::1]:8080."); break;
    case SettingsProblem::DataDir: *problem = tr("Choose a data directory."); break;
    case SettingsProblem::StoreUrl:
        *problem = tr("The store URL must look like postgresql://USER:PASSWORD@HOST:5432/DATABASE.");
        break;
    case SettingsProblem::QueueUrl: *problem = tr("The queue URL must look like amqp://USER:PASSWORD@HOST:5672/VHOST."); break;
    case SettingsProblem::QueueWithoutStore:
        *problem = tr("A RabbitMQ queue needs a PostgreSQL store URL: every node must share one database.");
        break;
    case SettingsProblem::NodeId:
        *problem = tr("The node id takes 1 to 64 letters, digits, dots (.), underscores (_) and dashes (-).");
        break;
    }
    return false;
}

QString SettingsPage::urlToSave(const QLineEdit *field, const QString &savedUrl)
{
    const QString typed = field->text().trimmed();
    if (!savedUrl.isEmpty() && QUrl(typed).password().isEmpty() && typed == withoutPassword(savedUrl))
        return savedUrl;
    return typed;
}

void SettingsPage::save()
{
    QString problem;
    if (!validate(&problem)) {
        say([this] {
            QString again;
            validate(&again);
            return again;
        });
        return;
    }
    m_savedStoreUrl = urlToSave(m_storeUrl, m_savedStoreUrl);
    m_savedQueueUrl = urlToSave(m_queueUrl, m_savedQueueUrl);
    ConsoleSettings settings;
    settings.setListen(m_listen->text().trimmed());
    settings.setDataDir(QDir::fromNativeSeparators(m_dataDir->text().trimmed()));
    settings.setTls(m_tlsCert->text().trimmed(), m_tlsKey->text().trimmed());
    settings.setRateLimit(m_rateLimit->value());
    settings.setStoreUrl(m_savedStoreUrl);
    settings.setQueueUrl(m_savedQueueUrl);
    settings.setNodeId(m_nodeId->text().trimmed());
    m_storeUrl->setText(withoutPassword(m_savedStoreUrl));
    m_queueUrl->setText(withoutPassword(m_savedQueueUrl));
    say([this] { return tr("Saved. The changes apply when the engine next starts (restart the console)."); });
}

void SettingsPage::regenerateToken()
{
    if (!m_backend || !m_backend->canRegenerateAdminToken())
        return;
    if (QMessageBox::question(this, tr("New admin token"),
                              tr("Scripts and dashboards that use the current token will be refused until they get "
                                 "the new one. Make a new token?"),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        != QMessageBox::Yes)
        return;
    QString error;
    if (!m_backend->regenerateAdminToken(&error)) {
        QMessageBox::warning(this, tr("New admin token"), tr("The token was not changed: %1").arg(error));
        return;
    }
    m_token->setText(m_backend->adminToken());
    say([this] { return tr("A new admin token is in use."); });
}

void SettingsPage::rotateShopSecret()
{
    if (!m_backend || !m_backend->canRotateShopSecret())
        return;
    if (QMessageBox::question(this, tr("New shop secret"),
                              tr("The shop's backend must sign new passes with the new secret. Passes signed with "
                                 "the current one keep working for 24 hours. Make a new secret?"),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        != QMessageBox::Yes)
        return;
    QString error;
    if (!m_backend->rotateShopSecret(&error)) {
        QMessageBox::warning(this, tr("New shop secret"), tr("The secret was not changed: %1").arg(error));
        return;
    }
    m_shopSecret->setText(m_backend->shopSecret());
    say([this] { return tr("A new shop secret is in use; the previous one works for 24 more hours."); });
}

void SettingsPage::say(std::function<QString()> message)
{
    m_savedText = std::move(message);
    m_saved->setText(m_savedText());
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
    m_tlsCertLabel->setText(tr("TLS certificate (PEM):"));
    m_tlsKeyLabel->setText(tr("TLS private key (PEM):"));
    m_tlsCert->setToolTip(tr("Serve HTTPS and WSS on the listen address. Leave empty for plain HTTP."));
    m_browse->setText(tr("Browse…"));
    m_restartNote->setText(tr("The address, data directory, TLS files and rate limit apply at the next start. "
                              "Command-line options (--listen, --data-dir, --tls-cert, --rate-limit) take precedence."));
    m_save->setText(tr("Save"));
    m_tokenGroup->setTitle(tr("Admin token"));
    m_showToken->setText(tr("Show"));
    m_copyToken->setText(tr("Copy"));
    m_regenerate->setText(tr("Regenerate…"));
    m_rateLimitLabel->setText(tr("Rate limit (purchases/s per address):"));
    m_rateLimit->setSpecialValueText(tr("Off"));
    m_rateLimit->setToolTip(tr("Purchases one client address may send a second, with bursts of twice as many; "
                               "more get 429. No person clicks that fast; a script does."));
    m_shopSecretGroup->setTitle(tr("Shop secret (signed shopper passes)"));
    m_showShopSecret->setText(tr("Show"));
    m_copyShopSecret->setText(tr("Copy"));
    m_rotateShopSecret->setText(tr("Rotate…"));
    m_shopSecretNote->setText(m_shopSecret->text().isEmpty()
                                  ? tr("The secret stays on the node this console is connected to.")
                                  : tr("Events whose shoppers are \"signed in at the shop\" accept only passes (HS256 JWTs) "
                                       "signed with this secret, its key id as `kid`. Give it only to the shop's backend."));
    m_languageGroup->setTitle(tr("Language"));
    m_languageLabel->setText(tr("Console language:"));
    m_advanced->setText(tr("&Advanced: several nodes (PostgreSQL, RabbitMQ)"));
    m_backendGroup->setTitle(tr("Backend"));
    m_storeLabel->setText(tr("Store URL (PostgreSQL):"));
    m_storeUrl->setToolTip(tr("Leave empty for the embedded SQLite database in the data directory."));
    m_queueLabel->setText(tr("Queue URL (RabbitMQ):"));
    m_queueUrl->setToolTip(tr("Leave empty for the embedded in-process queue."));
    m_nodeIdLabel->setText(tr("Node id:"));
    m_nodeId->setToolTip(tr("Names this node in logs, metrics and the cluster. Leave empty for the host name."));
    m_backendNote->setText(tr("Empty URLs mean one node on its own: the embedded SQLite database and in-process queue. "
                              "Nodes that share a RabbitMQ queue must share one PostgreSQL store. "
                              "Passwords are saved but not shown; type a URL with its password to change it. "
                              "The backend applies when the engine next starts: restart the console. "
                              "Command-line options (--store, --queue, --node-id) take precedence."));
    if (m_backend)
        m_backendInUse->setText(m_backend->runningDescription());
    if (m_savedText)
        m_saved->setText(m_savedText());
}

} // namespace flashsale
