// The admin console's main window: one page per task over a backend (the embedded engine or a remote node).
#pragma once

#include "ui/backend/consolebackend.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QCloseEvent;
class QLabel;
class QSystemTrayIcon;
class QTabWidget;
class QTimer;

namespace flashsale {

class AboutDialog;
class DashboardPage;
class EventsPage;
class LeadsPage;
class WebhooksPage;
class OrdersPage;
class SettingsPage;
class SimulateDialog;

// Thread: GUI thread only. The pages are built for one backend and rebuilt when the console
// attaches to another (File → Connect to server…, and back). They show the backend's snapshot
// each time one arrives (twice a second, never a signal per request); the status bar names the
// node and the state of the link. The window owns the backend, and the backend the engine's life:
// closing shuts the backend down (an embedded engine drains and stops cleanly).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // backend: started or not (this starts it); services make the next one and check settings.
    MainWindow(BackendServices services, std::unique_ptr<ConsoleBackend> backend, QWidget *parent = nullptr);
    ~MainWindow() override;

    ConsoleBackend *backend() const { return m_backend.get(); }
    // A message box for a database made by a newer version (the console then exits).
    void reportNewerDatabase();
    EventsPage *eventsPage() const { return m_events; }
    DashboardPage *dashboardPage() const { return m_dashboard; }
    OrdersPage *ordersPage() const { return m_orders; }
    LeadsPage *leadsPage() const { return m_leads; }
    WebhooksPage *webhooksPage() const { return m_webhooks; }
    SettingsPage *settingsPage() const { return m_settings; }
    QTabWidget *tabs() const { return m_tabs; }
    // Events shoppers can reach now or soon (open, sold out, paused, scheduled) on the embedded
    // engine; 0 for a remote node, which serves on whatever the console does.
    int liveEventCount() const;
    // The icon shown while the console serves in the background (null until then).
    QSystemTrayIcon *trayIcon() const { return m_tray; }

public Q_SLOTS:
    // Shows the newest snapshot's events on every page and the status bar (the dashboard takes
    // each snapshot as it arrives).
    void refresh();
    void showSimulator();
    // Help → About: the version and homepage.
    void showAbout();
    // Stops the backend and quits without a question: the tray's Quit, SIGTERM/SIGINT.
    void quitWithoutAsking();
    // File → Connect to server…: asks for the address and token, then attaches.
    void connectToServer();
    // Attaches to the node at url with adminToken (empty url: the engine in this console). The
    // current backend is shut down first (asking if that takes an embedded shop offline); false
    // when the user declines.
    bool attachTo(const QString &url, const QString &adminToken);

protected:
    void changeEvent(QEvent *event) override;
    // With a live event on the embedded engine, asks first: quitting takes the shop offline;
    // keeping it serving hides the window behind a tray icon. On quit the backend stops here.
    void closeEvent(QCloseEvent *event) override;

private:
    enum class CloseChoice : std::uint8_t { Quit = 1, KeepServing, Cancel };
    CloseChoice askBeforeClosing(int liveEvents);
    void serveInBackground();
    // Builds the pages for m_backend (started here).
    void attach(std::unique_ptr<ConsoleBackend> backend);
    // Removes the pages, then shuts the backend down; safe to call twice.
    void shutDown();
    void buildMenus();
    void retranslate();
    void retranslateTray();
    // The status bar: the node, the link, the queue.
    void showStatus();

    BackendServices m_services;
    std::unique_ptr<ConsoleBackend> m_backend;
    QTabWidget *m_tabs = nullptr;
    EventsPage *m_events = nullptr;
    DashboardPage *m_dashboard = nullptr;
    OrdersPage *m_orders = nullptr;
    LeadsPage *m_leads = nullptr;
    WebhooksPage *m_webhooks = nullptr;
    SettingsPage *m_settings = nullptr;
    QLabel *m_startErrorLabel = nullptr;
    QPointer<SimulateDialog> m_simulate;
    QPointer<AboutDialog> m_about;
    QLabel *m_url = nullptr;
    QLabel *m_engineState = nullptr;
    QLabel *m_queue = nullptr;
    QTimer *m_statusTimer = nullptr; // the retry countdown while a remote link is down
    QSystemTrayIcon *m_tray = nullptr;
    bool m_quitting = false; // quitWithoutAsking(): close without the question
    struct Actions;
    std::unique_ptr<Actions> m_actions;
};

} // namespace flashsale
