// Test helper: the real flashsale binary (FLASHSALE_BINARY) run headless on a data dir and a
// loopback port, optionally behind a wrapper such as fiu-run; started, signalled, stopped and
// restarted by a test; or run once as a command such as --backup.
#pragma once

#include "tests/support/apiclient.h"

#include <QDir>
#include <QProcess>
#include <QStringList>
#include <QTcpServer>

#include <sys/prctl.h>

#include <csignal>
#include <functional>
#include <memory>
#include <vector>

// A loopback port that was free a moment ago.
inline quint16 freeLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// Distinct loopback ports that were free a moment ago: every probe stays open until all are chosen.
inline std::vector<quint16> freeLoopbackPorts(int count)
{
    std::vector<std::unique_ptr<QTcpServer>> probes;
    std::vector<quint16> ports;
    for (int i = 0; i < count; ++i) {
        probes.push_back(std::make_unique<QTcpServer>());
        probes.back()->listen(QHostAddress::LocalHost, 0);
        ports.push_back(probes.back()->serverPort());
    }
    return ports;
}

// What a finished (or timed-out) run of the binary printed and returned.
struct CommandRun {
    bool finished = false; // false: killed after the timeout
    int exitCode = -1;
    QByteArray standardError;
};

// Starts flashsale with arguments; pumps the test's event loop until it ends (ApiClient requests
// in flight keep going meanwhile). Bounded by timeoutMs, after which it is killed.
inline CommandRun runFlashsale(const QStringList &arguments,
                               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
                               int timeoutMs = 60000)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(FLASHSALE_BINARY), arguments);
    CommandRun run;
    if (!process.waitForStarted(10000))
        return run;
    run.finished = ApiClient::waitUntil([&] { return process.state() == QProcess::NotRunning; }, timeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.standardError = process.readAllStandardError();
    return run;
}

// Thread: the test's thread. Needs FLASHSALE_BINARY (the path of the flashsale executable).
class EngineProcess
{
public:
    EngineProcess(QString dataDir, QByteArray adminToken, quint16 port = freeLoopbackPort())
        : m_dataDir(std::move(dataDir)), m_adminToken(std::move(adminToken)), m_port(port)
    {
    }
    ~EngineProcess()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(10000);
        }
    }

    // Set before start(): whether the token goes on the command line as --admin-token (else the
    // node finds it itself, e.g. through --admin-token-file in extraArguments), and more options
    // (without a --rate-limit among them the node gets --rate-limit 0).
    bool passTokenArgument = true;
    QStringList extraArguments;
    // Set before start(): called with each line the node prints on stdout or stderr (without the
    // newline), on the test's thread, instead of forwarding them.
    std::function<void(const QString &line)> onLogLine;

    quint16 port() const { return m_port; }
    QString baseUrl() const { return u"http://127.0.0.1:"_qs + QString::number(m_port); }
    const QByteArray &adminToken() const { return m_adminToken; }
    QString dbPath() const { return QDir(m_dataDir).filePath(u"flashsale.sqlite"_qs); }
    QProcess &process() { return *m_process; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    // What the process wrote to stderr so far (its log), when started with captureLog.
    const QByteArray &log() const { return m_log; }

    // Starts `wrapper... flashsale --headless ...` (the wrapper must exec the binary, so that
    // pid() is the engine's) and waits until /healthz answers 200. Restarting reuses the port.
    // Waits up to healthTimeoutMs for /healthz.
    bool start(ApiClient &client, const QStringList &wrapper = {}, bool captureLog = false, int healthTimeoutMs = 20000)
    {
        m_process = std::make_unique<QProcess>();
        m_log.clear();
        m_partialLines[0].clear();
        m_partialLines[1].clear();
        // A node outlives no test run, even a crashed one.
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process->setProcessChannelMode(captureLog || onLogLine ? QProcess::SeparateChannels
                                                                 : QProcess::ForwardedErrorChannel);
        if (captureLog || onLogLine) {
            QObject::connect(m_process.get(), &QProcess::readyReadStandardError, m_process.get(), [this] {
                const QByteArray text = m_process->readAllStandardError();
                if (m_captureLog)
                    m_log += text;
                splitLines(m_partialLines[1], text);
            });
            QObject::connect(m_process.get(), &QProcess::readyReadStandardOutput, m_process.get(),
                             [this] { splitLines(m_partialLines[0], m_process->readAllStandardOutput()); });
        }
        m_captureLog = captureLog;
        QStringList arguments = wrapper;
        arguments << QStringLiteral(FLASHSALE_BINARY) << u"--headless"_qs << u"--data-dir"_qs << m_dataDir
                  << u"--listen"_qs << u"127.0.0.1:"_qs + QString::number(m_port);
        if (passTokenArgument)
            arguments << u"--admin-token"_qs << QString::fromLatin1(m_adminToken);
        arguments << extraArguments;
        // Tests play whole crowds from 127.0.0.1: no per-address rate limit unless they set one.
        if (!extraArguments.contains(u"--rate-limit"_qs))
            arguments << u"--rate-limit"_qs << u"0"_qs;
        const QString program = arguments.takeFirst();
        m_process->start(program, arguments);
        if (!m_process->waitForStarted(10000))
            return false;
        return ApiClient::waitUntil([&] {
            return m_process->state() == QProcess::Running && client.call("GET", u"/healthz"_qs).status == 200;
        }, healthTimeoutMs);
    }

    // start(client) with a client of its own.
    bool start()
    {
        ApiClient client(baseUrl(), m_adminToken, 1);
        return start(client);
    }

    // SIGTERM, then waits (≤ 30 s, else kills it); true when the node drained and exited 0.
    bool stop()
    {
        if (!m_process)
            return false;
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!waitForExit(30000)) {
                m_process->kill();
                m_process->waitForFinished(5000);
                return false;
            }
        }
        return m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
    }

    void sendSignal(int number) { ::kill(pid_t(m_process->processId()), number); }

    // Alive: started and not ended (a SIGKILLed node is not).
    bool isRunning() const { return m_process && m_process->state() == QProcess::Running; }

    // Waits for the process to end; true if it did within timeoutMs.
    bool waitForExit(int timeoutMs)
    {
        return m_process->state() == QProcess::NotRunning
            || ApiClient::waitUntil([&] { return m_process->state() == QProcess::NotRunning; }, timeoutMs);
    }

private:
    // Hands each complete line of text (after what partial held) to onLogLine; keeps the rest.
    void splitLines(QByteArray &partial, const QByteArray &text)
    {
        if (!onLogLine)
            return;
        partial += text;
        qsizetype newline;
        while ((newline = partial.indexOf('\n')) >= 0) {
            const QString line = QString::fromUtf8(partial.left(newline));
            partial.remove(0, newline + 1);
            onLogLine(line);
        }
    }

    QString m_dataDir;
    QByteArray m_adminToken;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_log;
    bool m_captureLog = false;
    QByteArray m_partialLines[2]; // stdout, stderr up to the next newline
};
