#include "engine/api/webhookdelivery.h"

#include "engine/storage/webhooks.h"

#include <QDateTime>
#include <QDebug>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>

namespace flashsale {

// The delivery thread's state. Thread: m_thread of its WebhookDelivery (made there, deleted there).
class WebhookDelivery::Worker : public QObject
{
public:
    Worker(StoreLocation location, DeliveredEvents deliveredEvents)
        : m_location(std::move(location))
        , m_deliveredEvents(std::move(deliveredEvents))
        , m_connectionName(QStringLiteral("flashsale-webhooks-%1").arg(quintptr(this), 0, 16))
    {
    }

    void begin()
    {
        m_network = new QNetworkAccessManager(this);
        m_timer = new QTimer(this);
        m_timer->setInterval(kPollIntervalMs);
        QObject::connect(m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer->start();
        poll();
    }

    // Abandons the attempts in flight without recording them, and closes the connection.
    void end()
    {
        m_ending = true;
        m_timer->stop();
        for (const QPointer<QNetworkReply> &reply : std::as_const(m_replies)) {
            if (reply)
                reply->abort();
        }
        m_replies.clear();
        if (QSqlDatabase::contains(m_connectionName)) {
            QSqlDatabase::database(m_connectionName, false).close();
            QSqlDatabase::removeDatabase(m_connectionName);
        }
    }

private:
    QSqlDatabase connection()
    {
        if (QSqlDatabase::contains(m_connectionName)) {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            if (db.isOpen())
                return db;
            QSqlDatabase::removeDatabase(m_connectionName);
        }
        QString error;
        QSqlDatabase db = openConnection(m_location, m_connectionName, &error);
        if (!db.isOpen()) {
            complain(u"cannot open the store: "_qs + error);
            return db;
        }
        if (m_location.isSqlite()) {
            // Losing the record of an attempt only sends that webhook again: no fsync for it, so
            // this connection holds SQLite's write lock for as short a time as possible.
            QSqlQuery(db).exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        }
        return db;
    }

    // One warning per kind of trouble until it clears: a down database must not flood the log.
    void complain(const QString &problem)
    {
        if (problem != m_lastProblem)
            qWarning("webhooks: %s", qPrintable(problem));
        m_lastProblem = problem;
    }

    void poll()
    {
        if (m_ending || !m_replies.isEmpty())
            return; // one round at a time: nothing is sent twice at once
        QSqlDatabase db = connection();
        if (!db.isOpen())
            return;
        QString error;
        WebhookEndpoint endpoint;
        QString secret;
        if (!webhooks::readEndpoint(db, &endpoint, &secret, &error))
            return complain(error);
        const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
        if (nowMs - m_lastPruneMs > 3600 * 1000) {
            m_lastPruneMs = nowMs;
            if (!webhooks::prune(db, nowMs - webhooks::kKeepDeliveredMs, &error))
                complain(error);
        }
        if (endpoint.url.isEmpty())
            return;
        std::vector<webhooks::DueWebhook> due;
        const QStringList events = m_deliveredEvents ? m_deliveredEvents() : QStringList();
        if (!webhooks::dueWebhooks(db, nowMs, m_deliveredEvents ? &events : nullptr, kParallel, &due, &error))
            return complain(error);
        m_lastProblem.clear();
        m_fullRound = int(due.size()) == kParallel;
        for (webhooks::DueWebhook &webhook : due)
            send(webhook, endpoint.url, secret.toUtf8());
    }

    void send(const webhooks::DueWebhook &webhook, const QString &url, const QByteArray &secret)
    {
        const QByteArray body = webhooks::envelope(webhook);
        const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
        QNetworkRequest request{QUrl(url)};
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("flashsale-webhooks"));
        request.setRawHeader("Flashsale-Webhook-Id", webhook.id.toLatin1());
        request.setRawHeader("Flashsale-Signature", signature(secret, body, nowMs / 1000));
        // A redirect is the endpoint's mistake: reported, not followed with the signed body.
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        QNetworkReply *reply = m_network->post(request, body);
        // A deadline for the whole attempt, not an idle timeout (setTransferTimeout): a receiver
        // that trickles its answer a byte at a time would otherwise hold the round for ever.
        QTimer::singleShot(kTimeoutMs, reply, [reply] { reply->abort(); });
        // The answer's body is not needed: read and dropped as it comes, so a receiver that
        // answers with gigabytes costs no memory.
        reply->setReadBufferSize(16 * 1024);
        QObject::connect(reply, &QIODevice::readyRead, reply, [reply] { reply->skip(reply->bytesAvailable()); });
        const webhooks::DeliveryAttempt pending{webhook.seq, nowMs, 0, {}, false, webhook.attempts + 1, webhook.createdAtMs};
        QObject::connect(reply, &QNetworkReply::finished, this, [this, reply, pending] { finished(reply, pending); });
        m_replies.append(reply);
    }

    void finished(QNetworkReply *reply, webhooks::DeliveryAttempt attempt)
    {
        reply->deleteLater();
        if (m_ending)
            return;
        m_replies.removeAll(reply);
        attempt.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        attempt.delivered = attempt.httpStatus >= 200 && attempt.httpStatus < 300;
        if (!attempt.delivered) {
            attempt.error = attempt.httpStatus > 0 ? QStringLiteral("HTTP %1").arg(attempt.httpStatus)
                          : reply->error() == QNetworkReply::OperationCanceledError
                              ? QStringLiteral("no answer within %1 s").arg(kTimeoutMs / 1000)
                              : reply->errorString();
        }
        m_attempts.push_back(attempt);
        if (!m_replies.isEmpty())
            return;
        QSqlDatabase db = connection();
        QString error;
        if (db.isOpen() && !webhooks::recordAttempts(db, m_attempts, &error))
            complain(u"cannot record deliveries: "_qs + error);
        m_attempts.clear();
        if (m_fullRound)
            QTimer::singleShot(0, this, [this] { poll(); }); // more may be due already
    }

    const StoreLocation m_location;
    const DeliveredEvents m_deliveredEvents;
    const QString m_connectionName;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    QList<QPointer<QNetworkReply>> m_replies; // this round's, in flight
    std::vector<webhooks::DeliveryAttempt> m_attempts; // this round's, finished
    bool m_fullRound = false;
    bool m_ending = false;
    std::int64_t m_lastPruneMs = 0;
    QString m_lastProblem;
};

WebhookDelivery::WebhookDelivery(StoreLocation location, DeliveredEvents deliveredEvents)
    : m_location(std::move(location))
    , m_deliveredEvents(std::move(deliveredEvents))
{
    m_thread.setObjectName(QStringLiteral("webhooks"));
}

WebhookDelivery::~WebhookDelivery()
{
    stop();
}

void WebhookDelivery::start()
{
    m_worker = new Worker(m_location, m_deliveredEvents);
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->begin(); }, Qt::QueuedConnection);
}

void WebhookDelivery::stop()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->end(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker = nullptr;
}

QByteArray WebhookDelivery::signature(const QByteArray &secret, const QByteArray &body, std::int64_t unixSeconds)
{
    const QByteArray t = QByteArray::number(qint64(unixSeconds));
    const QByteArray mac = QMessageAuthenticationCode::hash(t + '.' + body, secret, QCryptographicHash::Sha256).toHex();
    return "t=" + t + ",v1=" + mac;
}

} // namespace flashsale
