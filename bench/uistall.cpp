// flashsale_uistall: the real console, offscreen, with its embedded engine; measures the
// longest stall of the GUI thread's event loop while something loads the engine. Takes the
// headless options (--listen, --data-dir, --admin-token) plus --seconds; prints one JSON line.
#include "ui/backend/backends.h"
#include "ui/mainwindow.h"
#include "ui/pages/dashboardpage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTabWidget>
#include <QTimer>
#include <QWindow>

#include <cstdio>

using namespace flashsale;

namespace {
// Notes when a window starts painting a frame (an UpdateRequest reaches it).
class FrameWatch : public QObject
{
public:
    bool painted = false;
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::UpdateRequest)
            painted = true;
        return QObject::eventFilter(watched, event);
    }
};
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{u"listen"_qs, u"ADDR:PORT"_qs, u"ADDR:PORT"_qs},
                       {u"data-dir"_qs, u"DIR"_qs, u"DIR"_qs},
                       {u"admin-token"_qs, u"TOKEN"_qs, u"TOKEN"_qs},
                       {u"seconds"_qs, u"How long to measure."_qs, u"N"_qs, u"20"_qs}});
    parser.process(app);
    ServerOptions options;
    options.shoppers.purchasesPerAddressPerSecond = 1'000'000; // the load comes from 127.0.0.1
    QString error;
    if (!options.setListen(parser.value(u"listen"_qs), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 2;
    }
    options.dataDir = parser.value(u"data-dir"_qs);
    options.adminToken = parser.value(u"admin-token"_qs);

    const BackendServices services = backendServices(options, true, true);
    MainWindow window(services, services.makeBackend(QString(), QString()));
    if (window.backend()->linkState() != LinkState::Connected)
        return 1;
    window.tabs()->setCurrentWidget(window.dashboardPage());
    window.resize(1280, 800);
    window.show();

    // A precise 5 ms heartbeat: any gap beyond it is time the event loop could not run. The gap
    // that holds the window's first frame (fresh backing store and chart buffers, every widget
    // painted once) is startup, not load: it is reported apart, as firstFrameMs.
    constexpr int kBeatMs = 5;
    FrameWatch firstFrame;
    window.windowHandle()->installEventFilter(&firstFrame);
    bool started = false;
    QElapsedTimer sinceShow;
    sinceShow.start();
    QElapsedTimer sinceLast;
    sinceLast.start();
    qint64 longestStallNs = 0;
    qint64 firstFrameNs = 0;
    QTimer beat;
    beat.setTimerType(Qt::PreciseTimer);
    QObject::connect(&beat, &QTimer::timeout, [&] {
        const qint64 stallNs = sinceLast.nsecsElapsed() - kBeatMs * 1'000'000LL;
        sinceLast.restart();
        if (started) {
            longestStallNs = std::max(longestStallNs, stallNs);
            return;
        }
        firstFrameNs = std::max(firstFrameNs, stallNs);
        started = firstFrame.painted || sinceShow.elapsed() > 1000; // a platform that never asks still measures
        if (started)
            window.windowHandle()->removeEventFilter(&firstFrame);
    });
    beat.start(kBeatMs);

    QTimer::singleShot(parser.value(u"seconds"_qs).toInt() * 1000, &app, [&] {
        const EngineStats stats = window.backend()->stats();
        const QJsonObject result{{u"bench"_qs, u"ui-stall"_qs},
                                 {u"longestStallMs"_qs, double(longestStallNs) / 1e6},
                                 {u"firstFrameMs"_qs, double(firstFrameNs) / 1e6},
                                 {u"requestsServed"_qs, qint64(stats.requests.accepted)},
                                 {u"refreshMs"_qs, ConsoleBackend::kStatsIntervalMs}};
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        QApplication::quit();
    });
    return QApplication::exec();
}
