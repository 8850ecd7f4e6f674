#include "ui/mainwindow.h"

#include "ui/aboutdialog.h"
#include "ui/dashboardpage.h"
#include "ui/eventspage.h"
#include "ui/labels.h"
#include "ui/leadspage.h"
#include "ui/orderspage.h"
#include "ui/settingspage.h"
#include "ui/simulatedialog.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

namespace flashsale {

struct MainWindow::Actions {
    QMenu *file = nullptr;
    QMenu *tools = nullptr;
    QMenu *help = nullptr;
    QAction *saveDashboard = nullptr;
    QAction *quit = nullptr;
    QAction *simulate = nullptr;
    QAction *about = nullptr;
};

MainWindow::MainWindow(const ServerOptions &options, QWidget *parent)
    : QMainWindow(parent)
    , m_server(std::make_unique<Server>(options))
    , m_actions(std::make_unique<Actions>())
{
    setObjectName(u"mainWindow"_qs);
    setWindowIcon(AboutDialog::appIcon());
    if (!m_server->start(&m_startError, &m_startFailure))
        m_server.reset();

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"pages"_qs);
    m_tabs->setDocumentMode(true);
    if (m_server) {
        Engine &engine = m_server->engine();
        m_events = new EventsPage(engine, m_tabs);
        m_dashboard = new DashboardPage(engine.storeLocation(), m_tabs);
        m_orders = new OrdersPage(engine.storeLocation(), m_tabs);
        m_leads = new LeadsPage(engine.storeLocation(), m_tabs);
        m_tabs->addTab(m_events, QString());
        m_tabs->addTab(m_dashboard, QString());
        m_tabs->addTab(m_orders, QString());
        m_tabs->addTab(m_leads, QString());
        connect(m_events, &EventsPage::eventsChanged, this, &MainWindow::refresh);
    } else {
        m_startErrorLabel = new QLabel(m_tabs);
        m_startErrorLabel->setWordWrap(true);
        m_startErrorLabel->setAlignment(Qt::AlignCenter);
        m_tabs->addTab(m_startErrorLabel, QString());
    }
    m_settings = new SettingsPage(m_server.get(), m_tabs);
    m_tabs->addTab(m_settings, QString());
    setCentralWidget(m_tabs);

    // Status bar: the shoppers' URL (click to copy), the engine's state, the queue.
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

    buildMenus();
    retranslate();
    resize(1280, 800);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(kRefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    if (m_server)
        m_refreshTimer->start();
    refresh();
}

MainWindow::~MainWindow()
{
    m_refreshTimer->stop();
    delete m_simulate; // its requests go to the server we are about to stop
    // The pages' reader threads hold connections to the store; close them before the engine.
    delete m_tabs;
    if (m_server)
        m_server->stop();
}

void MainWindow::buildMenus()
{
    Actions &a = *m_actions;
    a.file = menuBar()->addMenu(QString());
    a.saveDashboard = a.file->addAction(QString(), this, [this] {
        if (!m_dashboard)
            return;
        m_tabs->setCurrentWidget(m_dashboard);
        m_dashboard->saveReport();
    });
    a.saveDashboard->setEnabled(m_dashboard != nullptr);
    a.file->addSeparator();
    a.quit = a.file->addAction(QString(), this, &QWidget::close);
    a.quit->setShortcut(QKeySequence::Quit);
    a.tools = menuBar()->addMenu(QString());
    a.simulate = a.tools->addAction(QString(), this, &MainWindow::showSimulator);
    a.simulate->setObjectName(u"simulateAction"_qs);
    a.simulate->setEnabled(m_server != nullptr);
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
                             "cannot use it. It was not changed.\n\n%1").arg(m_startError));
}

void MainWindow::showSimulator()
{
    if (!m_server)
        return;
    if (!m_simulate) {
        m_simulate = new SimulateDialog(*m_server, this);
        m_simulate->setEvents(m_server->engine().events());
    }
    m_simulate->show();
    m_simulate->raise();
    m_simulate->activateWindow();
}

void MainWindow::refresh()
{
    if (!m_server) {
        m_engineState->setText(tr("Engine stopped"));
        return;
    }
    const EngineStats stats = m_server->engine().stats();
    m_dashboard->addSample(stats);
    m_events->refresh(stats.events);
    m_orders->setEvents(stats.events);
    m_leads->setEvents(stats.events);
    if (m_simulate)
        m_simulate->setEvents(stats.events);
    const bool accepting = m_server->engine().isAccepting();
    QString state;
    if (stats.storeFailing)
        state = tr("⚠ Database failing");
    else if (stats.clustered && !stats.brokerConnected)
        state = tr("⚠ RabbitMQ unreachable");
    else if (stats.clustered && !stats.storeReachable)
        state = tr("⚠ PostgreSQL unreachable");
    else if (accepting)
        state = stats.clustered ? tr("● Node %1").arg(m_server->engine().nodeId()) : tr("● Running");
    else
        state = tr("Stopping");
    const bool healthy = accepting && !stats.storeFailing;
    m_engineState->setText(state);
    m_engineState->setStyleSheet(healthy ? u"color: #1b7f3b;"_qs : state.startsWith(u'⚠') ? u"color: #b3261e;"_qs : QString());
    // Scale-out: the depth is what waits in the broker's queues for every node, plus this node's unconfirmed.
    m_queue->setText(stats.clustered ? tr("Queue (RabbitMQ): %1").arg(Labels::count(stats.queueDepth))
                                     : tr("Queue: %1").arg(Labels::count(stats.queueDepth)));
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::retranslate()
{
    setWindowTitle(tr("Flash Sale Console"));
    int tab = 0;
    if (m_server) {
        m_tabs->setTabText(tab++, tr("Events"));
        m_tabs->setTabText(tab++, tr("Live dashboard"));
        m_tabs->setTabText(tab++, tr("Orders"));
        m_tabs->setTabText(tab++, tr("Intent leads"));
        const QString url = m_server->baseUrl();
        m_url->setText(tr("Shoppers' API: <a href=\"%1\">%1</a>").arg(url));
        m_url->setToolTip(tr("Click to copy"));
    } else {
        m_tabs->setTabText(tab++, tr("Engine"));
        m_startErrorLabel->setText(tr("The engine could not start:\n%1\n\nCheck the address, data directory and backend in "
                                      "Settings, then restart the console.").arg(m_startError));
        m_url->setText(QString());
    }
    m_tabs->setTabText(tab, tr("Settings"));
    Actions &a = *m_actions;
    a.file->setTitle(tr("&File"));
    a.saveDashboard->setText(tr("&Save dashboard as PNG/PDF…"));
    a.quit->setText(tr("&Quit"));
    a.tools->setTitle(tr("&Tools"));
    a.simulate->setText(tr("&Simulate a sale…"));
    a.help->setTitle(tr("&Help"));
    a.about->setText(tr("&About"));
    refresh();
}

} // namespace flashsale
