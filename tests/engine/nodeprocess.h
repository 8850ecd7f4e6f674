// Test helper: the real flashsale binary (FLASHSALE_BINARY) as a headless node on loopback, or
// as a one-shot command such as --backup, waited for without blocking the test's event loop.
#pragma once

#include "apiclient.h"

#include <QProcess>
#include <QTcpServer>

#include <csignal>
#include <memory>

inline quint16 freeLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// What a finished (or timed-out) run of the binary printed and returned.
struct CommandRun {
    bool finished = false; // false: killed after the timeout
    int exitCode = -1;
    QByteArray standardError;
};

// Starts flashsale with arguments; pumps the test's event loop until it ends (ApiClient requests
// in flight keep going meanwhile). Bounded by timeoutMs, after which it is killed.
inline CommandRun runFlashsale(const QStringList &arguments, const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
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

// A headless node on 127.0.0.1 with its own data dir. Thread: the test's thread.
class NodeProcess
{
public:
    NodeProcess(QString dataDir, QByteArray adminToken)
        : m_dataDir(std::move(dataDir)), m_token(std::move(adminToken)), m_port(freeLoopbackPort())
    {
    }
    ~NodeProcess() { stop(); }

    QString baseUrl() const { return u"http://127.0.0.1:"_qs + QString::number(m_port); }
    quint16 port() const { return m_port; }

    // Set before start(): whether the token goes on the command line as --admin-token (else the
    // node finds it itself, e.g. through --admin-token-file in extraArguments), and more options.
    bool passTokenArgument = true;
    QStringList extraArguments;
    const QByteArray &adminToken() const { return m_token; }

    // Starts the node and waits (≤ 20 s) until /healthz answers 200.
    bool start()
    {
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::ForwardedChannels);
        QStringList arguments{u"--headless"_qs, u"--data-dir"_qs, m_dataDir, u"--listen"_qs, u"127.0.0.1:"_qs + QString::number(m_port),
                              u"--http-threads"_qs, u"2"_qs};
        if (passTokenArgument)
            arguments << u"--admin-token"_qs << QString::fromUtf8(m_token);
        m_process->start(QStringLiteral(FLASHSALE_BINARY), arguments + extraArguments);
        if (!m_process->waitForStarted(10000))
            return false;
        ApiClient client(baseUrl(), m_token, 1);
        return ApiClient::waitUntil([&] { return m_process->state() == QProcess::Running && client.call("GET", u"/healthz"_qs).status == 200; },
                                    20000);
    }

    // SIGTERM, then waits (≤ 30 s); true when the node drained and exited 0.
    bool stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return m_process && m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
        m_process->terminate();
        if (!m_process->waitForFinished(30000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
            return false;
        }
        return m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
    }

private:
    QString m_dataDir;
    QByteArray m_token;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
};
