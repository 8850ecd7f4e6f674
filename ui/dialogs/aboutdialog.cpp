#include "ui/dialogs/aboutdialog.h"

#include "version.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QEvent>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>

namespace flashsale {

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"aboutDialog"_qs);
    auto *icon = new QLabel(this);
    icon->setObjectName(u"aboutIcon"_qs);
    icon->setPixmap(appIcon().pixmap(64, 64));
    icon->setAlignment(Qt::AlignTop);
    m_title = new QLabel(this);
    m_title->setObjectName(u"aboutTitle"_qs);
    m_version = new QLabel(this);
    m_version->setObjectName(u"aboutVersion"_qs);
    m_version->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_homepage = new QLabel(this);
    m_homepage->setObjectName(u"aboutHomepage"_qs);
    m_homepage->setOpenExternalLinks(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *text = new QVBoxLayout;
    text->addWidget(m_title);
    text->addWidget(m_version);
    text->addWidget(m_summary);
    text->addWidget(m_homepage);
    text->addStretch();
    auto *row = new QHBoxLayout;
    row->addWidget(icon);
    row->addLayout(text, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(buttons);
    retranslate();
}

QIcon AboutDialog::appIcon()
{
    QIcon icon;
    // One file per size, named <size>.png (ui/CMakeLists.txt lists the sizes).
    const QDir icons(u":/icons"_qs);
    for (const QString &file : icons.entryList({u"*.png"_qs})) {
        const int sizePx = QStringView(file).chopped(4).toInt();
        icon.addFile(icons.filePath(file), QSize(sizePx, sizePx));
    }
    return icon;
}

void AboutDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void AboutDialog::retranslate()
{
    setWindowTitle(tr("About Flash Sale Console"));
    m_title->setText(u"<h2>"_qs + tr("Flash Sale Console").toHtmlEscaped() + u"</h2>"_qs);
    m_version->setText(tr("Version %1 (Qt %2)").arg(QLatin1StringView(kVersion), QLatin1StringView(qVersion())));
    m_summary->setText(tr("Run flash sales without overselling or losing an order."));
    const QString homepage = QLatin1StringView(kHomepageUrl);
    m_homepage->setText(u"<a href=\"%1\">%1</a>"_qs.arg(homepage.toHtmlEscaped()));
}

} // namespace flashsale
