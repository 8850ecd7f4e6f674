#include "engine/tools/nodeclient.h"

#include "engine/storage/backup.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrl>

namespace flashsale::nodeclient {

namespace {

// baseUrl without its trailing slashes.
QString trimmedBase(const QString &baseUrl)
{
    QString base = baseUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return base;
}

// baseUrl + path; empty with error set unless http(s).
QUrl adminUrl(const QString &baseUrl, const QString &path, QString *error)
{
    const QUrl url(trimmedBase(baseUrl) + path);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")) {
        *error = QStringLiteral("--connect expects http://HOST:PORT, got \"%1\"").arg(baseUrl);
        return QUrl();
    }
    return url;
}

// GETs url with the admin token; bounded by timeoutMs without progress.
QNetworkReply *getAsAdmin(QNetworkAccessManager &manager, const QUrl &url, const QString &adminToken, int timeoutMs)
{
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + adminToken.toUtf8());
    request.setTransferTimeout(timeoutMs);
    return manager.get(request);
}

// Why a request that did not answer 200 failed: unreachable, or the node's JSON error.
QString failureOf(const QString &baseUrl, QNetworkReply *reply, int status, const QByteArray &body)
{
    if (status == 0)
        return QStringLiteral("cannot reach %1: %2").arg(trimmedBase(baseUrl), reply->errorString());
    const QJsonObject answer = QJsonDocument::fromJson(body).object();
    return QStringLiteral("the node answered %1 %2: %3")
        .arg(status)
        .arg(answer.value(u"error"_qs).toString(), answer.value(u"message"_qs).toString());
}

} // namespace

bool fetchBackup(const QString &baseUrl, const QString &adminToken, const QString &target, QString *error, int timeoutMs)
{
    const QUrl url = adminUrl(baseUrl, u"/api/v1/admin/backup"_qs, error);
    if (url.isEmpty())
        return false;
    const auto part = backup::partFile(QFileInfo(target).absoluteFilePath(), error);
    if (!part)
        return false;
    QNetworkAccessManager manager;
    QNetworkReply *reply = getAsAdmin(manager, url, adminToken, timeoutMs);
    QEventLoop loop;
    bool writeFailed = false;
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200 && part->write(reply->readAll()) < 0)
            writeFailed = true;
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray rest = reply->readAll();
    reply->deleteLater();
    if (status != 200) {
        *error = failureOf(baseUrl, reply, status, rest);
        return false;
    }
    if (writeFailed || part->write(rest) < 0 || !part->flush()) {
        *error = QStringLiteral("cannot write %1: %2").arg(part->fileName(), part->errorString());
        return false;
    }
    const qint64 expected = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    if (reply->error() != QNetworkReply::NoError || part->size() != expected) {
        *error = QStringLiteral("the download stopped after %1 of %2 bytes: %3").arg(part->size()).arg(expected).arg(reply->errorString());
        return false;
    }
    // Only a copy SQLite finds sound replaces an earlier backup.
    return backup::keepIfSound(*part, target, error);
}

bool fetchReport(const QString &baseUrl, const QString &adminToken, const QString &eventId, SaleReport *report,
                 QString *error, int timeoutMs)
{
    const QUrl url = adminUrl(
        baseUrl, u"/api/v1/admin/events/"_qs + QString::fromLatin1(QUrl::toPercentEncoding(eventId)) + u"/report"_qs, error);
    if (url.isEmpty())
        return false;
    QNetworkAccessManager manager;
    QNetworkReply *reply = getAsAdmin(manager, url, adminToken, timeoutMs);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (status != 200) {
        *error = failureOf(baseUrl, reply, status, body);
        return false;
    }
    *report = salereport::fromJson(QJsonDocument::fromJson(body).object());
    return true;
}

} // namespace flashsale::nodeclient
