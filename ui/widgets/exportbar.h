// The export button row of a records page: Export…, then a progress bar and Cancel while it runs.
#pragma once

#include "engine/storage/recordtypes.h"

#include <QHash>

#include <QWidget>

#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;

namespace flashsale {

class ConsoleBackend;
class ExportJob;

// Thread: GUI thread. The export itself is the backend's job (the rows are read and written off
// the GUI thread), so the UI stays responsive; this widget shows its progress and cancels it.
class ExportBar : public QWidget
{
    Q_OBJECT
public:
    ExportBar(ConsoleBackend &backend, QWidget *parent = nullptr);
    ~ExportBar() override;

    // Asks where to save, .xlsx (the default) or CSV, starting in the folder of the last export,
    // which it remembers (ConsoleSettings). baseName: the suggested file name without suffix.
    // Empty when the user cancels.
    QString askForFile(const QString &title, const QString &baseName);
    // Starts writing to path without asking (.xlsx or CSV by its suffix); false when an export is running.
    bool exportTo(const QString &path, const IntentQuery &query);
    bool exportTo(const QString &path, const OrderQuery &query);
    // Each event's currency, for the money cells of a workbook.
    void setCurrencies(const QHash<QString, QString> &currencies) { m_currencies = currencies; }
    bool isRunning() const;
    // The running or last export (null before the first).
    ExportJob *job() const { return m_export; }

Q_SIGNALS:
    // The user pressed Export…; the page calls askForFile() and exportTo().
    void exportRequested();
    void finished(bool ok, std::int64_t rows, const QString &path);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void started(const QString &path);
    // Shows job's progress and result (it becomes job()).
    void follow(ExportJob *job, const QString &path);
    // Shows the result line, and says it again in the new language after a switch.
    void say(std::function<QString()> message);

    ConsoleBackend &m_backend;
    ExportJob *m_export = nullptr;
    QHash<QString, QString> m_currencies; // by event id
    QString m_path;
    QPushButton *m_start = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_result = nullptr;
    std::function<QString()> m_resultText; // makes m_result's text in the current language
};

} // namespace flashsale
