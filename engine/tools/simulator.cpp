#include "engine/tools/simulator.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <cmath>

namespace flashsale {

namespace {
// Qt opens at most six HTTP/1.1 connections per host and manager.
constexpr int kConnectionsPerManager = 6;
} // namespace

Simulator::Simulator(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<flashsale::SimulationSummary>();
    m_pace.setSingleShot(true);
    m_pace.setTimerType(Qt::PreciseTimer);
    connect(&m_pace, &QTimer::timeout, this, &Simulator::sendNext);
}

Simulator::~Simulator()
{
    m_cancelled = true;
    for (QNetworkAccessManager *manager : m_managers) {
        const auto replies = manager->findChildren<QNetworkReply *>();
        for (QNetworkReply *reply : replies) {
            reply->disconnect(this);
            reply->abort();
        }
    }
}

bool Simulator::start(const SimulationPlan &plan)
{
    if (m_running || plan.shoppers < 1 || plan.eventId.isEmpty() || plan.baseUrl.isEmpty() || plan.concurrency < 1
        || plan.shoppersPerSecond < 0)
        return false;
    m_plan = plan;
    m_summary = SimulationSummary{};
    m_summary.shoppers = plan.shoppers;
    m_runTag = QString::number(QRandomGenerator::global()->generate(), 36);
    m_next = 0;
    m_inFlight = 0;
    m_cancelled = false;
    m_running = true;
    const int managers = (plan.concurrency + kConnectionsPerManager - 1) / kConnectionsPerManager;
    while (int(m_managers.size()) < managers)
        m_managers.push_back(new QNetworkAccessManager(this));
    m_clock.start();
    sendNext();
    return true;
}

void Simulator::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    m_pace.stop();
    for (QNetworkAccessManager *manager : m_managers) {
        const auto replies = manager->findChildren<QNetworkReply *>();
        for (QNetworkReply *reply : replies)
            reply->abort(); // finished() follows synchronously and decrements m_inFlight
    }
    finishIfDone();
}

SimulationSummary Simulator::summary() const
{
    SimulationSummary copy = m_summary;
    if (m_running)
        copy.elapsedMs = m_clock.elapsed();
    return copy;
}

void Simulator::sendNext()
{
    const double pace = m_plan.shoppersPerSecond;
    // Paced: the shoppers due by now, counting from 1 / pace seconds after the start.
    const std::int64_t due = pace > 0 ? std::min<std::int64_t>(m_plan.shoppers, std::int64_t(double(m_clock.elapsed()) * pace / 1000.0))
                                      : m_plan.shoppers;
    while (!m_cancelled && m_inFlight < m_plan.concurrency && m_next < due) {
        ++m_summary.sent;
        send(m_next++, 0);
    }
    if (pace > 0 && !m_cancelled && m_next < m_plan.shoppers && m_next == due && !m_pace.isActive()) {
        const auto dueAtMs = std::int64_t(std::ceil(double(m_next + 1) * 1000.0 / pace));
        m_pace.start(int(std::max<std::int64_t>(0, dueAtMs - m_clock.elapsed())));
    }
    finishIfDone();
}

void Simulator::send(std::int64_t shopper, int attempt)
{
    QUrl url(m_plan.baseUrl + QStringLiteral("/api/v1/events/%1/purchases").arg(m_plan.eventId));
    url.setQuery(QStringLiteral("wait=%1").arg(m_plan.waitMs));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + m_plan.adminToken.toUtf8());
    request.setTransferTimeout(m_plan.waitMs + 15000);

    const QString user = QStringLiteral("sim-%1-%2").arg(m_runTag).arg(shopper);
    QJsonObject body{{u"requestId"_qs, QStringLiteral("%1-r").arg(user)},
                     {u"userId"_qs, user},
                     {u"quantity"_qs, 1},
                     {u"simulated"_qs, true}};
    if (m_plan.contactEveryNth > 0 && shopper % m_plan.contactEveryNth == 0)
        body.insert(u"contact"_qs, QStringLiteral("%1@example.invalid").arg(user));

    QNetworkAccessManager *manager = m_managers[std::size_t(shopper % std::int64_t(m_managers.size()))];
    if (attempt == 0)
        ++m_inFlight;
    QNetworkReply *reply = manager->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply, shopper, attempt] { onReply(reply, shopper, attempt); });
}

void Simulator::onReply(QNetworkReply *reply, std::int64_t shopper, int attempt)
{
    reply->deleteLater();
    const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
    if (m_cancelled) {
        --m_inFlight;
        finishIfDone();
        return;
    }
    if (code == 429 && attempt < m_plan.maxRetries) {
        ++m_summary.retries;
        const int delayMs = 20 + int(QRandomGenerator::global()->bounded(80 + attempt * 20));
        QTimer::singleShot(delayMs, this, [this, shopper, attempt] {
            if (m_cancelled) {
                --m_inFlight;
                finishIfDone();
                return;
            }
            send(shopper, attempt + 1);
        });
        return;
    }
    --m_inFlight;
    const QString state = json.value(u"state"_qs).toString();
    if (code == 200 || code == 202)
        ++m_summary.accepted;
    if (code == 200 && state == u"won") {
        ++m_summary.won;
    } else if (code == 200 && state == u"lost") {
        ++m_summary.lost;
        if (m_plan.contactEveryNth > 0 && shopper % m_plan.contactEveryNth == 0)
            ++m_summary.withContact;
    } else if (code == 200 || code == 202) {
        ++m_summary.undecided;
    } else {
        ++m_summary.failed;
        const QString message = json.value(u"message"_qs).toString();
        m_summary.lastError = message.isEmpty() ? reply->errorString() : QStringLiteral("%1: %2").arg(code).arg(message);
    }
    sendNext();
}

void Simulator::finishIfDone()
{
    if (!m_running || m_inFlight > 0)
        return;
    if (!m_cancelled && m_next < m_plan.shoppers)
        return;
    m_running = false;
    m_summary.elapsedMs = m_clock.elapsed();
    Q_EMIT finished(m_summary);
}

} // namespace flashsale
