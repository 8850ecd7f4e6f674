// Sends the outbox's webhooks to the shop's endpoint, signed, and records every attempt; failed
// ones are retried with exponential backoff (engine/storage/webhooks.h has the schedule).
#pragma once

#include "engine/storage/store.h"

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>

namespace flashsale {

// Thread: start() and stop() on the owner's thread; the work runs on a QThread of its own with
// its own event loop, QNetworkAccessManager and store connection, so no delivery ever waits in
// the decider's or the writer's path. What it writes (an attempt's outcome) is one short
// transaction per round, on its own connection.
class WebhookDelivery
{
public:
    // Scale-out: the events whose webhooks this node delivers (the ones it decides), asked once
    // per round from the delivery thread; empty: every event's (an embedded node).
    using DeliveredEvents = std::function<QStringList()>;

    WebhookDelivery(StoreLocation location, DeliveredEvents deliveredEvents);
    ~WebhookDelivery();

    void start();
    // Abandons the requests in flight (they are sent again later: receivers deduplicate by id).
    void stop();

    // Headers and limits every receiver sees.
    static constexpr int kTimeoutMs = 10'000;    // per attempt, connection to last byte
    static constexpr int kParallel = 8;          // attempts in flight at once
    static constexpr int kPollIntervalMs = 250;  // how often the outbox is asked for due webhooks
    // "t=UNIX,v1=HEX": HMAC-SHA256 of "{t}.{body}" with the endpoint's secret.
    static QByteArray signature(const QByteArray &secret, const QByteArray &body, std::int64_t unixSeconds);

private:
    class Worker;
    StoreLocation m_location;
    DeliveredEvents m_deliveredEvents;
    QThread m_thread;
    Worker *m_worker = nullptr; // lives on m_thread; deleted there when it finishes
};

} // namespace flashsale
