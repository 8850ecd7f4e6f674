#include "ui/widgets/salereportview.h"

#include "ui/widgets/labels.h"

#include <QDateTime>
#include <QEvent>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QPainter>
#include <QPdfWriter>
#include <QResizeEvent>
#include <QVBoxLayout>

#include "ui/widgets/customplot.h"

namespace flashsale {

namespace {

// The totals, in the order shown (two columns of caption and value).
const char *const kTotals[] = {"requests",  "unitsSold", "revenue",          "timeToSellOut", "conversion", "peakRate",
                               "leads",     "leadsWithContact", "p50",       "p99",           "simulated",  "undecided"};

QString milliseconds(std::int64_t ms)
{
    if (ms < 0)
        return QStringLiteral("—");
    //: Decision latency in milliseconds
    return QCoreApplication::translate("flashsale::SaleReportView", "%1 ms").arg(QLocale().toString(qlonglong(ms)));
}

QString duration(std::int64_t ms)
{
    if (ms < 60'000)
        //: A duration in seconds, e.g. "12.3 s"
        return QCoreApplication::translate("flashsale::SaleReportView", "%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
    //: A duration in minutes and seconds, e.g. "4 min 05 s"
    return QCoreApplication::translate("flashsale::SaleReportView", "%1 min %2 s").arg(QLocale().toString(qlonglong(ms / 60'000))).arg(qlonglong((ms % 60'000) / 1000), 2, 10, QLatin1Char('0'));
}

} // namespace

SaleReportView::SaleReportView(QWidget *parent)
    : QWidget(parent)
{
    setAutoFillBackground(true);
    QPalette page = palette();
    page.setColor(QPalette::Window, Qt::white);
    page.setColor(QPalette::WindowText, Qt::black);
    setPalette(page);
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setObjectName(u"reportTitle"_qs);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle = new QLabel(this);
    m_subtitle->setWordWrap(true);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);

    m_totals = new QGridLayout;
    m_totals->setHorizontalSpacing(24);
    int i = 0;
    for (const char *name : kTotals) {
        auto *caption = new QLabel(this);
        auto *value = new QLabel(this);
        value->setObjectName(QString::fromLatin1(name));
        QFont bold = value->font();
        bold.setBold(true);
        value->setFont(bold);
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_totals->addWidget(caption, i / 2, (i % 2) * 2);
        m_totals->addWidget(value, i / 2, (i % 2) * 2 + 1);
        m_cells.insert(QString::fromLatin1(name), {caption, value});
        ++i;
    }
    m_totals->setColumnStretch(1, 1);
    m_totals->setColumnStretch(3, 1);
    layout->addLayout(m_totals);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    QFont small = m_note->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_note->setFont(small);
    layout->addWidget(m_note);

    m_ratePlot = addPlot(u"reportRatePlot"_qs);
    // Wins as a filled area under the requests line, which stays visible where every request won.
    for (const QColor &color : {QColor(0x2c, 0xa0, 0x2c), QColor(0x1f, 0x77, 0xb4)}) {
        QCPGraph *graph = m_ratePlot->addGraph();
        graph->setPen(QPen(color, 2));
        graph->setLineStyle(QCPGraph::lsStepLeft);
    }
    m_ratePlot->graph(0)->setBrush(QColor(0x2c, 0xa0, 0x2c, 60));
    m_ratePlot->legend->setVisible(true);
    m_ratePlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_stockPlot = addPlot(u"reportStockPlot"_qs);
    m_stockPlot->addGraph()->setPen(QPen(QColor(0xff, 0x7f, 0x0e), 2));
    m_stockPlot->graph(0)->setLineStyle(QCPGraph::lsStepLeft);
    m_stockPlot->graph(0)->setBrush(QColor(0xff, 0x7f, 0x0e, 40));
    m_queuePlot = addPlot(u"reportQueuePlot"_qs);
    m_queuePlot->addGraph()->setPen(QPen(QColor(0x94, 0x67, 0xbd), 2));
    m_queuePlot->graph(0)->setLineStyle(QCPGraph::lsStepLeft);
    m_queuePlot->graph(0)->setBrush(QColor(0x94, 0x67, 0xbd, 40));
    layout->addWidget(m_ratePlot, 3);
    layout->addWidget(m_stockPlot, 2);
    layout->addWidget(m_queuePlot, 2);
    retranslate();
}

SaleReportView::~SaleReportView() = default;

QCustomPlot *SaleReportView::addPlot(const QString &name)
{
    auto *plot = new QCustomPlot(this);
    plot->setObjectName(name);
    plot->setMinimumHeight(160);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, QString(), QFont(font().family(), font().pointSize(), QFont::Bold)));
    // Wall-clock time in the console's time zone.
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeFormat(u"HH:mm:ss"_qs);
    ticker->setDateTimeSpec(Qt::LocalTime);
    plot->xAxis->setTicker(ticker);
    plot->yAxis->setNumberFormat(u"gb"_qs);
    return plot;
}

void SaleReportView::setReport(const SaleReport &report)
{
    m_report = report;
    fill();
}

QString SaleReportView::totalText(const QString &name) const
{
    const auto cell = m_cells.value(name);
    return cell.second ? cell.second->text() : QString();
}

void SaleReportView::fill()
{
    const SaleReport &r = m_report;
    //: Report title; %1 is the event's name
    m_title->setText(tr("Post-sale report: %1").arg(r.name.isEmpty() ? r.eventId : r.name));
    //: %1 event id, %2 its state, %3 and %4 the first request and the last decision (local times)
    m_subtitle->setText(tr("Event %1 (%2) · from %3 to %4 · stock %5")
                            .arg(r.eventId, r.state.isEmpty() ? QString() : Labels::state(eventStateFromString(r.state).value_or(EventState::Ended)),
                                 Labels::time(r.firstRequestAtMs), Labels::time(r.lastDecisionAtMs), Labels::count(r.stockTotal)));
    const auto set = [this](const char *name, const QString &text) { m_cells.value(QString::fromLatin1(name)).second->setText(text); };
    set("requests", Labels::count(r.requests));
    set("unitsSold", Labels::count(r.unitsSold));
    set("revenue", Labels::money(r.revenueCents, r.currency));
    set("timeToSellOut", r.timeToSellOutMs() >= 0 ? duration(r.timeToSellOutMs()) : tr("not sold out"));
    set("conversion", r.requests > 0 ? QLocale().toString(100.0 * r.conversion(), 'f', 1) + QLocale().percent() : u"—"_qs);
    //: Peak request rate: %1 requests per second at %2 (a local time)
    set("peakRate", r.peakRequestsPerSecond > 0 ? tr("%1/s at %2").arg(Labels::count(r.peakRequestsPerSecond), Labels::time(r.peakAtMs))
                                                : u"—"_qs);
    set("leads", Labels::count(r.leads));
    set("leadsWithContact", Labels::count(r.leadsWithContact));
    set("p50", milliseconds(r.decisionP50Ms));
    set("p99", milliseconds(r.decisionP99Ms));
    set("simulated", Labels::count(r.simulatedRequests));
    set("undecided", Labels::count(r.undecidedRequests));

    QVector<double> x, requests, wins, remaining, queue;
    const double stepSeconds = double(r.stepMs) / 1000.0;
    for (const SaleReportStep &s : r.timeline) {
        x << double(s.startMs) / 1000.0;
        requests << double(s.requests) / stepSeconds;
        wins << double(s.wins) / stepSeconds;
        remaining << double(s.remaining);
        queue << double(s.queueDepth);
    }
    // One more point at the end so the last step shows as a step, not a dot.
    if (!r.timeline.isEmpty()) {
        x << x.back() + stepSeconds;
        for (QVector<double> *v : {&requests, &wins, &remaining, &queue}) {
            const double last = v->back();
            v->append(last);
        }
    }
    const auto show = [&x](QCustomPlot *plot, std::initializer_list<const QVector<double> *> series) {
        double top = 1.0;
        int i = 0;
        for (const QVector<double> *values : series) {
            plot->graph(i++)->setData(x, *values, true);
            for (double v : *values)
                top = std::max(top, v);
        }
        if (!x.isEmpty())
            plot->xAxis->setRange(x.front(), std::max(x.back(), x.front() + 1.0));
        plot->yAxis->setRange(0, top * 1.1);
        plot->replot();
    };
    show(m_ratePlot, {&wins, &requests});
    show(m_stockPlot, {&remaining});
    show(m_queuePlot, {&queue});
}

bool SaleReportView::saveTo(const QString &path, QString *error)
{
    const QSize size = pageSize();
    resize(size);
    layout()->activate();
    // A hidden page (flashsale --report, a dialog not shown yet) gets no resize events, and a
    // plot draws into buffers sized by them: give each plot its size before drawing.
    for (QCustomPlot *plot : {m_ratePlot, m_stockPlot, m_queuePlot}) {
        QResizeEvent resized(plot->size(), plot->size());
        QCoreApplication::sendEvent(plot, &resized);
        plot->replot(QCustomPlot::rpImmediateRefresh);
    }
    if (QFileInfo(path).suffix().compare(u"pdf"_qs, Qt::CaseInsensitive) == 0) {
        QPdfWriter writer(path);
        writer.setTitle(m_title->text());
        writer.setCreator(QCoreApplication::applicationName());
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(10, 10, 10, 10), QPageLayout::Millimeter);
        writer.setResolution(144);
        QPainter painter;
        if (!painter.begin(&writer)) {
            *error = tr("Cannot write %1.").arg(path);
            return false;
        }
        const QRect page = painter.viewport();
        const double scale = std::min(double(page.width()) / width(), double(page.height()) / height());
        painter.scale(scale, scale);
        render(&painter, QPoint(), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
        painter.end();
        return true;
    }
    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::white);
    render(&image);
    if (!image.save(path, "PNG")) {
        *error = tr("Cannot write %1.").arg(path);
        return false;
    }
    return true;
}

void SaleReportView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void SaleReportView::retranslate()
{
    const auto caption = [this](const char *name, const QString &text) { m_cells.value(QString::fromLatin1(name)).first->setText(text); };
    caption("requests", tr("Purchase requests"));
    caption("unitsSold", tr("Units sold"));
    caption("revenue", tr("Revenue"));
    caption("timeToSellOut", tr("Time to sell out"));
    caption("conversion", tr("Conversion (won ÷ requests)"));
    caption("peakRate", tr("Peak rate"));
    caption("leads", tr("Leads (every shopper who missed out)"));
    caption("leadsWithContact", tr("Leads with contact"));
    caption("p50", tr("Decision latency p50"));
    caption("p99", tr("Decision latency p99"));
    caption("simulated", tr("Of the requests, simulated"));
    caption("undecided", tr("Requests never decided"));
    m_note->setText(tr("From the stored journal: times are when each request was accepted and decided. Queue depth is "
                       "requests accepted but not yet decided at the end of each step; requests refused before the "
                       "journal (busy, invalid) are not counted. Remaining stock counts restocks from the start."));
    const auto title = [](QCustomPlot *plot, const QString &text) {
        static_cast<QCPTextElement *>(plot->plotLayout()->element(0, 0))->setText(text);
        plot->xAxis->setLabel(tr("Local time"));
    };
    title(m_ratePlot, tr("Requests and wins per second"));
    m_ratePlot->graph(0)->setName(tr("Wins/s"));
    m_ratePlot->graph(1)->setName(tr("Requests/s"));
    title(m_stockPlot, tr("Remaining stock"));
    title(m_queuePlot, tr("Queue depth (accepted, not yet decided)"));
    fill();
}

} // namespace flashsale
