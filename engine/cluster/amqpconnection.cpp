#include "engine/cluster/amqpconnection.h"

#include "engine/core/queueurl.h"

#include <QUrl>

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <poll.h>

namespace flashsale {

namespace {
amqp_bytes_t bytesOf(const QByteArray &data)
{
    return amqp_bytes_t{std::size_t(data.size()), const_cast<char *>(data.constData())};
}

QByteArray toByteArray(amqp_bytes_t bytes)
{
    return QByteArray(static_cast<const char *>(bytes.bytes), qsizetype(bytes.len));
}

QString textOf(amqp_bytes_t bytes)
{
    return QString::fromUtf8(static_cast<const char *>(bytes.bytes), qsizetype(bytes.len));
}
} // namespace

AmqpUrl AmqpUrl::parse(const QString &text, QString *error)
{
    AmqpUrl parsed;
    if (const QString problem = checkQueueUrl(text); !problem.isEmpty()) {
        *error = problem;
        return parsed;
    }
    const QUrl url(text, QUrl::StrictMode);
    parsed.host = url.host();
    parsed.port = url.port(5672);
    if (!url.userName().isEmpty()) {
        parsed.user = url.userName();
        parsed.password = url.password();
    }
    const QString path = url.path();
    if (path.size() > 1)
        parsed.vhost = path.mid(1);
    return parsed;
}

QString AmqpUrl::display() const
{
    return QStringLiteral("amqp://%1@%2:%3/%4").arg(user, host).arg(port).arg(vhost == QLatin1String("/") ? QString() : vhost);
}

AmqpConnection::~AmqpConnection()
{
    close();
}

bool AmqpConnection::fail(const QString &what)
{
    m_error = what;
    return false;
}

bool AmqpConnection::checkReply(const char *what)
{
    const amqp_rpc_reply_t reply = amqp_get_rpc_reply(m_state);
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return true;
    case AMQP_RESPONSE_NONE:
        return fail(QStringLiteral("%1: no reply from the broker").arg(QLatin1String(what)));
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        return fail(QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromUtf8(amqp_error_string2(reply.library_error))));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const auto *close = static_cast<amqp_connection_close_t *>(reply.reply.decoded);
            return fail(QStringLiteral("%1: broker closed the connection: %2").arg(QLatin1String(what), textOf(close->reply_text)));
        }
        if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const auto *close = static_cast<amqp_channel_close_t *>(reply.reply.decoded);
            return fail(QStringLiteral("%1: broker closed the channel: %2").arg(QLatin1String(what), textOf(close->reply_text)));
        }
        return fail(QStringLiteral("%1: unexpected broker reply %2").arg(QLatin1String(what)).arg(reply.reply.id));
    }
    return fail(QStringLiteral("%1: unknown reply").arg(QLatin1String(what)));
}

bool AmqpConnection::open(const AmqpUrl &url, const QString &connectionName, int heartbeatSeconds)
{
    close();
    m_state = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(m_state);
    if (!socket) {
        close();
        return fail(QStringLiteral("cannot create a socket"));
    }
    timeval connectTimeout{5, 0};
    const QByteArray host = url.host.toUtf8();
    if (const int status = amqp_socket_open_noblock(socket, host.constData(), url.port, &connectTimeout); status != AMQP_STATUS_OK) {
        m_error = QStringLiteral("cannot connect to %1:%2: %3").arg(url.host).arg(url.port).arg(QString::fromUtf8(amqp_error_string2(status)));
        close();
        return false;
    }
    const QByteArray name = connectionName.toUtf8();
    amqp_table_entry_t property;
    property.key = amqp_cstring_bytes("connection_name");
    property.value.kind = AMQP_FIELD_KIND_UTF8;
    property.value.value.bytes = bytesOf(name);
    const amqp_table_t properties{1, &property};
    const QByteArray vhost = url.vhost.toUtf8(), user = url.user.toUtf8(), password = url.password.toUtf8();
    const amqp_rpc_reply_t login = amqp_login_with_properties(m_state, vhost.constData(), 0, 131072, heartbeatSeconds,
                                                              &properties, AMQP_SASL_METHOD_PLAIN, user.constData(),
                                                              password.constData());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
        checkReply("login");
        m_error = QStringLiteral("cannot log in to %1 (%2)").arg(url.display(), m_error);
        close();
        return false;
    }
    return true;
}

void AmqpConnection::close()
{
    if (!m_state)
        return;
    // Best effort: a broken connection cannot be closed politely.
    amqp_connection_close(m_state, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(m_state);
    m_state = nullptr;
}

bool AmqpConnection::openChannel(std::uint16_t channel)
{
    amqp_channel_open(m_state, channel);
    return checkReply("channel.open");
}

bool AmqpConnection::confirmSelect(std::uint16_t channel)
{
    amqp_confirm_select(m_state, channel);
    return checkReply("confirm.select");
}

bool AmqpConnection::qos(std::uint16_t channel, std::uint16_t prefetchCount)
{
    amqp_basic_qos(m_state, channel, 0, prefetchCount, false);
    return checkReply("basic.qos");
}

bool AmqpConnection::declareExchange(std::uint16_t channel, const QByteArray &name, const QByteArray &type)
{
    amqp_exchange_declare(m_state, channel, bytesOf(name), bytesOf(type), false, true, false, false, amqp_empty_table);
    return checkReply("exchange.declare");
}

bool AmqpConnection::declareDurableQueue(std::uint16_t channel, const QByteArray &name, bool singleActiveConsumer)
{
    amqp_table_entry_t argument;
    argument.key = amqp_cstring_bytes("x-single-active-consumer");
    argument.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    argument.value.value.boolean = 1;
    const amqp_table_t arguments = singleActiveConsumer ? amqp_table_t{1, &argument} : amqp_empty_table;
    amqp_queue_declare(m_state, channel, bytesOf(name), false, true, false, false, arguments);
    return checkReply("queue.declare");
}

QByteArray AmqpConnection::declarePrivateQueue(std::uint16_t channel)
{
    const amqp_queue_declare_ok_t *ok = amqp_queue_declare(m_state, channel, amqp_empty_bytes, false, false, true, true, amqp_empty_table);
    if (!checkReply("queue.declare") || !ok)
        return QByteArray();
    return toByteArray(ok->queue);
}

std::int64_t AmqpConnection::readyCount(std::uint16_t channel, const QByteArray &queue)
{
    const amqp_queue_declare_ok_t *ok = amqp_queue_declare(m_state, channel, bytesOf(queue), true, false, false, false, amqp_empty_table);
    if (!checkReply("queue.declare passive") || !ok)
        return -1;
    return ok->message_count;
}

bool AmqpConnection::bindQueue(std::uint16_t channel, const QByteArray &queue, const QByteArray &exchange, const QByteArray &key)
{
    amqp_queue_bind(m_state, channel, bytesOf(queue), bytesOf(exchange), bytesOf(key), amqp_empty_table);
    return checkReply("queue.bind");
}

bool AmqpConnection::consume(std::uint16_t channel, const QByteArray &queue, bool noAck)
{
    amqp_basic_consume(m_state, channel, bytesOf(queue), amqp_empty_bytes, false, noAck, false, amqp_empty_table);
    return checkReply("basic.consume");
}

bool AmqpConnection::publish(std::uint16_t channel, const QByteArray &exchange, const QByteArray &routingKey,
                             const QByteArray &type, const QByteArray &body, bool persistent)
{
    amqp_basic_properties_t properties;
    properties._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    properties.delivery_mode = persistent ? AMQP_DELIVERY_PERSISTENT : AMQP_DELIVERY_NONPERSISTENT;
    properties.type = bytesOf(type);
    properties.content_type = amqp_cstring_bytes("application/x-flashsale");
    const int status = amqp_basic_publish(m_state, channel, bytesOf(exchange), bytesOf(routingKey), false, false,
                                          &properties, bytesOf(body));
    if (status != AMQP_STATUS_OK)
        return fail(QStringLiteral("basic.publish: %1").arg(QString::fromUtf8(amqp_error_string2(status))));
    return true;
}

bool AmqpConnection::ack(std::uint16_t channel, std::uint64_t deliveryTag, bool multiple)
{
    if (const int status = amqp_basic_ack(m_state, channel, deliveryTag, multiple); status != AMQP_STATUS_OK)
        return fail(QStringLiteral("basic.ack: %1").arg(QString::fromUtf8(amqp_error_string2(status))));
    return true;
}

bool AmqpConnection::reject(std::uint16_t channel, std::uint64_t deliveryTag, bool requeue)
{
    if (const int status = amqp_basic_reject(m_state, channel, deliveryTag, requeue); status != AMQP_STATUS_OK)
        return fail(QStringLiteral("basic.reject: %1").arg(QString::fromUtf8(amqp_error_string2(status))));
    return true;
}

AmqpConnection::Incoming AmqpConnection::next(int timeoutMs, int wakeFd, AmqpDelivery *delivery, AmqpConfirm *confirm)
{
    if (!amqp_frames_enqueued(m_state) && !amqp_data_in_buffer(m_state)) {
        amqp_maybe_release_buffers(m_state);
        pollfd fds[2] = {{amqp_get_sockfd(m_state), POLLIN, 0}, {wakeFd, POLLIN, 0}};
        const int ready = ::poll(fds, wakeFd >= 0 ? 2 : 1, timeoutMs);
        if (ready < 0 && errno != EINTR) {
            fail(QStringLiteral("poll: %1").arg(QString::fromLocal8Bit(strerror(errno))));
            return Incoming::Failed;
        }
        // Fall through even when only the wake fd fired: the call below also services heartbeats.
    }
    amqp_frame_t frame;
    timeval noWait{0, 0};
    const int status = amqp_simple_wait_frame_noblock(m_state, &frame, &noWait);
    if (status == AMQP_STATUS_TIMEOUT)
        return Incoming::Nothing;
    if (status != AMQP_STATUS_OK) {
        fail(QStringLiteral("connection lost: %1").arg(QString::fromUtf8(amqp_error_string2(status))));
        return Incoming::Failed;
    }
    if (frame.frame_type != AMQP_FRAME_METHOD)
        return Incoming::Nothing;
    switch (frame.payload.method.id) {
    case AMQP_BASIC_DELIVER_METHOD: {
        const auto *deliver = static_cast<amqp_basic_deliver_t *>(frame.payload.method.decoded);
        delivery->channel = frame.channel;
        delivery->deliveryTag = deliver->delivery_tag;
        delivery->redelivered = deliver->redelivered;
        amqp_message_t message;
        const amqp_rpc_reply_t read = amqp_read_message(m_state, frame.channel, &message, 0);
        if (read.reply_type != AMQP_RESPONSE_NORMAL) {
            checkReply("read message");
            return Incoming::Failed;
        }
        delivery->type = (message.properties._flags & AMQP_BASIC_TYPE_FLAG) ? toByteArray(message.properties.type) : QByteArray();
        delivery->body = toByteArray(message.body);
        amqp_destroy_message(&message);
        return Incoming::Delivery;
    }
    case AMQP_BASIC_ACK_METHOD: {
        const auto *ack = static_cast<amqp_basic_ack_t *>(frame.payload.method.decoded);
        *confirm = AmqpConfirm{ack->delivery_tag, bool(ack->multiple), true};
        return Incoming::Confirm;
    }
    case AMQP_BASIC_NACK_METHOD: {
        const auto *nack = static_cast<amqp_basic_nack_t *>(frame.payload.method.decoded);
        *confirm = AmqpConfirm{nack->delivery_tag, bool(nack->multiple), false};
        return Incoming::Confirm;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
        const auto *close = static_cast<amqp_channel_close_t *>(frame.payload.method.decoded);
        fail(QStringLiteral("broker closed channel %1: %2").arg(frame.channel).arg(textOf(close->reply_text)));
        return Incoming::Failed;
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
        const auto *close = static_cast<amqp_connection_close_t *>(frame.payload.method.decoded);
        fail(QStringLiteral("broker closed the connection: %1").arg(textOf(close->reply_text)));
        return Incoming::Failed;
    }
    case AMQP_BASIC_CANCEL_METHOD:
        fail(QStringLiteral("broker cancelled a consumer (queue deleted?)"));
        return Incoming::Failed;
    default:
        return Incoming::Nothing;
    }
}

} // namespace flashsale
