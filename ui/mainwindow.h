// The admin console's main window: starts the embedded engine and hosts one page per task.
#pragma once

#include "engine/api/server.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QCloseEvent;
class QLabel;
class QMessageBox;
class QSystemTrayIcon;
class QTabWidget;
class QTimer;

namespace flashsale {

class AboutDialog;
class DashboardPage;
class EventsPage;
class LeadsPage;
class OrdersPage;
class SettingsPage;
class SimulateDialog;

// Thread: GUI thread only. One timer takes an EngineStats snapshot twice a second and hands it to
// the pages and the status bar; the engine never signals the UI per request.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 500;

    explicit MainWindow(const ServerOptions &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Null when the engine could not start (the error is shown instead of the pages).
    Server *server() const { return m_server.get(); }
    // Why the engine did not start, when it did not.
    StartFailure startFailure() const { return m_startFailure; }
    // A message box for a database made by a newer version (the console then exits).
    void reportNewerDatabase();
    EventsPage *eventsPage() const { return m_events; }
    DashboardPage *dashboardPage() const { return m_dashboard; }
    OrdersPage *ordersPage() const { return m_orders; }
    LeadsPage *leadsPage() const { return m_leads; }
    SettingsPage *settingsPage() const { return m_settings; }
    QTabWidget *tabs() const { return m_tabs; }
    // Events shoppers can reach now or soon (open, sold out, paused, scheduled).
    int liveEventCount() const;
    // The icon shown while the console serves in the background (null until then).
    QSystemTrayIcon *trayIcon() const { return m_tray; }

public Q_SLOTS:
    // Takes one snapshot now and updates every page.
    void refresh();
    void showSimulator();
    // Help → About: the version and homepage.
    void showAbout();
    // Stops the engine and quits without a question: the tray's Quit, SIGTERM/SIGINT.
    void quitWithoutAsking();

protected:
    void changeEvent(QEvent *event) override;
    // With a live event, asks first: quitting takes the shop offline; keeping it serving hides
    // the window behind a tray icon. On quit the engine stops here, cleanly.
    void closeEvent(QCloseEvent *event) override;

private:
    enum class CloseChoice : std::uint8_t { Quit = 1, KeepServing, Cancel };
    CloseChoice askBeforeClosing(int liveEvents);
    void serveInBackground();
    // Stops the pages' readers, the simulator and then the engine; safe to call twice.
    void shutDown();
    void buildMenus();
    void retranslate();
    void retranslateTray();

    std::unique_ptr<Server> m_server;
    QString m_startError;
    StartFailure m_startFailure = StartFailure::Other;
    QTabWidget *m_tabs = nullptr;
    EventsPage *m_events = nullptr;
    DashboardPage *m_dashboard = nullptr;
    OrdersPage *m_orders = nullptr;
    LeadsPage *m_leads = nullptr;
    SettingsPage *m_settings = nullptr;
    QLabel *m_startErrorLabel = nullptr;
    QPointer<SimulateDialog> m_simulate;
    QPointer<AboutDialog> m_about;
    QLabel *m_url = nullptr;
    QLabel *m_engineState = nullptr;
    QLabel *m_queue = nullptr;
    QTimer *m_refreshTimer = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    bool m_quitting = false; // quitWithoutAsking(): close without the question
    struct Actions;
    std::unique_ptr<Actions> m_actions;
};

} // namespace flashsale
