// The Webhooks page: the shop's endpoint and its signing secret (shown once), and the newest deliveries with Retry now.
#pragma once

#include "ui/backend/consolebackend.h"

#include <QWidget>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTimer;

namespace flashsale {

// Thread: GUI thread. Reads and writes through the backend (embedded or remote); the deliveries
// refresh every few seconds while the page is shown.
class WebhooksPage : public QWidget
{
    Q_OBJECT
public:
    explicit WebhooksPage(ConsoleBackend &backend, QWidget *parent = nullptr);

    // Reads the endpoint and the deliveries again.
    void refresh();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void retranslate();
    void saveEndpoint();
    void removeEndpoint();
    void retry(bool selectedOnly);
    void refreshDeliveries();
    void showEndpoint(const WebhookEndpoint &endpoint);
    void showDeliveries(const QList<WebhookDeliveryRow> &rows);
    void say(const QString &message, bool problem = false);
    static QString statusText(WebhookStatus status);

    ConsoleBackend &m_backend;
    WebhookEndpoint m_endpoint;
    QList<WebhookDeliveryRow> m_rows;
    QGroupBox *m_endpointGroup = nullptr, *m_deliveriesGroup = nullptr;
    QLabel *m_urlLabel = nullptr, *m_secretLabel = nullptr, *m_endpointNote = nullptr, *m_message = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_secret = nullptr; // the secret just set; cleared when the page is left
    QPushButton *m_save = nullptr, *m_remove = nullptr, *m_copySecret = nullptr;
    QLabel *m_statusLabel = nullptr;
    QComboBox *m_status = nullptr; // the deliveries filter (data: WebhookStatus, 0 = all)
    QTableWidget *m_table = nullptr;
    QPushButton *m_refresh = nullptr, *m_retrySelected = nullptr, *m_retryFailing = nullptr;
    QTimer *m_poll = nullptr;
};

} // namespace flashsale
