#include "ui/pages/dashboardpage.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/eventchoice.h"
#include "ui/widgets/labels.h"
#include "ui/dialogs/salereportdialog.h"

#include <QComboBox>
#include <QDateTime>
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

#include "ui/widgets/customplot.h"

namespace flashsale {

namespace {
constexpr int kLongestWindowMinutes = 15;
// Rates are measured over this span so one late timer tick does not spike the chart.
constexpr std::int64_t kRateSpanMs = 1000;

QString latencyText(std::int64_t micros)
{
    const double ms = double(micros) / 1000.0;
    //: Latency in milliseconds
    return QCoreApplication::translate("flashsale::DashboardPage", "%1 ms").arg(QLocale().toString(ms, 'f', ms < 10 ? 1 : 0));
}

QString percentText(std::int64_t part, std::int64_t whole)
{
    if (whole <= 0)
        return u"—"_qs;
    return QLocale().toString(100.0 * double(part) / double(whole), 'f', 1) + QLocale().percent();
}
} // namespace

DashboardPage::DashboardPage(ConsoleBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_backend(backend)
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
        m_leadsKnown = false;
        countLeads();
        redraw();
    });
    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        m_windowMinutes = m_window->currentData().toInt();
        m_leadsKnown = false;
        m_lastLatency.reset();
        countLeads();
        redraw();
    });
    connect(m_save, &QPushButton::clicked, this, &DashboardPage::saveReport);
    connect(m_saleReport, &QPushButton::clicked, this, &DashboardPage::openSaleReport);

    m_content = new QWidget(this);
    m_content->setAutoFillBackground(true);
    auto *content = new QVBoxLayout(m_content);
    m_title = new QLabel(m_content);
    m_title->setObjectName(u"dashboardTitle"_qs);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    content->addWidget(m_title);
    auto *tiles = new QGridLayout;
    tiles->setSpacing(8);
    m_accepted = addTile(tiles, 0, 0, u"accepted"_qs);
    m_wonUnits = addTile(tiles, 0, 1, u"wonUnits"_qs);
    m_conversion = addTile(tiles, 0, 2, u"conversion"_qs);
    m_clients = addTile(tiles, 0, 3, u"webSocketClients"_qs);
    m_rejected = addTile(tiles, 0, 4, u"rejectedRate"_qs);
    m_leadsTile = addTile(tiles, 1, 0, u"leads"_qs);
    m_withContact = addTile(tiles, 1, 1, u"withContact"_qs);
    m_p50 = addTile(tiles, 1, 2, u"p50"_qs);
    m_p99 = addTile(tiles, 1, 3, u"p99"_qs);
    m_paidConversion = addTile(tiles, 2, 0, u"paidConversion"_qs);
    m_pendingPayments = addTile(tiles, 2, 1, u"pendingPayments"_qs);
    m_freedUnits = addTile(tiles, 2, 2, u"freedUnits"_qs);
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
    m_queuePeak = new QCPItemTracer(m_queuePlot);
    m_queuePeak->setObjectName(u"queuePeak"_qs);
    m_queuePeak->setStyle(QCPItemTracer::tsCircle);
    m_queuePeak->setSize(8);
    m_queuePeak->setPen(QPen(QColor(0x94, 0x67, 0xbd), 2));
    m_queuePeak->setBrush(Qt::white);
    m_queuePeakLabel = new QCPItemText(m_queuePlot);
    m_queuePeakLabel->setObjectName(u"queuePeakLabel"_qs);
    m_queuePeakLabel->position->setParentAnchor(m_queuePeak->position);
    m_queuePeakLabel->position->setCoords(0, -6); // pixels above the point
    m_queuePeakLabel->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
    m_queuePeakLabel->setClipToAxisRect(false);
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

DashboardPage::Tile DashboardPage::addTile(QGridLayout *grid, int row, int column, const QString &name)
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
    tile.note = new QLabel(frame);
    tile.note->setObjectName(name + u"Note"_qs);
    tile.note->setStyleSheet(u"color: palette(dark);"_qs);
    box->addWidget(tile.caption);
    box->addWidget(tile.value);
    box->addWidget(tile.note);
    grid->addWidget(frame, row, column);
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

QString DashboardPage::tileNote(const QString &tileName) const
{
    return tileText(tileName + u"Note"_qs);
}

DashboardPage::Figures DashboardPage::figuresOf(const EngineStats &stats) const
{
    Figures f;
    if (m_eventId.isEmpty()) {
        // Summed over the events (which the engine loads from the store) rather than the engine's
        // counters since start, so "since open" survives a restart. Rehearsal copies are not
        // sales: pick one by name to watch it.
        f.queue = stats.queueDepth;
        for (const EventSnapshot &e : stats.events) {
            if (e.config.rehearsal)
                continue;
            f.accepted += e.requests.accepted;
            f.wonRequests += e.requests.won;
            f.wonUnits += e.requests.wonUnits;
            f.lost += e.requests.lost;
            if (e.state != EventState::Ended)
                f.remaining += e.remaining;
            if (e.config.paymentWindowSeconds > 0) {
                f.paymentWindow = true;
                f.orders += e.orders;
            }
        }
        return f;
    }
    for (const EventSnapshot &e : stats.events) {
        if (e.config.id != m_eventId)
            continue;
        f.accepted = e.requests.accepted;
        f.wonRequests = e.requests.won;
        f.wonUnits = e.requests.wonUnits;
        f.lost = e.requests.lost;
        f.queue = e.requests.waiting();
        f.remaining = e.remaining;
        f.paymentWindow = e.config.paymentWindowSeconds > 0;
        f.orders = e.orders;
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

std::int64_t DashboardPage::windowStartMs(const EngineStats **base) const
{
    const std::int64_t fromMs = m_samples.back().atMs - std::int64_t(m_windowMinutes) * 60'000;
    auto after = m_samples.begin();
    while (after != m_samples.end() && after->atMs <= fromMs)
        ++after;
    if (after == m_samples.begin()) { // the page's snapshots start inside the window
        *base = &m_samples.front();
        return m_samples.front().atMs;
    }
    *base = &*(after - 1);
    return fromMs;
}

void DashboardPage::countLeads()
{
    if (m_samples.empty() || m_countingLeads)
        return;
    m_countingLeads = true;
    m_leadsCountedAtMs = QDateTime::currentMSecsSinceEpoch();
    const EngineStats *base = nullptr;
    const std::int64_t sinceMs = windowStartMs(&base);
    m_backend.countLeads(m_eventId, sinceMs, this, [this, eventId = m_eventId, windowMinutes = m_windowMinutes](
                                                       const LeadCounts &counts, const QString &error) {
        m_countingLeads = false;
        if (eventId != m_eventId || windowMinutes != m_windowMinutes)
            return;
        m_leadsKnown = error.isEmpty();
        m_leads = counts;
        showLeads();
    });
}

void DashboardPage::showLeads()
{
    if (!m_leadsKnown) {
        for (const Tile *tile : {&m_leadsTile, &m_withContact}) {
            tile->value->setText(u"…"_qs);
            tile->note->clear();
        }
        return;
    }
    m_leadsTile.value->setText(Labels::count(m_leads.leadsSince));
    m_leadsTile.note->setText(tr("since open: %1").arg(Labels::count(m_leads.leads)));
    m_withContact.value->setText(Labels::count(m_leads.withContactSince));
    m_withContact.note->setText(m_leads.leads > 0 ? tr("since open: %1 (%2 of leads)")
                                                        .arg(Labels::count(m_leads.withContact), percentText(m_leads.withContact, m_leads.leads))
                                                  : tr("since open: %1").arg(Labels::count(m_leads.withContact)));
}

void DashboardPage::showPayments(const Figures &now)
{
    if (!now.paymentWindow) {
        for (const Tile *tile : {&m_paidConversion, &m_pendingPayments, &m_freedUnits}) {
            tile->value->setText(u"—"_qs);
            //: Under a payment tile when no event shown has a payment window (its orders are final)
            tile->note->setText(tr("no payment window: orders are final"));
        }
        return;
    }
    const OrderCounts &o = now.orders;
    m_paidConversion.value->setText(percentText(o.paidUnits, o.needingPaymentUnits()));
    //: Under the paid conversion tile: paid units of the units won or offered
    m_paidConversion.note->setText(tr("paid %1 of %2 units").arg(Labels::count(o.paidUnits), Labels::count(o.needingPaymentUnits())));
    m_pendingPayments.value->setText(Labels::count(o.pendingOrders));
    //: Under the pending payments tile (whose figure counts orders): the units of those orders
    m_pendingPayments.note->setText(tr("units awaiting payment: %1").arg(Labels::count(o.pendingUnits)));
    //: Freed units tile value: units freed / units offered to leads
    m_freedUnits.value->setText(tr("%1 / %2").arg(Labels::count(o.freedUnits()), Labels::count(o.offeredUnits)));
    //: Under the freed units tile: how the freed units were freed
    m_freedUnits.note->setText(tr("cancelled %1 · expired %2").arg(Labels::count(o.cancelledUnits), Labels::count(o.expiredUnits)));
}

void DashboardPage::redraw()
{
    const QString selectedName = m_event->currentIndex() > 0 ? m_event->currentText() : tr("All events");
    if (m_samples.empty()) {
        //: Dashboard title: the event (or all events) and the window, e.g. "Last 5 minutes"
        m_title->setText(tr("%1 · %2").arg(selectedName, m_window->currentText()));
        replotCharts(); // titles and axes may have changed
        return;
    }
    const EngineStats &latest = m_samples.back();
    const EngineStats *base = nullptr;
    const std::int64_t startMs = windowStartMs(&base);
    const std::int64_t windowMs = std::int64_t(m_windowMinutes) * 60'000;
    const std::int64_t fromMs = latest.atMs - windowMs;
    if (startMs > fromMs) {
        //: Dashboard title when the console's snapshots cover less than the window: event, time of the first one
        m_title->setText(tr("%1 · since %2 (when this page started counting)")
                             .arg(selectedName, QLocale().toString(QDateTime::fromMSecsSinceEpoch(startMs).time(), u"HH:mm:ss"_qs)));
    } else {
        m_title->setText(tr("%1 · %2").arg(selectedName, m_window->currentText()));
    }

    // Big figures: the window; notes: since the event opened.
    const Figures now = figuresOf(latest);
    const Figures before = figuresOf(*base);
    const std::int64_t accepted = now.accepted - before.accepted;
    const std::int64_t wonRequests = now.wonRequests - before.wonRequests;
    const QString sinceOpen = tr("since open: %1");
    m_accepted.value->setText(Labels::count(accepted));
    m_accepted.note->setText(sinceOpen.arg(Labels::count(now.accepted)));
    m_wonUnits.value->setText(Labels::count(now.wonUnits - before.wonUnits));
    m_wonUnits.note->setText(sinceOpen.arg(Labels::count(now.wonUnits)));
    m_conversion.value->setText(percentText(wonRequests, accepted));
    m_conversion.note->setText(sinceOpen.arg(percentText(now.wonRequests, now.accepted)));
    m_clients.value->setText(Labels::count(latest.webSocketClients));
    //: Under the WebSocket clients tile: the count is of this moment, not of the window
    m_clients.note->setText(tr("connected now"));
    m_rejected.value->setText(Labels::count(latest.rejectedRate - base->rejectedRate));
    //: Under the rate-limit tile: refusals since the node started, by kind
    m_rejected.note->setText(tr("since start: %1 · bad pass: %2 · queue full: %3")
                                 .arg(Labels::count(latest.rejectedRate), Labels::count(latest.rejectedPass),
                                      Labels::count(latest.rejectedOverload)));
    showLeads();
    showPayments(now);

    // Latency (every event: the engine keeps one histogram): decisions since the window's base.
    LatencyHistogram::Counts window = latest.latency;
    for (int i = 0; i < LatencyHistogram::kBuckets; ++i)
        window[i] -= std::min(window[i], base->latency[i]);
    std::uint64_t decided = 0;
    for (std::uint64_t c : window)
        decided += c;
    std::uint64_t decidedEver = 0;
    for (std::uint64_t c : latest.latency)
        decidedEver += c;
    if (decided > 0) {
        m_lastLatency = Latency{LatencyHistogram::quantile(window, 0.50), LatencyHistogram::quantile(window, 0.99)};
    } else if (!m_lastLatency && decidedEver > 0) {
        // Nothing decided in the window and no earlier window seen: since the engine started.
        m_lastLatency = Latency{LatencyHistogram::quantile(latest.latency, 0.50), LatencyHistogram::quantile(latest.latency, 0.99)};
    }
    for (const Tile *tile : {&m_p50, &m_p99}) {
        if (m_lastLatency)
            tile->value->setText(latencyText(tile == &m_p50 ? m_lastLatency->p50Us : m_lastLatency->p99Us));
        else
            //: Latency tile value before any request was ever decided
            tile->value->setText(tr("none yet"));
        //: Under a latency tile: how many decisions the figure is taken from
        tile->note->setText(decided > 0 ? tr("requests in the window: %1").arg(Labels::count(std::int64_t(decided)))
                                        : tr("no requests in the window"));
    }

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
    showQueuePeak(x, queue);
    show(m_stockPlot, {&remaining}, x);
    replotCharts();
}

void DashboardPage::showQueuePeak(const QVector<double> &seconds, const QVector<double> &depths)
{
    const auto peak = std::max_element(depths.begin(), depths.end());
    const bool any = peak != depths.end() && *peak > 0;
    m_queuePeak->setVisible(any);
    m_queuePeakLabel->setVisible(any);
    // The axis grows with the peak and leaves room above it for the label.
    m_queuePlot->yAxis->setRange(0, any ? std::max(*peak * 1.3, *peak + 2.0) : 1.0);
    if (!any)
        return;
    m_queuePeak->position->setCoords(seconds[peak - depths.begin()], *peak);
    //: Label at the highest point of the queue depth chart
    m_queuePeakLabel->setText(tr("peak %1").arg(Labels::count(std::int64_t(*peak))));
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
    auto *dialog = new SaleReportDialog(m_backend, m_eventId, this);
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
    m_leadsTile.caption->setText(tr("Leads"));
    m_withContact.caption->setText(tr("Leads with contact"));
    m_p50.caption->setText(tr("Decision latency p50"));
    m_p99.caption->setText(tr("Decision latency p99"));
    m_clients.caption->setText(tr("WebSocket clients"));
    m_rejected.caption->setText(tr("Rejected: rate limit"));
    m_paidConversion.caption->setText(tr("Paid conversion"));
    m_pendingPayments.caption->setText(tr("Pending payments"));
    m_freedUnits.caption->setText(tr("Units freed / offered"));
    const auto explain = [](const Tile &tile, const QString &text) {
        for (QWidget *widget : {static_cast<QWidget *>(tile.caption), static_cast<QWidget *>(tile.value),
                                static_cast<QWidget *>(tile.note), tile.value->parentWidget()})
            widget->setToolTip(text);
    };
    explain(m_accepted, tr("Purchase requests the engine took in during the window (each retry counts). "
                           "The small figure counts since the event opened."));
    explain(m_wonUnits, tr("Units shoppers won during the window. The small figure counts since the event opened."));
    explain(m_conversion, tr("Conversion: winning requests divided by accepted requests, in the window. "
                             "Retries count as requests, so it is lower than the share of shoppers who won. "
                             "The small figure is since the event opened."));
    explain(m_leadsTile, tr("Leads: every shopper who tried and did not get the item, counted once per event, "
                            "in the window by their last attempt. The same word means the same on the Intent leads page "
                            "and in the simulation summary."));
    explain(m_withContact, tr("The leads who left a contact (phone or e-mail), so they can be reached later."));
    explain(m_p50, tr("Decision latency p50 (the median): half of the requests decided in the window took at most this "
                      "long from being accepted to their decision being safely on disk. Covers every event."));
    explain(m_p99, tr("Decision latency p99: 99 of every 100 requests decided in the window took at most this long from "
                      "being accepted to their decision being safely on disk; the slowest 1 % took longer. Covers every event."));
    explain(m_clients, tr("Open WebSocket connections (shoppers' pages and staff consoles) at this moment."));
    explain(m_rejected, tr("Purchases refused with 429 because one address or one signed user sent more than "
                           "the node's rate limit (--rate-limit), in the window; scripts, not people, reach it."));
    explain(m_paidConversion, tr("Paid conversion: units of paid orders divided by the units of every order that needed "
                                 "payment (won in the sale or offered to a lead), since the event opened. Events without "
                                 "a payment window have final orders and show “—”."));
    explain(m_pendingPayments, tr("Orders awaiting payment now, and their units. Each is paid, cancelled, or expires at its "
                                  "deadline (Orders page: Pays by)."));
    explain(m_freedUnits, tr("Units freed by cancelled and expired orders, and units offered to leads (the event's Freed "
                             "units setting: back to stock, or offered to the next lead who lost for sold out)."));
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
