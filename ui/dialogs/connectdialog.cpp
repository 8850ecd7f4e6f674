#include "ui/dialogs/connectdialog.h"

#include "ui/widgets/consolesettings.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace flashsale {

ConnectDialog::ConnectDialog(const QString &url, const QString &token, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"connectDialog"_qs);
    const ConsoleSettings settings;
    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    m_urlLabel = new QLabel(this);
    m_url = new QLineEdit(url.isEmpty() ? settings.remoteUrl() : url, this);
    m_url->setObjectName(u"connectUrl"_qs);
    m_url->setPlaceholderText(u"http://shop.example:8080"_qs);
    m_tokenLabel = new QLabel(this);
    m_token = new QLineEdit(token.isEmpty() ? settings.remoteToken() : token, this);
    m_token->setObjectName(u"connectToken"_qs);
    m_token->setEchoMode(QLineEdit::Password);
    m_remember = new QCheckBox(this);
    m_remember->setObjectName(u"connectRemember"_qs);
    m_remember->setChecked(!settings.remoteToken().isEmpty());
    m_problem = new QLabel(this);
    m_problem->setObjectName(u"connectProblem"_qs);
    m_problem->setStyleSheet(u"color: #b3261e;"_qs);
    m_problem->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *form = new QFormLayout;
    form->addRow(m_urlLabel, m_url);
    form->addRow(m_tokenLabel, m_token);
    form->addRow(QString(), m_remember);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_url, &QLineEdit::textChanged, this, &ConnectDialog::check);
    connect(m_token, &QLineEdit::textChanged, this, &ConnectDialog::check);
    retranslate();
    resize(520, sizeHint().height());
}

QString ConnectDialog::normalizedUrl(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()
        || (!url.path().isEmpty() && url.path() != u"/") || url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return QString();
    return url.adjusted(QUrl::StripTrailingSlash | QUrl::RemovePath).toString();
}

QString ConnectDialog::url() const
{
    return normalizedUrl(m_url->text());
}

QString ConnectDialog::token() const
{
    return m_token->text().trimmed();
}

void ConnectDialog::check()
{
    QString problem;
    if (url().isEmpty() && !m_url->text().trimmed().isEmpty())
        problem = tr("The address must look like http://HOST:PORT, e.g. http://shop.example:8080.");
    else if (token().isEmpty() && !m_url->text().trimmed().isEmpty())
        problem = tr("Enter the node's admin token (its Settings page, or the token file in its data directory).");
    m_problem->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!url().isEmpty() && !token().isEmpty());
}

void ConnectDialog::accept()
{
    if (url().isEmpty() || token().isEmpty())
        return;
    ConsoleSettings settings;
    settings.setRemoteUrl(url());
    settings.setRemoteToken(m_remember->isChecked() ? token() : QString());
    QDialog::accept();
}

void ConnectDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void ConnectDialog::retranslate()
{
    setWindowTitle(tr("Connect to server"));
    m_intro->setText(tr("Watch and run the sale of a node elsewhere, such as the production server: its events, live "
                        "figures, orders and leads. Nothing is stored on this computer."));
    m_urlLabel->setText(tr("Node address:"));
    m_tokenLabel->setText(tr("Admin token:"));
    m_remember->setText(tr("Remember the token on this computer"));
    check();
}

} // namespace flashsale
