#include "ui/widgets/exportbar.h"

#include "ui/widgets/consolesettings.h"
#include "ui/widgets/labels.h"
#include "ui/backend/consolebackend.h"

#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>

namespace flashsale {

ExportBar::ExportBar(ConsoleBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_backend(backend)
{
    m_start = new QPushButton(this);
    m_start->setObjectName(u"exportButton"_qs);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"exportProgress"_qs);
    m_progress->setMinimumWidth(220);
    m_progress->hide();
    m_cancel = new QPushButton(this);
    m_cancel->setObjectName(u"exportCancel"_qs);
    m_cancel->hide();
    m_result = new QLabel(this);
    m_result->setObjectName(u"exportResult"_qs);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_result, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    layout->addWidget(m_start);

    connect(m_start, &QPushButton::clicked, this, &ExportBar::exportRequested);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_export)
            m_export->cancel();
    });
    retranslate();
}

ExportBar::~ExportBar()
{
    if (m_export && m_export->isRunning())
        m_export->cancel();
}

void ExportBar::follow(ExportJob *job, const QString &path)
{
    delete m_export; // the previous one has finished
    m_export = job;
    connect(job, &ExportJob::progressed, this, [this](std::int64_t written, std::int64_t total) {
        if (total < 0) {
            m_progress->setRange(0, 0);
            return;
        }
        // QProgressBar is int; show per mille for huge exports.
        m_progress->setRange(0, 1000);
        m_progress->setValue(total > 0 ? int(written * 1000 / total) : 1000);
        m_progress->setFormat(tr("%1 of %2 rows").arg(Labels::count(written), Labels::count(total)));
    });
    connect(job, &ExportJob::finished, this, [this](bool ok, bool cancelled, std::int64_t rows, const QString &error) {
        m_progress->hide();
        m_cancel->hide();
        m_start->setEnabled(true);
        const QString path = m_path;
        const std::int64_t behind = m_export ? m_export->notYetListed() : 0;
        if (ok && behind > 0)
            say([path, rows, behind] {
                return tr("Saved %1 (rows: %2). %3 more losses were still being listed; export again in a moment to include them.")
                    .arg(QDir::toNativeSeparators(path), Labels::count(rows), Labels::count(behind));
            });
        else if (ok)
            say([path, rows] { return tr("Saved %1 (rows: %2)").arg(QDir::toNativeSeparators(path), Labels::count(rows)); });
        else if (cancelled)
            say([] { return tr("Export cancelled; no file was written."); });
        else
            say([error] { return tr("Export failed: %1").arg(error); });
        Q_EMIT finished(ok, rows, m_path);
    });
    started(path);
}

QString ExportBar::askForFile(const QString &title, const QString &baseName)
{
    ConsoleSettings settings;
    QString folder = settings.exportDir();
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString workbook = tr("Excel workbook (*.xlsx)");
    const QString csv = tr("CSV for other programs (*.csv)");
    QFileDialog dialog(this, title, folder);
    dialog.setObjectName(u"exportDialog"_qs);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setNameFilters({workbook, csv});
    dialog.selectNameFilter(workbook);
    dialog.setDefaultSuffix(u"xlsx"_qs);
    dialog.selectFile(baseName + u".xlsx"_qs);
    connect(&dialog, &QFileDialog::filterSelected, &dialog, [&](const QString &filter) {
        const QString suffix = filter == csv ? u"csv"_qs : u"xlsx"_qs;
        dialog.setDefaultSuffix(suffix);
        dialog.selectFile(baseName + u'.' + suffix);
    });
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return QString();
    QString path = dialog.selectedFiles().constFirst();
    // The chosen type wins over a suffix left from the other one.
    const bool wantCsv = dialog.selectedNameFilter() == csv;
    if (wantCsv == path.endsWith(u".xlsx"_qs, Qt::CaseInsensitive))
        path = QFileInfo(path).dir().filePath(QFileInfo(path).completeBaseName() + (wantCsv ? u".csv"_qs : u".xlsx"_qs));
    settings.setExportDir(QFileInfo(path).absolutePath());
    return path;
}

bool ExportBar::exportTo(const QString &path, const IntentQuery &query)
{
    if (isRunning())
        return false;
    follow(m_backend.exportIntents(path, query, this), path);
    return true;
}

bool ExportBar::exportTo(const QString &path, const OrderQuery &query)
{
    if (isRunning())
        return false;
    follow(m_backend.exportOrders(path, query, m_currencies, this), path);
    return true;
}

bool ExportBar::isRunning() const
{
    return m_export && m_export->isRunning();
}

void ExportBar::started(const QString &path)
{
    m_path = path;
    m_start->setEnabled(false);
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    m_progress->show();
    m_cancel->show();
    say([path] { return tr("Exporting to %1…").arg(QDir::toNativeSeparators(path)); });
}

void ExportBar::say(std::function<QString()> message)
{
    m_resultText = std::move(message);
    m_result->setText(m_resultText());
}

void ExportBar::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ExportBar::retranslate()
{
    m_start->setText(tr("&Export…"));
    m_cancel->setText(tr("Cancel"));
    if (m_resultText)
        m_result->setText(m_resultText());
}

} // namespace flashsale
