// Test helper: drives the HTTP API with many concurrent connections from one thread.
#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

// The JSON body of POST /api/v1/events/{id}/purchases.
inline QByteArray purchaseBody(const QString &requestId, const QString &userId, int quantity = 1,
                               const QString &contact = {})
{
    QJsonObject body{{QStringLiteral("requestId"), requestId}, {QStringLiteral("userId"), userId},
                     {QStringLiteral("quantity"), quantity}};
    if (!contact.isEmpty())
        body.insert(QStringLiteral("contact"), contact);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

struct ApiReply {
    int status = 0; // 0: no HTTP answer (connection refused or reset)
    QByteArray body;
    QJsonObject json;
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QHash<QByteArray, QByteArray> headers;
};

// Each QNetworkAccessManager opens up to 6 connections per host, so a pool of them gives
// many concurrent clients.
class ApiClient
{
public:
    ApiClient(QString baseUrl, QByteArray adminToken, int managers = 40)
        : m_baseUrl(std::move(baseUrl)), m_adminToken(std::move(adminToken))
    {
        for (int i = 0; i < managers; ++i)
            m_managers.push_back(std::make_unique<QNetworkAccessManager>());
    }

    void setBaseUrl(const QString &baseUrl) { m_baseUrl = baseUrl; }

    // Starts a request; done runs on this thread when it finishes.
    void send(const QByteArray &method, const QString &path, const QByteArray &body, bool admin,
              std::function<void(const ApiReply &)> done, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest request(QUrl(m_baseUrl + path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setTransferTimeout(30000);
        if (admin)
            request.setRawHeader("Authorization", "Bearer " + m_adminToken);
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        QNetworkAccessManager &manager = *m_managers[m_next++ % m_managers.size()];
        QNetworkReply *reply = manager.sendCustomRequest(request, method, body);
        ++m_inFlight;
        QObject::connect(reply, &QNetworkReply::finished, reply, [this, reply, done = std::move(done)] {
            ApiReply result;
            result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            result.body = reply->readAll();
            result.json = QJsonDocument::fromJson(result.body).object();
            for (const auto &[name, value] : reply->rawHeaderPairs())
                result.headers.insert(name.toLower(), value);
            reply->deleteLater();
            --m_inFlight;
            done(result);
        });
    }

    // Runs one request to completion.
    ApiReply call(const QByteArray &method, const QString &path, const QByteArray &body = {}, bool admin = false,
                  const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        ApiReply result;
        bool finished = false;
        send(method, path, body, admin, [&](const ApiReply &r) {
            result = r;
            finished = true;
        }, headers);
        waitUntil([&] { return finished; }, 35000);
        return result;
    }

    ApiReply admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return call(method, path, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact), true);
    }

    int inFlight() const { return m_inFlight; }

    // Processes events until condition holds or timeoutMs passes; returns the condition.
    // Creates event id (named after it) and opens it; true when both were accepted.
    bool openSale(const QString &id, std::int64_t stock, int perUserLimit = 1, std::int64_t priceCents = 100)
    {
        const ApiReply created = admin("POST", QStringLiteral("/api/v1/admin/events"),
                                       {{QStringLiteral("id"), id}, {QStringLiteral("name"), id},
                                        {QStringLiteral("priceCents"), qint64(priceCents)}, {QStringLiteral("stock"), qint64(stock)},
                                        {QStringLiteral("perUserLimit"), perUserLimit}});
        if (created.status != 201) {
            qWarning("creating %s: %d %s", qPrintable(id), created.status, created.body.constData());
            return false;
        }
        return admin("POST", QStringLiteral("/api/v1/admin/events/%1/open").arg(id)).status == 200;
    }

    static bool waitUntil(const std::function<bool()> &condition, int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!condition() && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
        return condition();
    }

private:
    QString m_baseUrl;
    QByteArray m_adminToken;
    std::vector<std::unique_ptr<QNetworkAccessManager>> m_managers;
    std::size_t m_next = 0;
    int m_inFlight = 0;
};
