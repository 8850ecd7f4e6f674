// Test helper: one raw TCP connection that sends exact bytes and reads HTTP answers and
// WebSocket frames back, for the limits and conformance rules a real client would never break.
#pragma once

#include <QDeadlineTimer>
#include <QHash>
#include <QSslSocket>
#include <QTcpSocket>

#include <memory>

// One HTTP answer as read off the wire; status 0: none came (closed or timed out first).
struct RawAnswer {
    int status = 0;
    QByteArray statusLine;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

class RawConnection
{
public:
    // Connects to 127.0.0.1:port.
    explicit RawConnection(quint16 port)
        : m_socket(std::make_unique<QTcpSocket>())
    {
        m_socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        m_socket->waitForConnected(5000);
    }
    // Connects to 127.0.0.1:port from the loopback address from (127.0.0.2, 127.0.0.3, ...), so
    // one test plays clients at different addresses.
    RawConnection(quint16 port, const QHostAddress &from)
        : m_socket(std::make_unique<QTcpSocket>())
    {
        m_socket->bind(from);
        m_socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        m_socket->waitForConnected(5000);
    }
    // Reads and writes through a socket already connected (a QSslSocket after its handshake).
    explicit RawConnection(std::unique_ptr<QTcpSocket> connected) : m_socket(std::move(connected)) {}

    QTcpSocket &socket() { return *m_socket; }
    bool connected() const { return m_socket->state() == QAbstractSocket::ConnectedState; }

    void send(const QByteArray &bytes)
    {
        m_socket->write(bytes);
        m_socket->flush();
    }

    // Reads one answer: head, then Content-Length body bytes (none for a HEAD request).
    RawAnswer read(int timeoutMs = 5000, bool headRequest = false)
    {
        RawAnswer answer;
        QDeadlineTimer deadline(timeoutMs);
        qsizetype end = -1;
        while ((end = m_pending.indexOf("\r\n\r\n")) < 0) {
            if (!fill(deadline))
                return answer;
        }
        const QList<QByteArray> lines = m_pending.left(end).split('\n');
        m_pending.remove(0, end + 4);
        answer.statusLine = lines.value(0).trimmed();
        answer.status = answer.statusLine.mid(9, 3).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                answer.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        const qsizetype length = headRequest || answer.status == 100 ? 0 : answer.header("content-length").toLongLong();
        while (m_pending.size() < length) {
            if (!fill(deadline)) {
                answer.status = 0;
                return answer;
            }
        }
        answer.body = m_pending.left(length);
        m_pending.remove(0, length);
        return answer;
    }

    // Exactly n bytes (WebSocket frames), or fewer when the connection ends first.
    QByteArray readBytes(qsizetype n, int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (m_pending.size() < n && fill(deadline)) {
        }
        const QByteArray out = m_pending.left(n);
        m_pending.remove(0, out.size());
        return out;
    }

    // True when the server closes the connection within timeoutMs; what it sends first is kept.
    bool closedWithin(int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (fill(deadline)) {
        }
        return m_closed;
    }

private:
    // Waits for more bytes; false once closed or the deadline passed.
    bool fill(const QDeadlineTimer &deadline)
    {
        if (m_closed)
            return false;
        if (m_socket->bytesAvailable() == 0) {
            if (m_socket->state() != QAbstractSocket::ConnectedState || deadline.hasExpired()) {
                m_closed = m_socket->state() != QAbstractSocket::ConnectedState;
                return false;
            }
            m_socket->waitForReadyRead(int(std::max<qint64>(1, std::min<qint64>(deadline.remainingTime(), 100))));
            if (m_socket->bytesAvailable() == 0) {
                m_closed = m_socket->state() != QAbstractSocket::ConnectedState;
                return !m_closed && !deadline.hasExpired();
            }
        }
        m_pending += m_socket->readAll();
        return true;
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_pending;
    bool m_closed = false;
};

// An HTTP/1.1 request to 127.0.0.1:port with a JSON body (when given) and extra header lines
// ("Name: value").
inline QByteArray httpRequest(const QByteArray &method, const QByteArray &path, quint16 port,
                              const QByteArray &jsonBody = {}, const QList<QByteArray> &headerLines = {})
{
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n";
    for (const QByteArray &line : headerLines)
        request += line + "\r\n";
    if (!jsonBody.isNull())
        request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(jsonBody.size()) + "\r\n";
    return request + "\r\n" + jsonBody;
}

// A client WebSocket frame: fin, opcode, payload, masked as RFC 6455 requires unless told not to.
inline QByteArray webSocketFrame(int opcode, const QByteArray &payload, bool masked = true)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    const char maskBit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        frame.append(char(maskBit | char(payload.size())));
    } else if (payload.size() < 65536) {
        frame.append(char(maskBit | 126)).append(char(payload.size() >> 8)).append(char(payload.size() & 0xff));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(payload.size()) >> shift) & 0xff));
    }
    if (!masked)
        return frame + payload;
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

// The opening handshake of the shopper WebSocket endpoint.
inline QByteArray webSocketUpgrade(const QByteArray &path = "/api/v1/ws", const QByteArray &origin = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           + (origin.isEmpty() ? QByteArray() : "Origin: " + origin + "\r\n")
           + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// One server frame read off conn: opcode and payload (server frames are never masked).
struct RawFrame {
    int opcode = -1; // -1: none came
    QByteArray payload;
    // A close frame's status code.
    int closeCode() const { return payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : 0; }
};

inline RawFrame readFrame(RawConnection &conn, int timeoutMs = 5000)
{
    RawFrame frame;
    const QByteArray head = conn.readBytes(2, timeoutMs);
    if (head.size() < 2)
        return frame;
    quint64 length = quint8(head[1]) & 0x7f;
    if (length == 126) {
        const QByteArray ext = conn.readBytes(2, timeoutMs);
        length = (quint8(ext[0]) << 8) | quint8(ext[1]);
    } else if (length == 127) {
        const QByteArray ext = conn.readBytes(8, timeoutMs);
        length = 0;
        for (char c : ext)
            length = (length << 8) | quint8(c);
    }
    frame.payload = conn.readBytes(qsizetype(length), timeoutMs);
    frame.opcode = quint8(head[0]) & 0x0f;
    return frame;
}
