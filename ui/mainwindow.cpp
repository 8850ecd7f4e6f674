#include "ui/mainwindow.h"

#include <QHeaderView>
#include <QLabel>
#include <QStatusBar>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace flashsale {

MainWindow::MainWindow(const ServerOptions &options, QWidget *parent)
    : QMainWindow(parent)
    , m_server(std::make_unique<Server>(options))
{
    setWindowTitle(tr("Flash Sale Console"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_status = new QLabel(central);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_events = new QTableWidget(0, 5, central);
    m_events->setHorizontalHeaderLabels({tr("Event"), tr("State"), tr("Stock"), tr("Remaining"), tr("Accepted")});
    m_events->horizontalHeader()->setStretchLastSection(true);
    m_events->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_status);
    layout->addWidget(m_events);
    setCentralWidget(central);
    resize(900, 560);

    QString error;
    if (m_server->start(&error)) {
        m_status->setText(tr("Shoppers' API: %1").arg(m_server->baseUrl()));
    } else {
        m_status->setText(tr("The engine could not start: %1").arg(error));
        m_server.reset();
    }
    m_refreshTimer = new QTimer(this);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    m_refreshTimer->start(500);
    refresh();
}

MainWindow::~MainWindow()
{
    if (m_server)
        m_server->stop();
}

void MainWindow::refresh()
{
    if (!m_server)
        return;
    const QList<EventSnapshot> events = m_server->engine().events();
    m_events->setRowCount(int(events.size()));
    const QLocale locale;
    for (int row = 0; row < events.size(); ++row) {
        const EventSnapshot &e = events[row];
        const QStringList cells{e.config.name, toString(e.state), locale.toString(qint64(e.stockTotal)),
                                locale.toString(qint64(e.remaining)), locale.toString(qint64(e.acceptedRequests))};
        for (int column = 0; column < cells.size(); ++column)
            m_events->setItem(row, column, new QTableWidgetItem(cells[column]));
    }
    statusBar()->showMessage(tr("Queue depth: %1").arg(locale.toString(qint64(m_server->engine().stats().queueDepth))));
}

} // namespace flashsale
