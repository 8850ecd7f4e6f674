// Test helper: a shop's webhook endpoint on loopback. A real HTTP/1.1 server (QTcpServer) on the
// test's thread that checks each POST's Flashsale-Signature against the secret and records it.
// It can be down (refusing connections) or failing (503) for a while, as a shop's backend is.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>
#include <vector>

class WebhookReceiver
{
public:
    enum class Mode { Up, Failing };

    struct Delivery {
        QByteArray idHeader;
        QByteArray signatureHeader;
        QByteArray body;
        QJsonObject json;
        bool signatureValid = false;
        qint64 receivedAtMs = 0;
    };

    // Listens on 127.0.0.1, on port (0: any free one; a fixed one brings a stopped receiver back
    // on the same address).
    bool listen(quint16 port = 0)
    {
        m_server = std::make_unique<QTcpServer>();
        if (!m_server->listen(QHostAddress(QStringLiteral("127.0.0.1")), port))
            return false;
        m_port = m_server->serverPort();
        QObject::connect(m_server.get(), &QTcpServer::newConnection, m_server.get(), [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection())
                serve(socket);
        });
        return true;
    }
    // Stops listening and drops open connections: the endpoint is down.
    void close() { m_server.reset(); }

    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hooks/flashsale").arg(m_port); }
    void setSecret(const QByteArray &secret) { m_secret = secret; }
    void setMode(Mode mode) { m_mode = mode; }

    const std::vector<Delivery> &deliveries() const { return m_deliveries; }
    int failedAnswers() const { return m_failedAnswers; }

    // The deliveries accepted (answered 200), one per webhook id: what a receiver that
    // deduplicates keeps.
    QHash<QString, QJsonObject> uniqueById() const
    {
        QHash<QString, QJsonObject> unique;
        for (const Delivery &d : m_deliveries)
            unique.insert(d.json.value(QStringLiteral("id")).toString(), d.json);
        return unique;
    }

    // "t=UNIX,v1=HEX" checked against HMAC-SHA256("{t}.{body}", secret).
    static bool verify(const QByteArray &header, const QByteArray &body, const QByteArray &secret)
    {
        QByteArray t, v1;
        for (const QByteArray &part : header.split(',')) {
            if (part.startsWith("t="))
                t = part.mid(2);
            else if (part.startsWith("v1="))
                v1 = part.mid(3);
        }
        if (t.isEmpty() || v1.isEmpty())
            return false;
        const QByteArray expected = QMessageAuthenticationCode::hash(t + '.' + body, secret, QCryptographicHash::Sha256).toHex();
        const qint64 skewS = qAbs(QDateTime::currentSecsSinceEpoch() - t.toLongLong());
        return expected == v1 && skewS < 300;
    }

private:
    void serve(QTcpSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            for (;;) {
                const qsizetype headerEnd = buffer->indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return;
                QHash<QByteArray, QByteArray> headers;
                const QList<QByteArray> lines = buffer->left(headerEnd).split('\n');
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines[i].indexOf(':');
                    if (colon > 0)
                        headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
                }
                const qsizetype length = headers.value("content-length").toLongLong();
                if (buffer->size() < headerEnd + 4 + length)
                    return;
                const QByteArray body = buffer->mid(headerEnd + 4, length);
                buffer->remove(0, headerEnd + 4 + length);
                answer(socket, headers, body);
            }
        });
    }

    void answer(QTcpSocket *socket, const QHash<QByteArray, QByteArray> &headers, const QByteArray &body)
    {
        if (m_mode == Mode::Failing) {
            ++m_failedAnswers;
            socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        Delivery d;
        d.idHeader = headers.value("flashsale-webhook-id");
        d.signatureHeader = headers.value("flashsale-signature");
        d.body = body;
        d.json = QJsonDocument::fromJson(body).object();
        d.signatureValid = verify(d.signatureHeader, body, m_secret);
        d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
        m_deliveries.push_back(d);
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    }

    std::unique_ptr<QTcpServer> m_server;
    quint16 m_port = 0;
    QByteArray m_secret;
    Mode m_mode = Mode::Up;
    std::vector<Delivery> m_deliveries;
    int m_failedAnswers = 0;
};
