// The console's *Post-sale report…*: computes one event's report off the GUI thread and shows it.
#pragma once

#include "engine/storage/store.h"

#include <QDialog>

#include <memory>

class QLabel;
class QPushButton;

namespace flashsale {

class ReaderThread;
class SaleReportView;

// Thread: GUI thread. The report is computed by the engine (salereport::compute) on a
// ReaderThread with its own read connection, then handed back by a queued call.
class SaleReportDialog : public QDialog
{
    Q_OBJECT
public:
    SaleReportDialog(const StoreLocation &store, const QString &eventId, QWidget *parent = nullptr);
    ~SaleReportDialog() override;

    SaleReportView *view() const { return m_view; }
    bool isReady() const;

public Q_SLOTS:
    void save();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();

    std::unique_ptr<ReaderThread> m_reader;
    QString m_eventId;
    QString m_error;
    bool m_ready = false;
    QLabel *m_status = nullptr;
    SaleReportView *m_view = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace flashsale
