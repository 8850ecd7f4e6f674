// The Settings page: where the engine listens and keeps its data, the admin token, the language, the backend.
#pragma once

#include "ui/backend/consolebackend.h"

#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QPushButton;
class QToolButton;

namespace flashsale {

// Thread: GUI thread. Saves to QSettings (ConsoleSettings). The language applies at once; the
// address, data directory and backend apply at the next start of an embedded engine. backend is
// the one attached (null: none started); services check the settings with the engine's rules. URLs show without their password; an unchanged URL keeps its saved password.
class SettingsPage : public QWidget
{
    Q_OBJECT
public:
    SettingsPage(ConsoleBackend *backend, BackendServices services, QWidget *parent = nullptr);

    // Switches the console's language now and remembers it ("en", "zh_CN").
    void setLanguage(const QString &code);

public Q_SLOTS:
    void save();
    void regenerateToken();
    void rotateShopSecret();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    // Shows a status line, and says it again in the new language after a switch.
    void say(std::function<QString()> message);
    bool validate(QString *problem) const;
    // The URL to save for a field: what was typed, or the saved URL when only its password is hidden.
    static QString urlToSave(const QLineEdit *field, const QString &savedUrl);

    ConsoleBackend *m_backend = nullptr;
    BackendServices m_services;
    QGroupBox *m_engineGroup = nullptr, *m_tokenGroup = nullptr, *m_languageGroup = nullptr, *m_backendGroup = nullptr;
    QLabel *m_listenLabel = nullptr, *m_dataDirLabel = nullptr, *m_restartNote = nullptr, *m_saved = nullptr;
    QLineEdit *m_listen = nullptr;
    QLineEdit *m_dataDir = nullptr;
    QLabel *m_tlsCertLabel = nullptr, *m_tlsKeyLabel = nullptr;
    QLineEdit *m_tlsCert = nullptr; // HTTPS/WSS: PEM certificate (chain) file; empty: plain HTTP
    QLineEdit *m_tlsKey = nullptr;
    QPushButton *m_browse = nullptr;
    QPushButton *m_save = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_showToken = nullptr;
    QPushButton *m_copyToken = nullptr;
    QPushButton *m_regenerate = nullptr;
    QLabel *m_rateLimitLabel = nullptr;
    QSpinBox *m_rateLimit = nullptr; // purchases a second per client address; 0: off
    QGroupBox *m_shopSecretGroup = nullptr;
    QLineEdit *m_shopSecret = nullptr; // "KID SECRET" of the embedded engine
    QCheckBox *m_showShopSecret = nullptr;
    QPushButton *m_copyShopSecret = nullptr;
    QPushButton *m_rotateShopSecret = nullptr;
    QLabel *m_shopSecretNote = nullptr;
    QLabel *m_languageLabel = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_storeLabel = nullptr, *m_queueLabel = nullptr, *m_nodeIdLabel = nullptr;
    QLabel *m_backendNote = nullptr, *m_backendInUse = nullptr;
    QLineEdit *m_storeUrl = nullptr;
    QLineEdit *m_queueUrl = nullptr;
    QLineEdit *m_nodeId = nullptr;
    // The saved URLs, password included, that the fields show without it.
    QString m_savedStoreUrl, m_savedQueueUrl;
    QToolButton *m_advanced = nullptr; // shows the backend group (collapsed at first)
    std::function<QString()> m_savedText; // makes m_saved's text in the current language
};

} // namespace flashsale
