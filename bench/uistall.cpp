// flashsale_uistall: the real console, offscreen, with its embedded engine; measures the
// longest stall of the GUI thread's event loop while something loads the engine. Takes the
// headless options (--listen, --data-dir, --admin-token) plus --seconds; prints one JSON line.
#include "ui/dashboardpage.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

using namespace flashsale;

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
    QString error;
    if (!options.setListen(parser.value(u"listen"_qs), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 2;
    }
    options.dataDir = parser.value(u"data-dir"_qs);
    options.adminToken = parser.value(u"admin-token"_qs);

    MainWindow window(options);
    if (!window.server())
        return 1;
    window.tabs()->setCurrentWidget(window.dashboardPage());
    window.resize(1280, 800);
    window.show();

    // A precise 5 ms heartbeat: any gap beyond it is time the event loop could not run.
    constexpr int kBeatMs = 5;
    QElapsedTimer sinceLast;
    sinceLast.start();
    qint64 longestStallNs = 0;
    QTimer beat;
    beat.setTimerType(Qt::PreciseTimer);
    QObject::connect(&beat, &QTimer::timeout, [&] {
        longestStallNs = std::max(longestStallNs, sinceLast.nsecsElapsed() - kBeatMs * 1'000'000LL);
        sinceLast.restart();
    });
    beat.start(kBeatMs);

    QTimer::singleShot(parser.value(u"seconds"_qs).toInt() * 1000, &app, [&] {
        const EngineStats stats = window.server()->engine().stats();
        const QJsonObject result{{u"bench"_qs, u"ui-stall"_qs},
                                 {u"longestStallMs"_qs, double(longestStallNs) / 1e6},
                                 {u"requestsServed"_qs, qint64(stats.accepted)},
                                 {u"refreshMs"_qs, MainWindow::kRefreshMs}};
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        QApplication::quit();
    });
    return QApplication::exec();
}
