// The Settings page: where the engine listens and keeps its data, the admin token, the language, the backend.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace flashsale {

class Server;

// Thread: GUI thread. Saves to QSettings (ConsoleSettings). The language applies at once; the
// address and data directory apply at the next start. server may be null (engine not running).
class SettingsPage : public QWidget
{
    Q_OBJECT
public:
    explicit SettingsPage(Server *server, QWidget *parent = nullptr);

    // Switches the console's language now and remembers it ("en", "zh_CN").
    void setLanguage(const QString &code);

public Q_SLOTS:
    void save();
    void regenerateToken();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    bool validate(QString *problem) const;

    Server *m_server = nullptr;
    QGroupBox *m_engineGroup = nullptr, *m_tokenGroup = nullptr, *m_languageGroup = nullptr, *m_backendGroup = nullptr;
    QLabel *m_listenLabel = nullptr, *m_dataDirLabel = nullptr, *m_restartNote = nullptr, *m_saved = nullptr;
    QLineEdit *m_listen = nullptr;
    QLineEdit *m_dataDir = nullptr;
    QPushButton *m_browse = nullptr;
    QPushButton *m_save = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_showToken = nullptr;
    QPushButton *m_copyToken = nullptr;
    QPushButton *m_regenerate = nullptr;
    QLabel *m_languageLabel = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_databaseLabel = nullptr, *m_brokerLabel = nullptr, *m_backendNote = nullptr;
    QLineEdit *m_database = nullptr;
    QLineEdit *m_broker = nullptr;
};

} // namespace flashsale
