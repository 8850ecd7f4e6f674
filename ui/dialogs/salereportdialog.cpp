#include "ui/dialogs/salereportdialog.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/salereportview.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace flashsale {

SaleReportDialog::SaleReportDialog(ConsoleBackend &backend, const QString &eventId, QWidget *parent)
    : QDialog(parent)
    , m_eventId(eventId)
{
    setObjectName(u"saleReportDialog"_qs);
    m_status = new QLabel(this);
    m_view = new SaleReportView;
    m_view->resize(SaleReportView::pageSize());
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_view);
    scroll->setWidgetResizable(false);
    scroll->setVisible(false);
    auto *buttons = new QDialogButtonBox(this);
    m_save = buttons->addButton(QString(), QDialogButtonBox::ActionRole);
    m_save->setObjectName(u"saveSaleReport"_qs);
    m_save->setEnabled(false);
    m_close = buttons->addButton(QDialogButtonBox::Close);
    connect(m_save, &QPushButton::clicked, this, &SaleReportDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);
    resize(1060, 800);
    retranslate();

    backend.saleReport(eventId, this, [this, scroll](const SaleReport &report, const QString &error) {
        m_error = error;
        m_ready = error.isEmpty();
        if (m_ready) {
            m_view->setReport(report);
            scroll->setVisible(true);
        }
        m_save->setEnabled(m_ready);
        retranslate();
    });
}

SaleReportDialog::~SaleReportDialog() = default;

bool SaleReportDialog::isReady() const
{
    return m_ready;
}

void SaleReportDialog::save()
{
    QString selectedFilter;
    const QString suggested = m_eventId + u"-report.pdf"_qs;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the post-sale report"), suggested,
                                                      tr("PDF document (*.pdf);;PNG image (*.png)"), &selectedFilter);
    if (path.isEmpty())
        return;
    QString target = path;
    if (QFileInfo(target).suffix().isEmpty())
        target += selectedFilter.contains(u"png"_qs) ? u".png"_qs : u".pdf"_qs;
    QString error;
    if (!m_view->saveTo(target, &error))
        QMessageBox::warning(this, tr("The report was not saved"), error);
}

void SaleReportDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void SaleReportDialog::retranslate()
{
    setWindowTitle(tr("Post-sale report"));
    m_save->setText(tr("&Save as PDF/PNG…"));
    if (m_ready)
        m_status->setText(tr("From the journal stored for %1.").arg(m_eventId));
    else if (m_error.isEmpty())
        m_status->setText(tr("Computing the report for %1…").arg(m_eventId));
    else
        m_status->setText(tr("The report could not be made: %1").arg(m_error));
}

} // namespace flashsale
