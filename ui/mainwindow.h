// The admin console's main window: starts the embedded engine and shows what it serves.
#pragma once

#include "engine/server.h"

#include <QMainWindow>

#include <memory>

class QLabel;
class QTableWidget;
class QTimer;

namespace flashsale {

// Thread: GUI thread only. Reads engine snapshots on a timer; never receives per-request signals.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(const ServerOptions &options, QWidget *parent = nullptr);
    ~MainWindow() override;

private:
    void refresh();

    std::unique_ptr<Server> m_server;
    QLabel *m_status = nullptr;
    QTableWidget *m_events = nullptr;
    QTimer *m_refreshTimer = nullptr;
};

} // namespace flashsale
