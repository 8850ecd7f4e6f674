#include "ui/mainwindow.h"

#include "ui/dialogs/connectdialog.h"
#include "ui/dialogs/aboutdialog.h"
#include "ui/pages/dashboardpage.h"
#include "ui/pages/eventspage.h"
#include "ui/widgets/labels.h"
#include "ui/pages/leadspage.h"
#include "ui/pages/orderspage.h"
#include "ui/pages/settingspage.h"
#include "ui/pages/webhookspage.h"
#include "ui/dialogs/simulatedialog.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTimer>

namespace flashsale {

struct MainWindow::Actions {
    QMenu *file = nullptr;
    QAction *connect = nullptr;
    QAction *embedded = nullptr;
    QMenu *tools = nullptr;
    QMenu *help = nullptr;
    QMenu *tray = nullptr;
    QAction *newEvent = nullptr;
    QAction *saveDashboard = nullptr;
    QAction *trayShow = nullptr;
    QAction *trayQuit = nullptr;
    QAction *quit = nullptr;
    QAction *simulate = nullptr;
    QAction *about = nullptr;
};

MainWindow::MainWindow(BackendServices services, std::unique_ptr<ConsoleBackend> backend, QWidget *parent)
    : QMainWindow(parent)
    , m_services(std::move(services))
    , m_actions(std::make_unique<Actions>())
{
    setObjectName(u"mainWindow"_qs);
    setWindowIcon(AboutDialog::appIcon());

    // Status bar: the node (the shoppers' URL for the embedded engine; click to copy), the
    // link's state, the queue.
    m_url = new QLabel(this);
    m_url->setObjectName(u"shopperUrl"_qs);
    m_url->setTextInteractionFlags(Qt::LinksAccessibleByMouse);
    connect(m_url, &QLabel::linkActivated, this, [this](const QString &link) {
        QGuiApplication::clipboard()->setText(link);
        statusBar()->showMessage(tr("Copied %1").arg(link), 3000);
    });
    m_engineState = new QLabel(this);
    m_engineState->setObjectName(u"engineState"_qs);
    m_queue = new QLabel(this);
    m_queue->setObjectName(u"queueDepth"_qs);
    statusBar()->addPermanentWidget(m_url);
    statusBar()->addPermanentWidget(m_engineState);
    statusBar()->addPermanentWidget(m_queue);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(1000);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::showStatus);

    buildMenus();
    resize(1280, 800);
    attach(std::move(backend));
}

MainWindow::~MainWindow()
{
    shutDown();
}

void MainWindow::attach(std::unique_ptr<ConsoleBackend> backend)
{
    m_backend = std::move(backend);
    const bool started = m_backend->start();
    // Each snapshot is one dashboard sample; refresh() alone (a language switch) adds none.
    connect(m_backend.get(), &ConsoleBackend::statsChanged, this, [this] {
        if (m_dashboard)
            m_dashboard->addSample(m_backend->stats());
        refresh();
    });
    connect(m_backend.get(), &ConsoleBackend::linkChanged, this, &MainWindow::showStatus);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"pages"_qs);
    m_tabs->setDocumentMode(true);
    if (started) {
        m_events = new EventsPage(*m_backend, m_tabs);
        m_dashboard = new DashboardPage(*m_backend, m_tabs);
        m_orders = new OrdersPage(*m_backend, m_tabs);
        m_leads = new LeadsPage(*m_backend, m_tabs);
        m_webhooks = new WebhooksPage(*m_backend, m_tabs);
        m_tabs->addTab(m_events, QString());
        m_tabs->addTab(m_dashboard, QString());
        m_tabs->addTab(m_orders, QString());
        m_tabs->addTab(m_leads, QString());
        m_tabs->addTab(m_webhooks, QString());
    } else {
        m_startErrorLabel = new QLabel(m_tabs);
        m_startErrorLabel->setWordWrap(true);
        m_startErrorLabel->setAlignment(Qt::AlignCenter);
        m_tabs->addTab(m_startErrorLabel, QString());
    }
    m_settings = new SettingsPage(started ? m_backend.get() : nullptr, m_services, m_tabs);
    m_tabs->addTab(m_settings, QString());
    setCentralWidget(m_tabs);

    Actions &a = *m_actions;
    a.newEvent->setEnabled(m_events != nullptr);
    a.simulate->setEnabled(m_events != nullptr);
    a.embedded->setEnabled(m_backend->kind() == BackendKind::Remote);
    retranslate();
}

void MainWindow::shutDown()
{
    m_statusTimer->stop();
    delete m_simulate; // its shoppers go to the node we are about to leave
    // The pages go first: nothing asks the backend for anything once it stops.
    delete m_tabs;
    m_tabs = nullptr;
    m_events = nullptr;
    m_dashboard = nullptr;
    m_orders = nullptr;
    m_leads = nullptr;
    m_webhooks = nullptr;
    m_settings = nullptr;
    m_startErrorLabel = nullptr;
    if (m_backend) {
        disconnect(m_backend.get(), nullptr, this, nullptr);
        m_backend->shutDown();
        m_backend.reset();
    }
    if (m_tray)
        m_tray->hide();
}

bool MainWindow::attachTo(const QString &url, const QString &adminToken)
{
    const int live = liveEventCount();
    if (live > 0
        && QMessageBox::question(this, tr("Leave the engine in this console?"),
                                 tr("%n event(s) are open or scheduled here. Switching stops the engine in this console: "
                                    "the shop goes offline until it runs again.", nullptr, live),
                                 QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            != QMessageBox::Yes)
        return false;
    shutDown();
    attach(m_services.makeBackend(url, adminToken));
    return true;
}

void MainWindow::connectToServer()
{
    ConnectDialog dialog(QString(), QString(), this);
    if (dialog.exec() == QDialog::Accepted)
        attachTo(dialog.url(), dialog.token());
}

int MainWindow::liveEventCount() const
{
    if (!m_backend || m_backend->kind() != BackendKind::InProcess || !m_backend->isAccepting())
        return 0;
    int live = 0;
    for (const EventSnapshot &e : m_backend->stats().events)
        live += e.state != EventState::Draft && e.state != EventState::Ended;
    return live;
}

MainWindow::CloseChoice MainWindow::askBeforeClosing(int liveEvents)
{
    QMessageBox box(QMessageBox::Warning, tr("Quit Flash Sale Console?"),
                    tr("%n event(s) are open or scheduled. If the console quits, the shop goes offline: shoppers "
                       "cannot see or buy anything until it runs again.", nullptr, liveEvents),
                    QMessageBox::NoButton, this);
    box.setObjectName(u"quitConfirm"_qs);
    QPushButton *keep = nullptr;
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        box.setInformativeText(tr("Keep serving in the background: the window closes, the shop stays online, and "
                                  "the icon in the system tray brings it back or quits."));
        keep = box.addButton(tr("&Keep serving in the background"), QMessageBox::AcceptRole);
    }
    QPushButton *quit = box.addButton(tr("&Quit and take the shop offline"), QMessageBox::DestructiveRole);
    quit->setObjectName(u"quitButton"_qs);
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep ? keep : cancel);
    box.setEscapeButton(cancel);
    box.exec();
    if (box.clickedButton() == quit)
        return CloseChoice::Quit;
    if (keep && box.clickedButton() == keep)
        return CloseChoice::KeepServing;
    return CloseChoice::Cancel;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const int live = m_quitting ? 0 : liveEventCount();
    const CloseChoice choice = live > 0 ? askBeforeClosing(live) : CloseChoice::Quit;
    if (choice == CloseChoice::Cancel) {
        event->ignore();
        return;
    }
    if (choice == CloseChoice::KeepServing) {
        event->ignore();
        serveInBackground();
        return;
    }
    shutDown();
    QApplication::setQuitOnLastWindowClosed(true); // it was off while serving from the tray
    event->accept();
}

void MainWindow::serveInBackground()
{
    if (!m_tray) {
        Actions &a = *m_actions;
        a.tray = new QMenu(this);
        a.trayShow = a.tray->addAction(QString(), this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
        a.trayQuit = a.tray->addAction(QString(), this, &MainWindow::quitWithoutAsking);
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setContextMenu(a.tray);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                m_actions->trayShow->trigger();
        });
        retranslateTray();
    }
    // Hidden, the window is no longer the last one open: the application must not quit with it.
    QApplication::setQuitOnLastWindowClosed(false);
    m_tray->show();
    hide();
}

void MainWindow::quitWithoutAsking()
{
    m_quitting = true;
    shutDown();
    close();
    QApplication::quit(); // also when the window was already hidden behind the tray icon
}

void MainWindow::retranslateTray()
{
    if (!m_tray)
        return;
    Actions &a = *m_actions;
    a.trayShow->setText(tr("&Show the console"));
    a.trayQuit->setText(tr("&Quit (the shop goes offline)"));
    const int live = liveEventCount();
    m_tray->setToolTip(tr("Flash Sale Console: serving %n live event(s) at %1", nullptr, live)
                           .arg(m_backend ? m_backend->baseUrl() : QString()));
}

void MainWindow::buildMenus()
{
    Actions &a = *m_actions;
    a.file = menuBar()->addMenu(QString());
    a.connect = a.file->addAction(QString(), this, &MainWindow::connectToServer);
    a.connect->setObjectName(u"connectAction"_qs);
    a.embedded = a.file->addAction(QString(), this, [this] { attachTo(QString(), QString()); });
    a.embedded->setObjectName(u"embeddedAction"_qs);
    a.file->addSeparator();
    a.newEvent = a.file->addAction(QString(), this, [this] {
        if (!m_events)
            return;
        m_tabs->setCurrentWidget(m_events);
        m_events->newEvent();
    });
    a.newEvent->setObjectName(u"newEventAction"_qs);
    a.newEvent->setShortcut(QKeySequence::New);
    a.saveDashboard = a.file->addAction(QString(), this, [this] {
        if (!m_dashboard)
            return;
        m_tabs->setCurrentWidget(m_dashboard);
        m_dashboard->saveReport();
    });
    a.file->addSeparator();
    a.quit = a.file->addAction(QString(), this, &QWidget::close);
    a.quit->setShortcut(QKeySequence::Quit);
    a.tools = menuBar()->addMenu(QString());
    a.simulate = a.tools->addAction(QString(), this, &MainWindow::showSimulator);
    a.simulate->setObjectName(u"simulateAction"_qs);
    a.help = menuBar()->addMenu(QString());
    a.about = a.help->addAction(QString(), this, &MainWindow::showAbout);
    a.about->setObjectName(u"aboutAction"_qs);
}

void MainWindow::showAbout()
{
    if (!m_about)
        m_about = new AboutDialog(this);
    m_about->show();
    m_about->raise();
    m_about->activateWindow();
}

void MainWindow::reportNewerDatabase()
{
    QMessageBox::critical(this, tr("Database from a newer version"),
                          tr("This database was made by a newer version of Flash Sale Console, so this version "
                             "cannot use it. It was not changed.\n\n%1").arg(m_backend ? m_backend->linkError() : QString()));
}

void MainWindow::showSimulator()
{
    if (!m_events)
        return;
    if (!m_simulate) {
        m_simulate = new SimulateDialog(*m_backend, this);
        m_simulate->setEvents(m_backend->stats().events);
    }
    m_simulate->show();
    m_simulate->raise();
    m_simulate->activateWindow();
}

void MainWindow::refresh()
{
    if (!m_tabs || !m_backend)
        return; // shut down
    if (m_events) {
        const EngineStats &stats = m_backend->stats();
        m_events->refresh(stats.events);
        m_orders->setEvents(stats.events);
        m_leads->setEvents(stats.events);
        if (m_simulate)
            m_simulate->setEvents(stats.events);
    }
    showStatus();
    retranslateTray();
}

void MainWindow::showStatus()
{
    if (!m_backend)
        return;
    const bool remote = m_backend->kind() == BackendKind::Remote;
    const QString url = m_backend->baseUrl();
    if (remote)
        m_url->setText(tr("Attached to %1").arg(u"<a href=\"%1\">%1</a>"_qs.arg(url)));
    else if (!url.isEmpty())
        m_url->setText(tr("Shoppers' API: <a href=\"%1\">%1</a>").arg(url));
    else
        m_url->setText(QString());
    m_url->setToolTip(tr("Click to copy"));

    const EngineStats &stats = m_backend->stats();
    QString state;
    bool healthy = false;
    switch (m_backend->linkState()) {
    case LinkState::Failed:
        state = tr("Engine stopped");
        break;
    case LinkState::Connecting:
        state = tr("Connecting to %1…").arg(m_backend->nodeName());
        break;
    case LinkState::Reconnecting:
        state = tr("⚠ Connection to %1 lost (%2); retrying in %n s", nullptr, (m_backend->retryInMs() + 999) / 1000)
                    .arg(m_backend->nodeName(), m_backend->linkError());
        break;
    case LinkState::Connected:
        if (stats.storeFailing)
            state = tr("⚠ Database failing");
        else if (stats.clustered && !stats.brokerConnected)
            state = tr("⚠ RabbitMQ unreachable");
        else if (stats.clustered && !stats.storeReachable)
            state = tr("⚠ PostgreSQL unreachable");
        else if (!m_backend->isAccepting())
            state = tr("Stopping");
        else if (remote)
            state = tr("● Connected to %1").arg(m_backend->nodeName());
        else
            state = tr("● Running");
        healthy = m_backend->isAccepting() && !stats.storeFailing;
        break;
    }
    // A countdown needs a tick of its own while no snapshot comes.
    if (m_backend->linkState() == LinkState::Reconnecting)
        m_statusTimer->start();
    else
        m_statusTimer->stop();
    m_engineState->setText(state);
    m_engineState->setStyleSheet(healthy ? u"color: #1b7f3b;"_qs : state.startsWith(u'⚠') ? u"color: #b3261e;"_qs : QString());
    if (m_backend->linkState() != LinkState::Connected)
        m_queue->setText(QString());
    // Scale-out: the depth is what waits in the broker's queues for every node, plus this node's unconfirmed.
    else
        m_queue->setText(stats.clustered ? tr("Queue (RabbitMQ): %1").arg(Labels::count(stats.queueDepth))
                                         : tr("Queue: %1").arg(Labels::count(stats.queueDepth)));
    setWindowTitle(remote ? tr("Flash Sale Console — %1").arg(m_backend->nodeName()) : tr("Flash Sale Console"));
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && m_tabs)
        retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::retranslate()
{
    int tab = 0;
    if (m_events) {
        m_tabs->setTabText(tab++, tr("Events"));
        m_tabs->setTabText(tab++, tr("Live dashboard"));
        m_tabs->setTabText(tab++, tr("Orders"));
        m_tabs->setTabText(tab++, tr("Intent leads"));
        m_tabs->setTabText(tab++, tr("Webhooks"));
    } else if (m_startErrorLabel) {
        m_tabs->setTabText(tab++, tr("Engine"));
        m_startErrorLabel->setText(tr("The engine could not start:\n%1\n\nCheck the address, data directory and backend in "
                                      "Settings, then restart the console.").arg(m_backend->linkError()));
    }
    if (m_tabs)
        m_tabs->setTabText(tab, tr("Settings"));
    Actions &a = *m_actions;
    a.file->setTitle(tr("&File"));
    a.connect->setText(tr("&Connect to server…"));
    a.embedded->setText(tr("Use the &engine in this console"));
    a.newEvent->setText(tr("&New event…"));
    a.saveDashboard->setText(tr("&Save dashboard as PNG/PDF…"));
    a.quit->setText(tr("&Quit"));
    a.tools->setTitle(tr("&Tools"));
    a.simulate->setText(tr("&Simulate a sale…"));
    a.help->setTitle(tr("&Help"));
    a.about->setText(tr("&About"));
    refresh();
}

} // namespace flashsale
