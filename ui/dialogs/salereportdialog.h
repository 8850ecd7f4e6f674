// The console's *Post-sale report…*: computes one event's report off the GUI thread and shows it.
#pragma once

#include <QDialog>

class QLabel;
class QPushButton;

namespace flashsale {

class ConsoleBackend;
class SaleReportView;

// Thread: GUI thread. The backend computes the report from the stored journal (off the GUI
// thread, or on the remote node) and hands it back; until then the dialog says it is computing.
class SaleReportDialog : public QDialog
{
    Q_OBJECT
public:
    SaleReportDialog(ConsoleBackend &backend, const QString &eventId, QWidget *parent = nullptr);
    ~SaleReportDialog() override;

    SaleReportView *view() const { return m_view; }
    bool isReady() const;

public Q_SLOTS:
    void save();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();

    QString m_eventId;
    QString m_error;
    bool m_ready = false;
    QLabel *m_status = nullptr;
    SaleReportView *m_view = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace flashsale
