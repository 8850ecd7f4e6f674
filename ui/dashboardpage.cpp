#include "ui/dashboardpage.h"

#include "engine/records.h"
#include "ui/eventchoice.h"
#include "ui/labels.h"
#include "ui/readerthread.h"
#include "ui/salereportdialog.h"

#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QVBoxLayout>

// qcustomplot.h spells Qt's keywords out, which this project turns off (QT_NO_KEYWORDS).
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef foreach
#undef emit
#undef slots
#undef signals

namespace flashsale {

namespace {
constexpr int kLongestWindowMinutes = 15;
// Rates are measured over this span so one late timer tick does not spike the chart.
constexpr std::int64_t kRateSpanMs = 1000;

QString latencyText(std::int64_t micros, bool any)
{
    if (!any)
        return QStringLiteral("—");
    const double ms = double(micros) / 1000.0;
    //: Latency in milliseconds
    return QCoreApplication::translate("flashsale::DashboardPage", "%1 ms").arg(QLocale().toString(ms, 'f', ms < 10 ? 1 : 0));
}
} // namespace

DashboardPage::DashboardPage(const StoreLocation &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_reader(std::make_unique<ReaderThread>(store))
{
    auto *top = new QHBoxLayout;
    m_eventLabel = new QLabel(this);
    m_event = new QComboBox(this);
    m_event->setObjectName(u"dashboardEvent"_qs);
    m_event->setMinimumContentsLength(24);
    m_event->addItem(QString(), QString());
    m_windowLabel = new QLabel(this);
    m_window = new QComboBox(this);
    m_window->setObjectName(u"dashboardWindow"_qs);
    for (int minutes : {1, 5, 15})
        m_window->addItem(QString(), minutes);
    m_window->setCurrentIndex(1);
    m_save = new QPushButton(this);
    m_save->setObjectName(u"saveReport"_qs);
    top->addWidget(m_eventLabel);
    top->addWidget(m_event);
    top->addSpacing(12);
    top->addWidget(m_windowLabel);
    top->addWidget(m_window);
    top->addStretch(1);
    m_saleReport = new QPushButton(this);
    m_saleReport->setObjectName(u"openSaleReport"_qs);
    m_saleReport->setEnabled(false);
    top->addWidget(m_saleReport);
    top->addWidget(m_save);
    connect(m_event, &QComboBox::currentIndexChanged, this, [this] {
        m_eventId = m_event->currentData().toString();
        m_saleReport->setEnabled(!m_eventId.isEmpty());
        m_leads = -1;
        m_leadsCountedAtMs = 0;
        countLeads();
        redraw();
    });
    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        m_windowMinutes = m_window->currentData().toInt();
        redraw();
    });
    connect(m_save, &QPushButton::clicked, this, &DashboardPage::saveReport);
    connect(m_saleReport, &QPushButton::clicked, this, &DashboardPage::openSaleReport);

    m_content = new QWidget(this);
    m_content->setAutoFillBackground(true);
    auto *content = new QVBoxLayout(m_content);
    m_title = new QLabel(m_content);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    content->addWidget(m_title);
    auto *tiles = new QGridLayout;
    tiles->setSpacing(8);
    m_accepted = addTile(tiles, 0, u"accepted"_qs);
    m_wonUnits = addTile(tiles, 1, u"wonUnits"_qs);
    m_conversion = addTile(tiles, 2, u"conversion"_qs);
    m_leadsTile = addTile(tiles, 3, u"leads"_qs);
    m_p50 = addTile(tiles, 4, u"p50"_qs);
    m_p99 = addTile(tiles, 5, u"p99"_qs);
    m_clients = addTile(tiles, 6, u"webSocketClients"_qs);
    content->addLayout(tiles);

    m_ratePlot = addPlot(u"ratePlot"_qs);
    for (const QColor &color : {QColor(0x1f, 0x77, 0xb4), QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28)}) {
        QCPGraph *graph = m_ratePlot->addGraph();
        graph->setPen(QPen(color, 2));
    }
    m_ratePlot->legend->setVisible(true);
    m_ratePlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_queuePlot = addPlot(u"queuePlot"_qs);
    m_queuePlot->addGraph()->setPen(QPen(QColor(0x94, 0x67, 0xbd), 2));
    m_queuePlot->graph(0)->setBrush(QColor(0x94, 0x67, 0xbd, 40));
    m_stockPlot = addPlot(u"stockPlot"_qs);
    m_stockPlot->addGraph()->setPen(QPen(QColor(0xff, 0x7f, 0x0e), 2));
    m_stockPlot->graph(0)->setBrush(QColor(0xff, 0x7f, 0x0e, 40));
    auto *charts = new QGridLayout;
    charts->addWidget(m_ratePlot, 0, 0, 1, 2);
    charts->addWidget(m_queuePlot, 1, 0);
    charts->addWidget(m_stockPlot, 1, 1);
    charts->setRowStretch(0, 3);
    charts->setRowStretch(1, 2);
    content->addLayout(charts, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_content, 1);
    retranslate();
    redraw();
}

DashboardPage::~DashboardPage() = default;

DashboardPage::Tile DashboardPage::addTile(QGridLayout *grid, int index, const QString &name)
{
    auto *frame = new QFrame(m_content);
    frame->setObjectName(name + u"Tile"_qs);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setStyleSheet(u"QFrame#%1 { background: palette(base); border-radius: 6px; }"_qs.arg(frame->objectName()));
    auto *box = new QVBoxLayout(frame);
    Tile tile;
    tile.caption = new QLabel(frame);
    tile.caption->setStyleSheet(u"color: palette(dark);"_qs);
    tile.value = new QLabel(u"—"_qs, frame);
    tile.value->setObjectName(name);
    QFont big = tile.value->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    tile.value->setFont(big);
    box->addWidget(tile.caption);
    box->addWidget(tile.value);
    grid->addWidget(frame, 0, index);
    return tile;
}

QCustomPlot *DashboardPage::addPlot(const QString &name)
{
    auto *plot = new QCustomPlot(m_content);
    plot->setObjectName(name);
    plot->setMinimumHeight(140);
    plot->setNoAntialiasingOnDrag(true);
    plot->setNotAntialiasedElements(QCP::aeAll);
    plot->setAntialiasedElement(QCP::aePlottables, true);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, QString(), QFont(font().family(), font().pointSize(), QFont::Bold)));
    plot->yAxis->setNumberFormat(u"gb"_qs);
    return plot;
}

void DashboardPage::addSample(const EngineStats &stats)
{
    m_samples.push_back(stats);
    const std::int64_t keepFromMs = stats.atMs - std::int64_t(kLongestWindowMinutes) * 60'000 - 2 * kRateSpanMs;
    while (m_samples.size() > 2 && m_samples.front().atMs < keepFromMs)
        m_samples.pop_front();
    updateEventList(stats.events);
    if (stats.atMs - m_leadsCountedAtMs >= 1000)
        countLeads();
    redraw();
}

void DashboardPage::setEventFilter(const QString &eventId)
{
    const int index = m_event->findData(eventId);
    if (index >= 0)
        m_event->setCurrentIndex(index);
}

QString DashboardPage::eventFilter() const
{
    return m_eventId;
}

void DashboardPage::setWindowMinutes(int minutes)
{
    const int index = m_window->findData(minutes);
    if (index >= 0)
        m_window->setCurrentIndex(index);
}

QString DashboardPage::tileText(const QString &tileName) const
{
    const auto *label = m_content->findChild<QLabel *>(tileName);
    return label ? label->text() : QString();
}

DashboardPage::Figures DashboardPage::figuresOf(const EngineStats &stats) const
{
    Figures f;
    if (m_eventId.isEmpty()) {
        f.accepted = stats.accepted;
        f.wonRequests = stats.wonRequests;
        f.wonUnits = stats.wonUnits;
        f.lost = stats.lost;
        f.queue = stats.queueDepth;
        for (const EventSnapshot &e : stats.events) {
            if (e.state != EventState::Ended)
                f.remaining += e.remaining;
        }
        return f;
    }
    for (const EventSnapshot &e : stats.events) {
        if (e.config.id != m_eventId)
            continue;
        f.accepted = e.acceptedRequests;
        f.wonRequests = e.wonRequests;
        f.wonUnits = e.stockTotal - e.remaining;
        f.lost = e.lostRequests;
        f.queue = std::max<std::int64_t>(0, e.acceptedRequests - e.decidedRequests);
        f.remaining = e.remaining;
        break;
    }
    return f;
}

void DashboardPage::updateEventList(const QList<EventSnapshot> &events)
{
    if (refillEventChoices(m_event, events, &m_eventIds, 1)) {
        m_eventId = m_event->currentData().toString();
        m_saleReport->setEnabled(!m_eventId.isEmpty());
    }
}

void DashboardPage::countLeads()
{
    if (m_reader->pending() > 0)
        return;
    m_leadsCountedAtMs = Engine::nowMs();
    IntentQuery query;
    query.eventId = m_eventId;
    m_reader->post([this, query](QSqlDatabase db, const QString &openError) {
        std::int64_t total = -1;
        QString error = openError;
        if (error.isEmpty() && !records::countIntents(db, query, &total, &error))
            total = -1;
        // Queued to the GUI thread; the destructor waits for this job, so this outlives it.
        QMetaObject::invokeMethod(this, [this, total, eventId = query.eventId] {
            if (eventId != m_eventId)
                return;
            m_leads = total;
            m_leadsTile.value->setText(total < 0 ? u"—"_qs : Labels::count(total));
        }, Qt::QueuedConnection);
    });
}

void DashboardPage::redraw()
{
    const QString selectedName = m_event->currentIndex() > 0 ? m_event->currentText() : tr("All events");
    //: Dashboard title: the event (or all events) and the window, e.g. "Last 5 minutes"
    m_title->setText(tr("%1 · %2").arg(selectedName, m_window->currentText()));
    if (m_samples.empty()) {
        replotCharts(); // titles and axes may have changed
        return;
    }
    const EngineStats &latest = m_samples.back();
    const Figures now = figuresOf(latest);
    m_accepted.value->setText(Labels::count(now.accepted));
    m_wonUnits.value->setText(Labels::count(now.wonUnits));
    m_conversion.value->setText(now.accepted > 0
                                    ? QLocale().toString(100.0 * double(now.wonRequests) / double(now.accepted), 'f', 1)
                                        + QLocale().percent()
                                    : u"—"_qs);
    m_leadsTile.value->setText(m_leads < 0 ? u"—"_qs : Labels::count(m_leads));
    m_clients.value->setText(Labels::count(latest.webSocketClients));

    const std::int64_t windowMs = std::int64_t(m_windowMinutes) * 60'000;
    const std::int64_t fromMs = latest.atMs - windowMs;
    auto first = m_samples.begin();
    while (first != m_samples.end() && first->atMs < fromMs)
        ++first;
    LatencyHistogram::Counts window = latest.latency;
    // Decisions since the last sample before the window (or since the engine started).
    if (first != m_samples.begin()) {
        const EngineStats &base = *(first - 1);
        for (int i = 0; i < LatencyHistogram::kBuckets; ++i)
            window[i] -= std::min(window[i], base.latency[i]);
    }
    std::uint64_t decided = 0;
    for (std::uint64_t c : window)
        decided += c;
    m_p50.value->setText(latencyText(LatencyHistogram::quantile(window, 0.50), decided > 0));
    m_p99.value->setText(latencyText(LatencyHistogram::quantile(window, 0.99), decided > 0));

    // Series: x is seconds before now.
    QVector<double> x, requests, wins, losses, queue, remaining;
    const auto reserve = [&](qsizetype n) {
        for (QVector<double> *v : {&x, &requests, &wins, &losses, &queue, &remaining})
            v->reserve(n);
    };
    reserve(qsizetype(m_samples.size()));
    auto back = m_samples.begin();
    Figures backFigures = figuresOf(*back);
    for (auto it = m_samples.begin(); it != m_samples.end(); ++it) {
        while (back != it && it->atMs - (back + 1)->atMs >= kRateSpanMs) {
            ++back;
            backFigures = figuresOf(*back);
        }
        if (it->atMs < fromMs - kRateSpanMs)
            continue;
        const Figures f = figuresOf(*it);
        const double seconds = double(it->atMs - latest.atMs) / 1000.0;
        const double span = double(it->atMs - back->atMs) / 1000.0;
        x << seconds;
        requests << (span > 0 ? double(f.accepted - backFigures.accepted) / span : 0.0);
        wins << (span > 0 ? double(f.wonRequests - backFigures.wonRequests) / span : 0.0);
        losses << (span > 0 ? double(f.lost - backFigures.lost) / span : 0.0);
        queue << double(f.queue);
        remaining << double(f.remaining);
    }
    const double left = -double(windowMs) / 1000.0;
    const auto show = [left](QCustomPlot *plot, std::initializer_list<const QVector<double> *> series, const QVector<double> &keys) {
        double top = 1.0;
        int i = 0;
        for (const QVector<double> *values : series) {
            plot->graph(i++)->setData(keys, *values, true);
            for (double v : *values)
                top = std::max(top, v);
        }
        plot->xAxis->setRange(left, 0);
        plot->yAxis->setRange(0, top * 1.1);
    };
    show(m_ratePlot, {&requests, &wins, &losses}, x);
    show(m_queuePlot, {&queue}, x);
    show(m_stockPlot, {&remaining}, x);
    replotCharts();
}

void DashboardPage::replotCharts()
{
    if (!isVisible()) {
        m_chartsStale = true;
        return;
    }
    m_chartsStale = false;
    for (QCustomPlot *plot : {m_ratePlot, m_queuePlot, m_stockPlot})
        plot->replot(QCustomPlot::rpQueuedReplot);
}

bool DashboardPage::saveTo(const QString &path, QString *error)
{
    if (m_chartsStale) { // hidden since the last refresh: render what the report will show
        m_chartsStale = false;
        for (QCustomPlot *plot : {m_ratePlot, m_queuePlot, m_stockPlot})
            plot->replot(QCustomPlot::rpImmediateRefresh);
    }
    if (QFileInfo(path).suffix().compare(u"pdf"_qs, Qt::CaseInsensitive) == 0) {
        QPdfWriter writer(path);
        writer.setTitle(m_title->text());
        writer.setCreator(QCoreApplication::applicationName());
        writer.setPageOrientation(QPageLayout::Landscape);
        writer.setResolution(144);
        QPainter painter;
        if (!painter.begin(&writer)) {
            *error = tr("Cannot write %1.").arg(path);
            return false;
        }
        const QRect page = painter.viewport();
        const double scale = std::min(double(page.width()) / m_content->width(), double(page.height()) / m_content->height());
        painter.scale(scale, scale);
        m_content->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
        painter.end();
        return true;
    }
    if (!m_content->grab().save(path, "PNG")) {
        *error = tr("Cannot write %1.").arg(path);
        return false;
    }
    return true;
}

void DashboardPage::saveReport()
{
    QString selectedFilter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the dashboard"), u"dashboard.png"_qs,
                                                      tr("PNG image (*.png);;PDF document (*.pdf)"), &selectedFilter);
    if (path.isEmpty())
        return;
    QString target = path;
    if (QFileInfo(target).suffix().isEmpty())
        target += selectedFilter.contains(u"pdf"_qs) ? u".pdf"_qs : u".png"_qs;
    QString error;
    if (!saveTo(target, &error))
        QMessageBox::warning(this, tr("The dashboard was not saved"), error);
}

void DashboardPage::openSaleReport()
{
    if (m_eventId.isEmpty())
        return;
    auto *dialog = new SaleReportDialog(m_store, m_eventId, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void DashboardPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void DashboardPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_chartsStale)
        replotCharts();
}

void DashboardPage::retranslate()
{
    m_eventLabel->setText(tr("Event:"));
    m_event->setItemText(0, tr("All events"));
    m_windowLabel->setText(tr("Window:"));
    m_window->setItemText(0, tr("Last minute"));
    m_window->setItemText(1, tr("Last 5 minutes"));
    m_window->setItemText(2, tr("Last 15 minutes"));
    m_save->setText(tr("&Save as PNG/PDF…"));
    m_saleReport->setText(tr("Post-sale &report…"));
    m_saleReport->setToolTip(tr("Totals and timeline of the chosen event from the stored journal, as PDF or PNG"));
    m_accepted.caption->setText(tr("Accepted requests"));
    m_wonUnits.caption->setText(tr("Units sold"));
    m_conversion.caption->setText(tr("Conversion (won ÷ accepted)"));
    m_leadsTile.caption->setText(tr("Intent leads"));
    m_p50.caption->setText(tr("Decision latency p50"));
    m_p99.caption->setText(tr("Decision latency p99"));
    m_clients.caption->setText(tr("WebSocket clients"));
    const auto title = [](QCustomPlot *plot, const QString &text) {
        static_cast<QCPTextElement *>(plot->plotLayout()->element(0, 0))->setText(text);
        plot->xAxis->setLabel(tr("seconds ago"));
    };
    title(m_ratePlot, tr("Per second"));
    m_ratePlot->graph(0)->setName(tr("Requests/s"));
    m_ratePlot->graph(1)->setName(tr("Wins/s"));
    m_ratePlot->graph(2)->setName(tr("Losses/s"));
    title(m_queuePlot, tr("Queue depth"));
    title(m_stockPlot, tr("Remaining stock"));
    redraw(); // ends in replotCharts()
}

} // namespace flashsale
