// Turns SIGINT and SIGTERM into a Qt signal on the main thread (self-pipe trick).
#pragma once

#include <QObject>

class QSocketNotifier;

namespace flashsale {

class ShutdownSignals : public QObject
{
    Q_OBJECT
public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

Q_SIGNALS:
    void shutdownRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace flashsale
