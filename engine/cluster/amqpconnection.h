// A blocking AMQP 0-9-1 connection to RabbitMQ over rabbitmq-c, with the few verbs the cluster uses.
#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>

struct amqp_connection_state_t_;

namespace flashsale {

// amqp://USER:PASS@HOST:PORT/VHOST (vhost "/" when the path is empty or "/").
struct AmqpUrl {
    QString host;
    int port = 5672;
    QString user = QStringLiteral("guest");
    QString password = QStringLiteral("guest");
    QString vhost = QStringLiteral("/");

    // Returns an empty host and sets error when checkQueueUrl refuses text.
    static AmqpUrl parse(const QString &text, QString *error);
    QString display() const; // without the password
};

// One message delivered to a consumer.
struct AmqpDelivery {
    std::uint16_t channel = 0;
    std::uint64_t deliveryTag = 0;
    bool redelivered = false;
    QByteArray type; // the message's type property
    QByteArray body;
};

// One publisher confirm (ack or nack) for deliveryTag, or for every tag up to it when multiple.
struct AmqpConfirm {
    std::uint64_t deliveryTag = 0;
    bool multiple = false;
    bool ack = true;
};

// Thread: a connection belongs to the one thread that opened it (rabbitmq-c is not thread-safe).
// Every verb returns false on failure with error() set; after a failure the connection is
// unusable and must be closed and opened again.
class AmqpConnection
{
public:
    AmqpConnection() = default;
    ~AmqpConnection();
    AmqpConnection(const AmqpConnection &) = delete;
    AmqpConnection &operator=(const AmqpConnection &) = delete;

    bool open(const AmqpUrl &url, const QString &connectionName, int heartbeatSeconds);
    void close();
    bool isOpen() const { return m_state != nullptr; }
    const QString &error() const { return m_error; }

    bool openChannel(std::uint16_t channel);
    bool confirmSelect(std::uint16_t channel);
    bool qos(std::uint16_t channel, std::uint16_t prefetchCount);
    bool declareExchange(std::uint16_t channel, const QByteArray &name, const QByteArray &type);
    // A durable queue; with singleActiveConsumer only one consumer at a time receives messages.
    bool declareDurableQueue(std::uint16_t channel, const QByteArray &name, bool singleActiveConsumer);
    // A server-named, exclusive, auto-deleted queue; returns its name (empty on failure).
    QByteArray declarePrivateQueue(std::uint16_t channel);
    // Messages ready in an existing queue, or -1 on failure.
    std::int64_t readyCount(std::uint16_t channel, const QByteArray &queue);
    bool bindQueue(std::uint16_t channel, const QByteArray &queue, const QByteArray &exchange, const QByteArray &key);
    bool consume(std::uint16_t channel, const QByteArray &queue, bool noAck);
    bool publish(std::uint16_t channel, const QByteArray &exchange, const QByteArray &routingKey,
                 const QByteArray &type, const QByteArray &body, bool persistent);
    bool ack(std::uint16_t channel, std::uint64_t deliveryTag, bool multiple);
    bool reject(std::uint16_t channel, std::uint64_t deliveryTag, bool requeue);

    enum class Incoming : std::uint8_t { Nothing = 1, Delivery, Confirm, Failed };
    // Waits up to timeoutMs for the next delivery or confirm; returns Nothing early when wakeFd
    // (if >= 0) becomes readable. Heartbeats are answered while waiting.
    Incoming next(int timeoutMs, int wakeFd, AmqpDelivery *delivery, AmqpConfirm *confirm);

private:
    bool checkReply(const char *what);
    bool fail(const QString &what);

    amqp_connection_state_t_ *m_state = nullptr;
    QString m_error;
};

} // namespace flashsale
