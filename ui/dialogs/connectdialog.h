// File → Connect to server…: the address of a node and its admin token.
#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace flashsale {

// Thread: GUI thread. OK is enabled once the address is http(s)://HOST[:PORT] and a token is
// given. The address is remembered (ConsoleSettings); the token only when "Remember" is ticked.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    // url, token: what the fields start with (empty: the saved ones).
    explicit ConnectDialog(const QString &url = QString(), const QString &token = QString(), QWidget *parent = nullptr);

    QString url() const;
    QString token() const;
    // Parses text as a node's address: http(s)://HOST[:PORT] and nothing after; empty when it is not.
    static QString normalizedUrl(const QString &text);

    void accept() override;

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void check();

    QLabel *m_intro = nullptr, *m_urlLabel = nullptr, *m_tokenLabel = nullptr, *m_problem = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_remember = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace flashsale
