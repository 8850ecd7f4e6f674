// flashsale: the admin console with the sale engine embedded, or the engine alone (--headless).
#include "app/commandline.h"
#include "app/shutdownsignals.h"
#include "engine/storage/backup.h"
#include "engine/storage/salereport.h"
#include "engine/tools/nodeclient.h"
#include "engine/api/server.h"
#include "engine/tools/rehearsal.h"
#include "ui/backend/backends.h"
#include "ui/dialogs/aboutdialog.h"
#include "ui/dialogs/connectdialog.h"
#include "ui/mainwindow.h"
#include "ui/widgets/consolesettings.h"
#include "ui/widgets/language.h"
#include "ui/widgets/salereportview.h"
#include "version.h"

#include <QApplication>
#include <QCoreApplication>
#include <QUrl>

#include <sys/resource.h>

#include <cstdio>
#include <memory>

using namespace flashsale;

namespace {

// The exit code for a database made by a newer flashsale (1: other start failures, 2: bad arguments).
constexpr int kExitSchemaTooNew = 3;

// No window for --headless, nor for answers printed to the terminal (--help, --version), so
// those work on a server without a display.
bool needsNoDisplay(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        for (const char *option : {"--headless", "--help", "-h", "--help-all", "--version", "-v", "--backup"}) {
            if (qstrcmp(argv[i], option) == 0)
                return true;
        }
    }
    return false;
}

// --report renders widgets, so it needs a QApplication, but never a display: it uses Qt's
// offscreen platform unless QT_QPA_PLATFORM names another.
bool rendersWithoutDisplay(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--report") == 0 || qstrncmp(argv[i], "--report=", 9) == 0)
            return true;
    }
    return false;
}

int runHeadless(const CommandLine &commandLine)
{
    // Before the server answers anything: a SIGTERM right after the first /healthz must drain,
    // not kill the node with the default action.
    ShutdownSignals shutdownSignals;
    Server server(commandLine.server);
    QString error;
    StartFailure failure = StartFailure::Other;
    if (!server.start(&error, &failure)) {
        std::fprintf(stderr, "flashsale: %s\n", qPrintable(error));
        return failure == StartFailure::SchemaTooNew ? kExitSchemaTooNew : 1;
    }
    qInfo("flashsale %s started; data in %s", kVersion, qPrintable(server.options().dataDir));
    if (!server.options().storeUrl.isEmpty())
        qInfo("store: %s", qPrintable(QUrl(server.options().storeUrl).toDisplayString(QUrl::RemovePassword)));
    if (!server.options().queueUrl.isEmpty())
        qInfo("queue: %s", qPrintable(QUrl(server.options().queueUrl).toDisplayString(QUrl::RemovePassword)));
    if (!server.options().nodeId.isEmpty())
        qInfo("node: %s", qPrintable(server.options().nodeId));
    qInfo("listening on %s", qPrintable(server.baseUrl()));
    if (server.adminTokenWasGenerated()) {
        std::printf("admin token (saved in the data dir, shown once): %s\n", qPrintable(server.adminToken()));
        std::fflush(stdout);
    }
    int exitCode = 0;

    // --simulate: rehearse on a copy of the event through the real API, print one summary, keep serving.
    Rehearsal rehearsal(server.engine());
    if (commandLine.simulateShoppers > 0) {
        QObject::connect(&rehearsal, &Rehearsal::finished, qApp, [&](const SimulationSummary &s) {
            std::printf("simulated %lld shoppers against %s (rehearsal copy %s) in %.1f s: accepted %lld, won %lld, "
                        "leads (lost shoppers) %lld, with contact %lld, undecided %lld, failed %lld, rate %.0f/s\n",
                        qlonglong(s.shoppers), qPrintable(commandLine.simulateEventId),
                        qPrintable(rehearsal.copyId().isEmpty() ? u"none"_qs : rehearsal.copyId()),
                        double(s.elapsedMs) / 1000.0, qlonglong(s.accepted), qlonglong(s.won), qlonglong(s.lost),
                        qlonglong(s.withContact), qlonglong(s.undecided), qlonglong(s.failed), s.ratePerSecond());
            if (!s.lastError.isEmpty())
                std::printf("last error: %s\n", qPrintable(s.lastError));
            std::fflush(stdout);
        });
        SimulationPlan plan;
        plan.baseUrl = server.baseUrl();
        plan.adminToken = server.adminToken();
        plan.eventId = commandLine.simulateEventId;
        plan.shoppers = commandLine.simulateShoppers;
        plan.shoppersPerSecond = commandLine.simulatePacePerSecond;
        rehearsal.start(plan);
    }
    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, qApp, [&](int number) {
        qInfo("signal %d: stopping intake, draining the queue", number);
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    server.stop();
    qInfo("stopped cleanly");
    return exitCode;
}

// The admin token for --connect: --admin-token, else FLASHSALE_ADMIN_TOKEN; empty and error when neither.
QString connectToken(const CommandLine &commandLine, QString *error)
{
    const QString token = commandLine.server.adminToken.isEmpty() ? qEnvironmentVariable("FLASHSALE_ADMIN_TOKEN")
                                                                  : commandLine.server.adminToken;
    if (token.isEmpty())
        *error = u"--connect needs the admin token: set FLASHSALE_ADMIN_TOKEN"_qs;
    return token;
}

// --backup FILE [--connect URL]: a consistent copy of the database while the node serves.
int runBackup(const CommandLine &commandLine)
{
    QString error;
    bool saved = false;
    if (!commandLine.connectUrl.isEmpty()) {
        const QString token = connectToken(commandLine, &error);
        if (!token.isEmpty())
            saved = nodeclient::fetchBackup(commandLine.connectUrl, token, commandLine.backupFile, &error);
    } else if (!commandLine.server.storeUrl.isEmpty()) {
        error = u"the store is PostgreSQL: back it up with pg_dump"_qs;
    } else {
        const QString dataDir = commandLine.server.dataDir.isEmpty() ? ServerOptions::defaultDataDir() : commandLine.server.dataDir;
        saved = backup::copyDatabase(StoreLocation::sqliteIn(dataDir).databaseName, commandLine.backupFile, &error);
    }
    if (!saved) {
        std::fprintf(stderr, "flashsale: backup failed: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("backup saved to %s\n", qPrintable(commandLine.backupFile));
    return 0;
}

// --report EVENT_ID --output FILE [--connect URL]: the post-sale report as PDF or PNG, in the
// console's language.
int runReport(const CommandLine &commandLine)
{
    Language::apply(Language::initial());
    QString error;
    SaleReport report;
    bool made = false;
    if (!commandLine.connectUrl.isEmpty()) {
        const QString token = connectToken(commandLine, &error);
        if (!token.isEmpty())
            made = nodeclient::fetchReport(commandLine.connectUrl, token, commandLine.reportEventId, &report, &error);
    } else {
        StoreLocation location;
        if (!commandLine.server.storeUrl.isEmpty()) {
            location = StoreLocation::fromUrl(commandLine.server.storeUrl, &error);
        } else {
            const QString dataDir = commandLine.server.dataDir.isEmpty() ? ServerOptions::defaultDataDir() : commandLine.server.dataDir;
            location = StoreLocation::sqliteIn(dataDir);
        }
        made = salereport::computeAt(location, commandLine.reportEventId, &report, &error) == salereport::Failure::None;
    }
    if (made) {
        SaleReportView view;
        view.setReport(report);
        made = view.saveTo(commandLine.reportOutput, &error);
    }
    if (!made) {
        std::fprintf(stderr, "flashsale: report failed: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("report of %s saved to %s\n", qPrintable(commandLine.reportEventId), qPrintable(commandLine.reportOutput));
    return 0;
}

// Every WebSocket watcher and waiting client holds a file descriptor: allow as many as the
// system lets this process have.
void raiseOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int main(int argc, char **argv)
{
    raiseOpenFileLimit();
    // The kind of application is decided at run time: a server has no display.
    std::unique_ptr<QCoreApplication> app;
    if (rendersWithoutDisplay(argc, argv) && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (needsNoDisplay(argc, argv))
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("flashsale"));
    QCoreApplication::setApplicationName(QStringLiteral("flashsale"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(kVersion));

    const CommandLine commandLine = CommandLine::parse(QCoreApplication::arguments());
    if (!commandLine.error.isEmpty()) {
        std::fprintf(stderr, "flashsale: %s (see --help)\n", qPrintable(commandLine.error));
        return 2;
    }
    if (!commandLine.backupFile.isEmpty())
        return runBackup(commandLine);
    if (!commandLine.reportEventId.isEmpty())
        return runReport(commandLine);
    if (commandLine.headless)
        return runHeadless(commandLine);

    // The console: the embedded engine (saved settings fill in what the command line left out),
    // or with --connect the node at URL.
    Language::apply(Language::initial());
    // Dialogs share the window icon; Wayland finds the icon through the desktop entry's name.
    QApplication::setWindowIcon(AboutDialog::appIcon());
    QGuiApplication::setDesktopFileName(QString::fromLatin1(kAppId));
    const BackendServices services = backendServices(commandLine.server, commandLine.listenGiven, commandLine.dataDirGiven);
    QString connectUrl;
    QString token;
    if (!commandLine.connectUrl.isEmpty()) {
        // The token: --admin-token or FLASHSALE_ADMIN_TOKEN, else asked for (the saved one filled in).
        QString ignored;
        token = connectToken(commandLine, &ignored);
        connectUrl = ConnectDialog::normalizedUrl(commandLine.connectUrl);
        if (token.isEmpty() || connectUrl.isEmpty()) {
            ConnectDialog ask(commandLine.connectUrl);
            if (ask.exec() != QDialog::Accepted)
                return 1;
            connectUrl = ask.url();
            token = ask.token();
        }
    }
    MainWindow window(services, services.makeBackend(connectUrl, token));
    if (window.backend()->databaseTooNew()) {
        window.reportNewerDatabase();
        return kExitSchemaTooNew;
    }
    window.show();
    ShutdownSignals shutdownSignals;
    // A signal is no one at the keyboard: quit without the live-sale question.
    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &window, &MainWindow::quitWithoutAsking);
    return QApplication::exec();
}
