// The WebSocket API end to end on a real socket: a thousand shoppers buying at once, the
// subscribe and watch pushes, the admin feed, and a clear error for every malformed frame.
#include "tests/support/crowdoptions.h"
#include "tests/support/apiclient.h"

#include "engine/api/server.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <sys/resource.h>

using namespace flashsale;

namespace {

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// One test connection that records every message it gets.
struct Peer {
    std::unique_ptr<QWebSocket> socket = std::make_unique<QWebSocket>();
    QList<QJsonObject> messages;
    QList<qint64> receivedAtMs;
    bool connected = false;
    bool disconnected = false;
    QElapsedTimer clock;

    Peer()
    {
        clock.start();
        QObject::connect(socket.get(), &QWebSocket::connected, socket.get(), [this] { connected = true; });
        QObject::connect(socket.get(), &QWebSocket::disconnected, socket.get(), [this] { disconnected = true; });
        QObject::connect(socket.get(), &QWebSocket::textMessageReceived, socket.get(), [this](const QString &text) {
            messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
            receivedAtMs.append(clock.elapsed());
        });
    }

    void open(const QString &url, const QByteArray &authorization = {})
    {
        QNetworkRequest request{QUrl(url)};
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        socket->open(request);
    }
    void send(const QJsonObject &message) { socket->sendTextMessage(compact(message)); }

    QList<QJsonObject> withOp(const QString &op) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &m : messages) {
            if (m.value(u"op"_qs).toString() == op)
                out.append(m);
        }
        return out;
    }
    // Waits for the next message with that op after `from` messages; returns it or {}.
    QJsonObject next(const QString &op, qsizetype from, int timeoutMs = 10000)
    {
        QJsonObject found;
        ApiClient::waitUntil([&] {
            for (qsizetype i = from; i < messages.size(); ++i) {
                if (messages[i].value(u"op"_qs).toString() == op) {
                    found = messages[i];
                    return true;
                }
            }
            return false;
        }, timeoutMs);
        return found;
    }
};

QJsonObject purchase(const QString &eventId, const QString &requestId, const QString &userId, int quantity = 1)
{
    return QJsonObject{{u"op"_qs, u"purchase"_qs}, {u"eventId"_qs, eventId}, {u"requestId"_qs, requestId},
                       {u"userId"_qs, userId}, {u"quantity"_qs, quantity}};
}

void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 65536);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

class TestWebSocket : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<ApiClient> m_client;
    QString m_wsBase; // ws://ADDR:PORT
    QString m_wsUrl;  // the shopper endpoint

    void createOpenEvent(const QString &id, int stock, int perUserLimit = 1)
    {
        const ApiReply created = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                                 {{u"id"_qs, id}, {u"name"_qs, u"Phone"_qs}, {u"priceCents"_qs, 99900},
                                                  {u"stock"_qs, stock}, {u"perUserLimit"_qs, perUserLimit}});
        QCOMPARE(created.status, 201);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/events/"_qs + id + u"/open"_qs).status, 200);
    }

    // The event the malformed-frame tests refer to, created by whichever of them runs first.
    void createBadFramesEvent()
    {
        if (!m_server->engine().event(u"ws-bad"_qs))
            createOpenEvent(u"ws-bad"_qs, 5, 2);
    }

    std::unique_ptr<Peer> connectedPeer(const QString &url)
    {
        auto peer = std::make_unique<Peer>();
        peer->open(url);
        ApiClient::waitUntil([&] { return peer->connected || peer->disconnected; }, 10000);
        return peer;
    }

private Q_SLOTS:
    void initTestCase()
    {
        raiseFileLimit();
        QVERIFY(m_dir.isValid());
        ServerOptions options = crowdNodeOptions();
        options.dataDir = m_dir.path();
        options.port = 0;
        options.adminToken = u"test-token"_qs;
        options.httpThreads = 2;
        m_server = std::make_unique<Server>(options);
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        m_client = std::make_unique<ApiClient>(m_server->baseUrl(), "test-token");
        m_wsBase = m_server->baseUrl().replace(u"http://"_qs, u"ws://"_qs);
        m_wsUrl = m_wsBase + u"/api/v1/ws"_qs;
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server->stop();
    }

    // 1,000 concurrent connections each buy once: one queued and one result each, won units
    // equal the stock, and every loser is kept as an intent.
    void thousandConcurrentBuyers()
    {
        const int buyers = 1000;
        const int stock = 100;
        createOpenEvent(u"ws-rush"_qs, stock);

        QElapsedTimer timer;
        timer.start();
        std::vector<std::unique_ptr<Peer>> peers;
        peers.reserve(buyers);
        for (int i = 0; i < buyers; ++i) {
            auto peer = std::make_unique<Peer>();
            Peer *p = peer.get();
            QObject::connect(p->socket.get(), &QWebSocket::connected, p->socket.get(), [p, i] {
                p->send(purchase(u"ws-rush"_qs, QStringLiteral("req-%1").arg(i), QStringLiteral("user-%1").arg(i)));
            });
            p->open(m_wsUrl);
            peers.push_back(std::move(peer));
        }
        const auto resultCount = [&] {
            return std::count_if(peers.begin(), peers.end(), [](const auto &p) { return !p->withOp(u"result"_qs).isEmpty(); });
        };
        QVERIFY2(ApiClient::waitUntil([&] { return resultCount() == buyers; }, 120000),
                 qPrintable(QStringLiteral("%1 of %2 got a result").arg(resultCount()).arg(buyers)));
        const qint64 elapsedMs = timer.elapsed();
        QCOMPARE(m_server->engine().stats().webSocketClients, qint64(buyers));
        // A second result for a purchase would reach its connection before the answer to a
        // message sent after the first result: watch the event on each and wait for that answer.
        for (const auto &p : peers)
            p->send({{u"op"_qs, u"watch"_qs}, {u"eventId"_qs, u"ws-rush"_qs}});
        const auto watching = [&] {
            return std::count_if(peers.begin(), peers.end(), [](const auto &p) { return !p->withOp(u"event"_qs).isEmpty(); });
        };
        QVERIFY2(ApiClient::waitUntil([&] { return watching() == buyers; }, 30000),
                 qPrintable(QStringLiteral("%1 of %2 answered the watch").arg(watching()).arg(buyers)));

        int won = 0;
        int lost = 0;
        QSet<qint64> orderIds;
        for (int i = 0; i < buyers; ++i) {
            const Peer &p = *peers[i];
            QVERIFY2(p.connected && !p.disconnected, qPrintable(QStringLiteral("connection %1 dropped").arg(i)));
            const auto queued = p.withOp(u"queued"_qs);
            const auto results = p.withOp(u"result"_qs);
            QCOMPARE(p.withOp(u"error"_qs).size(), 0);
            QCOMPARE(queued.size(), 1);
            QCOMPARE(results.size(), 1);
            // queued comes first, and names the same ticket.
            QCOMPARE(p.messages.first().value(u"op"_qs).toString(), u"queued"_qs);
            QCOMPARE(results[0].value(u"ticket"_qs), queued[0].value(u"ticket"_qs));
            QCOMPARE(results[0].value(u"requestId"_qs).toString(), QStringLiteral("req-%1").arg(i));
            QVERIFY(queued[0].value(u"position"_qs).isDouble());
            if (results[0].value(u"state"_qs).toString() == u"won") {
                ++won;
                orderIds.insert(results[0].value(u"orderId"_qs).toInteger());
            } else {
                QCOMPARE(results[0].value(u"state"_qs).toString(), u"lost"_qs);
                QCOMPARE(results[0].value(u"reason"_qs).toString(), u"sold_out"_qs);
                ++lost;
            }
        }
        QCOMPARE(won, stock);
        QCOMPARE(orderIds.size(), stock);
        QCOMPARE(lost, buyers - stock);

        const ApiReply event = m_client->admin("GET", u"/api/v1/admin/events/ws-rush"_qs);
        QCOMPARE(event.json.value(u"remaining"_qs).toInteger(), 0);
        QCOMPARE(event.json.value(u"wonUnits"_qs).toInteger(), stock);
        const ApiReply intents = m_client->admin("GET", u"/api/v1/admin/events/ws-rush/intents?limit=1"_qs);
        QCOMPARE(intents.status, 200);
        QCOMPARE(intents.json.value(u"total"_qs).toInteger(), buyers - stock);
        qInfo("%d WebSocket buyers connected, bought and got their results in %lld ms", buyers, qint64(elapsedMs));

        peers.clear();
        QVERIFY(ApiClient::waitUntil([&] { return m_server->engine().stats().webSocketClients == 0; }, 10000));
    }

    // A ticket bought over HTTP is pushed to a WebSocket subscriber; a decided one at once.
    void subscribeToHttpTicket()
    {
        createOpenEvent(u"ws-sub"_qs, 1);
        const ApiReply bought = m_client->call("POST", u"/api/v1/events/ws-sub/purchases"_qs,
                                               R"({"requestId":"h1","userId":"alice","quantity":1})");
        QVERIFY2(bought.status == 202 || bought.status == 200, bought.body.constData());
        const QString ticket = bought.json.value(u"ticket"_qs).toString();
        auto peer = connectedPeer(m_wsUrl);
        QVERIFY(peer->connected);
        peer->send({{u"op"_qs, u"subscribe"_qs}, {u"ticket"_qs, ticket}});
        const QJsonObject result = peer->next(u"result"_qs, 0);
        QCOMPARE(result.value(u"ticket"_qs).toString(), ticket);
        QCOMPARE(result.value(u"state"_qs).toString(), u"won"_qs);
        QVERIFY(result.value(u"orderId"_qs).toInteger() > 0);

        // Already decided: answered at once, and only once.
        const qsizetype before = peer->messages.size();
        peer->send({{u"op"_qs, u"subscribe"_qs}, {u"ticket"_qs, ticket}});
        QCOMPARE(peer->next(u"result"_qs, before).value(u"state"_qs).toString(), u"won"_qs);

        // A second buyer over WebSocket loses, sold out.
        const qsizetype before2 = peer->messages.size();
        peer->send(purchase(u"ws-sub"_qs, u"w2"_qs, u"bob"_qs));
        const QJsonObject lost = peer->next(u"result"_qs, before2);
        QCOMPARE(lost.value(u"state"_qs).toString(), u"lost"_qs);
        QCOMPARE(lost.value(u"reason"_qs).toString(), u"sold_out"_qs);

        // The same requestId again names the same ticket (idempotent), queued then result.
        const qsizetype before3 = peer->messages.size();
        peer->send(purchase(u"ws-sub"_qs, u"w2"_qs, u"bob"_qs));
        QCOMPARE(peer->next(u"result"_qs, before3).value(u"ticket"_qs), lost.value(u"ticket"_qs));
        QCOMPARE(peer->next(u"queued"_qs, before3).value(u"ticket"_qs), lost.value(u"ticket"_qs));
    }

    // A sold_out loser of an event that offers freed units keeps listening: a cancelled order's
    // unit arrives as {"op":"offer"}; a later subscriber to the ticket gets the offer at once.
    void soldOutLeadHearsOfOffer()
    {
        const ApiReply created = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                                 {{u"id"_qs, u"ws-offer"_qs}, {u"name"_qs, u"Offer"_qs}, {u"priceCents"_qs, 500},
                                                  {u"stock"_qs, 1}, {u"paymentWindowSeconds"_qs, 600},
                                                  {u"releasePolicy"_qs, u"offer"_qs}, {u"launch"_qs, true}});
        QCOMPARE(created.status, 201);
        const ApiReply bought = m_client->call("POST", u"/api/v1/events/ws-offer/purchases"_qs,
                                               R"({"requestId":"o1","userId":"alice","quantity":1})");
        QCOMPARE(bought.json.value(u"state"_qs).toString(), u"won"_qs);
        auto bob = connectedPeer(m_wsUrl);
        QVERIFY(bob->connected);
        bob->send(purchase(u"ws-offer"_qs, u"o2"_qs, u"bob"_qs));
        const QJsonObject lost = bob->next(u"result"_qs, 0);
        QCOMPARE(lost.value(u"reason"_qs).toString(), u"sold_out"_qs);
        QVERIFY(bob->withOp(u"offer"_qs).isEmpty());

        const ApiReply cancelled = m_client->admin(
            "POST", u"/api/v1/admin/events/ws-offer/orders/%1/cancel"_qs.arg(bought.json.value(u"orderId"_qs).toInteger()));
        QCOMPARE(cancelled.status, 200);
        const QJsonObject offer = bob->next(u"offer"_qs, 0);
        QCOMPARE(offer.value(u"ticket"_qs), lost.value(u"ticket"_qs));
        QCOMPARE(offer.value(u"requestId"_qs).toString(), u"o2"_qs);
        const QJsonArray orders = m_client->admin("GET", u"/api/v1/admin/events/ws-offer/orders"_qs).json.value(u"items"_qs).toArray();
        QCOMPARE(orders.size(), 2);
        QCOMPARE(offer.value(u"orderId"_qs).toInteger(), orders[1][u"orderId"_qs].toInteger());
        QCOMPARE(offer.value(u"expiresAt"_qs).toString(), orders[1][u"expiresAt"_qs].toString());
        QCOMPARE(orders[1][u"userId"_qs].toString(), u"bob"_qs);

        auto later = connectedPeer(m_wsUrl);
        QVERIFY(later->connected);
        later->send({{u"op"_qs, u"subscribe"_qs}, {u"ticket"_qs, lost.value(u"ticket"_qs)}});
        QCOMPARE(later->next(u"offer"_qs, 0).value(u"orderId"_qs), offer.value(u"orderId"_qs));
        QCOMPARE(later->withOp(u"result"_qs).size(), 1);
        QCOMPARE(bob->withOp(u"offer"_qs).size(), 1); // told once
    }

    // watch: the snapshot at once, then changes coalesced to at most 5 messages a second.
    void watchIsCoalesced()
    {
        createOpenEvent(u"ws-watch"_qs, 10'000);
        auto peer = connectedPeer(m_wsUrl);
        peer->send({{u"op"_qs, u"watch"_qs}, {u"eventId"_qs, u"ws-watch"_qs}});
        const QJsonObject first = peer->next(u"event"_qs, 0);
        QCOMPARE(first.value(u"id"_qs).toString(), u"ws-watch"_qs);
        QCOMPARE(first.value(u"remaining"_qs).toInteger(), 10'000);
        for (const char *field : {"name", "priceCents", "currency", "stock", "perUserLimit", "startsAt", "endsAt",
                                  "state", "serverTime"})
            QVERIFY2(first.contains(QLatin1String(field)), field);

        // 400 purchases spread over ~2 s (20 every 100 ms) change the event hundreds of times.
        const int purchases = 400;
        QElapsedTimer clock;
        clock.start();
        int sent = 0;
        int answered = 0;
        QTimer pacer;
        pacer.setInterval(100);
        connect(&pacer, &QTimer::timeout, this, [&] {
            for (int k = 0; k < 20 && sent < purchases; ++k, ++sent) {
                m_client->send("POST", u"/api/v1/events/ws-watch/purchases"_qs,
                               compact(QJsonObject{{u"requestId"_qs, QStringLiteral("c%1").arg(sent)},
                                                   {u"userId"_qs, QStringLiteral("u%1").arg(sent)},
                                                   {u"quantity"_qs, 1}}).toUtf8(),
                               false, [&](const ApiReply &) { ++answered; });
            }
            if (sent == purchases)
                pacer.stop();
        });
        pacer.start();
        QVERIFY(ApiClient::waitUntil([&] { return sent == purchases && answered == sent; }, 30000));
        QVERIFY(ApiClient::waitUntil([&] {
            const auto events = peer->withOp(u"event"_qs);
            return events.last().value(u"remaining"_qs).toInteger() == 10'000 - sent;
        }, 5000));

        const auto events = peer->withOp(u"event"_qs);
        QList<qint64> at;
        for (qsizetype i = 0; i < peer->messages.size(); ++i) {
            if (peer->messages[i].value(u"op"_qs).toString() == u"event")
                at.append(peer->receivedAtMs[i]);
        }
        QVERIFY2(events.size() >= 3, "several coalesced updates");
        // At most 5 a second. Counted over the whole span, not gap by gap: a busy client thread
        // may read two messages sent 200 ms apart back to back.
        const qint64 spanMs = at.last() - at.first();
        QVERIFY2(at.size() <= (spanMs + 400) / 200 + 1,
                 qPrintable(QStringLiteral("%1 updates in %2 ms").arg(at.size()).arg(spanMs)));
        for (qsizetype i = 1; i < events.size(); ++i)
            QVERIFY2(events[i].value(u"remaining"_qs) != events[i - 1].value(u"remaining"_qs), "sent only on change");
        qInfo("%d purchases in %lld ms gave %d event messages", sent, qint64(clock.elapsed()), int(events.size()));
    }

    void badFrames_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << u"hello"_qs << u"bad_json"_qs;
        QTest::newRow("array") << u"[1,2]"_qs << u"bad_json"_qs;
        QTest::newRow("no op") << u"{}"_qs << u"invalid_field"_qs;
        QTest::newRow("op not string") << u"{\"op\":5}"_qs << u"invalid_field"_qs;
        QTest::newRow("unknown op") << u"{\"op\":\"refund\"}"_qs << u"unknown_op"_qs;
        QTest::newRow("purchase no event") << u"{\"op\":\"purchase\",\"requestId\":\"a\",\"userId\":\"u\",\"quantity\":1}"_qs
                                           << u"invalid_field"_qs;
        QTest::newRow("purchase unknown event")
            << u"{\"op\":\"purchase\",\"eventId\":\"nope\",\"requestId\":\"a\",\"userId\":\"u\",\"quantity\":1}"_qs
            << u"not_found"_qs;
        QTest::newRow("purchase no user") << u"{\"op\":\"purchase\",\"eventId\":\"ws-bad\",\"requestId\":\"a\",\"quantity\":1}"_qs
                                          << u"invalid_field"_qs;
        QTest::newRow("quantity string")
            << u"{\"op\":\"purchase\",\"eventId\":\"ws-bad\",\"requestId\":\"a\",\"userId\":\"u\",\"quantity\":\"1\"}"_qs
            << u"invalid_field"_qs;
        QTest::newRow("quantity over limit")
            << u"{\"op\":\"purchase\",\"eventId\":\"ws-bad\",\"requestId\":\"a\",\"userId\":\"u\",\"quantity\":3}"_qs
            << u"invalid_field"_qs;
        QTest::newRow("requestId number")
            << u"{\"op\":\"purchase\",\"eventId\":\"ws-bad\",\"requestId\":7,\"userId\":\"u\",\"quantity\":1}"_qs
            << u"invalid_field"_qs;
        QTest::newRow("simulated") << u"{\"op\":\"purchase\",\"eventId\":\"ws-bad\",\"requestId\":\"a\",\"userId\":\"u\",\"quantity\":1,\"simulated\":true}"_qs
                                   << u"unauthorized"_qs;
        QTest::newRow("subscribe bad ticket") << u"{\"op\":\"subscribe\",\"ticket\":\"12-zz\"}"_qs << u"not_found"_qs;
        QTest::newRow("subscribe no ticket") << u"{\"op\":\"subscribe\"}"_qs << u"invalid_field"_qs;
        QTest::newRow("watch number") << u"{\"op\":\"watch\",\"eventId\":42}"_qs << u"invalid_field"_qs;
        QTest::newRow("watch unknown") << u"{\"op\":\"watch\",\"eventId\":\"nope\"}"_qs << u"not_found"_qs;
    }

    // Each malformed frame gets an error and the connection keeps working.
    void badFrames()
    {
        QFETCH(QString, frame);
        QFETCH(QString, error);
        createBadFramesEvent();
        auto peer = connectedPeer(m_wsUrl);
        QVERIFY(peer->connected);
        peer->socket->sendTextMessage(frame);
        const QJsonObject answer = peer->next(u"error"_qs, 0);
        QCOMPARE(answer.value(u"error"_qs).toString(), error);
        QVERIFY(!answer.value(u"message"_qs).toString().isEmpty());
        peer->send({{u"op"_qs, u"watch"_qs}, {u"eventId"_qs, u"ws-bad"_qs}});
        QCOMPARE(peer->next(u"event"_qs, 0).value(u"id"_qs).toString(), u"ws-bad"_qs);
        QVERIFY(!peer->disconnected);
        QCOMPARE(m_server->engine().event(u"ws-bad"_qs)->requests.accepted, 0);
    }

    // Binary frames are refused politely; a frame over 64 KiB closes with 1009; others carry on.
    void oversizeAndBinaryFrames()
    {
        createBadFramesEvent();
        auto bystander = connectedPeer(m_wsUrl);
        auto peer = connectedPeer(m_wsUrl);
        QVERIFY(peer->connected && bystander->connected);
        peer->socket->sendBinaryMessage("\x01\x02");
        QCOMPARE(peer->next(u"error"_qs, 0).value(u"error"_qs).toString(), u"bad_json"_qs);

        peer->socket->sendTextMessage(QString(70 * 1024, u'x'));
        QVERIFY(ApiClient::waitUntil([&] { return peer->disconnected; }, 10000));
        QCOMPARE(int(peer->socket->closeCode()), 1009);

        bystander->send({{u"op"_qs, u"watch"_qs}, {u"eventId"_qs, u"ws-bad"_qs}});
        QCOMPARE(bystander->next(u"event"_qs, 0).value(u"id"_qs).toString(), u"ws-bad"_qs);
        auto newcomer = connectedPeer(m_wsUrl);
        QVERIFY(newcomer->connected);
    }

    // Only the two WebSocket paths upgrade.
    void unknownPathIsRefused()
    {
        auto peer = connectedPeer(m_wsBase + u"/api/v1/elsewhere"_qs);
        QVERIFY(!peer->connected);
        QVERIFY(peer->disconnected || peer->socket->state() == QAbstractSocket::UnconnectedState);
    }

    // A peer that stops answering pings is dropped; a live one is kept.
    void deadPeersAreDropped()
    {
        qputenv("FLASHSALE_WS_PING_MS", "300");
        QTemporaryDir dir;
        ServerOptions options = crowdNodeOptions();
        options.dataDir = dir.path();
        options.port = 0;
        options.adminToken = u"t"_qs;
        options.httpThreads = 1;
        Server server(options);
        QString error;
        const bool started = server.start(&error);
        qunsetenv("FLASHSALE_WS_PING_MS");
        QVERIFY2(started, qPrintable(error));

        // A raw TCP client that completes the handshake and then never reads or answers again.
        QTcpSocket silent;
        silent.connectToHost(QHostAddress::LocalHost, quint16(QUrl(server.baseUrl()).port()));
        QVERIFY(silent.waitForConnected(5000));
        silent.write("GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QVERIFY(ApiClient::waitUntil([&] { return silent.peek(12).startsWith("HTTP/1.1 101"); }, 5000));
        auto alive = std::make_unique<Peer>();
        alive->open(server.baseUrl().replace(u"http://"_qs, u"ws://"_qs) + u"/api/v1/ws"_qs);
        QVERIFY(ApiClient::waitUntil([&] { return alive->connected; }, 5000));
        QCOMPARE(server.engine().stats().webSocketClients, 2);

        QVERIFY(ApiClient::waitUntil([&] { return silent.state() == QAbstractSocket::UnconnectedState; }, 5000));
        QVERIFY(ApiClient::waitUntil([&] { return server.engine().stats().webSocketClients == 1; }, 2000));
        // The live peer answers the pings: no disconnect over the next two ping rounds (300 ms
        // each), and it is still answered.
        QVERIFY(!QTest::qWaitFor([&] { return alive->disconnected; }, 700));
        alive->send({{u"op"_qs, u"watch"_qs}, {u"eventId"_qs, u"none"_qs}});
        QCOMPARE(alive->next(u"error"_qs, 0).value(u"error"_qs).toString(), u"not_found"_qs);
        alive.reset();
        server.stop();
    }

    void adminFeed_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("header") << QString() << QByteArray("Bearer test-token") << true;
        // The long-lived token never goes in a URL: ?token= is not read (POST …/ws-tickets instead).
        QTest::newRow("token in the query") << u"?token=test-token"_qs << QByteArray() << false;
        QTest::newRow("wrong header") << QString() << QByteArray("Bearer nope") << false;
        QTest::newRow("wrong query") << u"?token=nope"_qs << QByteArray() << false;
        QTest::newRow("none") << QString() << QByteArray() << false;
    }

    // The admin feed opened with a ticket from POST /api/v1/admin/ws-tickets: good once, only
    // with the admin token, never twice.
    void adminFeedWithTicket()
    {
        QCOMPARE(m_client->call("POST", u"/api/v1/admin/ws-tickets"_qs).status, 401);
        const ApiReply issued = m_client->admin("POST", u"/api/v1/admin/ws-tickets"_qs);
        QCOMPARE(issued.status, 201);
        const QString ticket = issued.json.value(u"ticket"_qs).toString();
        QVERIFY(ticket.size() >= 32);
        QVERIFY(issued.json.value(u"expiresInMs"_qs).toInt() > 0);

        Peer first;
        first.open(m_wsBase + u"/api/v1/admin/ws?ticket="_qs + ticket);
        QVERIFY(ApiClient::waitUntil([&] { return first.withOp(u"stats"_qs).size() >= 1; }, 5000));
        QVERIFY(!first.disconnected);

        Peer again;
        again.open(m_wsBase + u"/api/v1/admin/ws?ticket="_qs + ticket);
        QVERIFY(ApiClient::waitUntil([&] { return again.disconnected; }, 10000));
        QCOMPARE(int(again.socket->closeCode()), 1008);
        QCOMPARE(again.withOp(u"stats"_qs).size(), 0);

        Peer made;
        made.open(m_wsBase + u"/api/v1/admin/ws?ticket=not-a-ticket-anyone-issued-0123456789"_qs);
        QVERIFY(ApiClient::waitUntil([&] { return made.disconnected; }, 10000));
        QCOMPARE(int(made.socket->closeCode()), 1008);
    }

    // The admin feed: a stats snapshot with rates every 500 ms; a wrong token closes with 1008.
    void adminFeed()
    {
        QFETCH(QString, query);
        QFETCH(QByteArray, authorization);
        QFETCH(bool, accepted);
        Peer peer;
        peer.open(m_wsBase + u"/api/v1/admin/ws"_qs + query, authorization);
        if (!accepted) {
            QVERIFY(ApiClient::waitUntil([&] { return peer.disconnected; }, 10000));
            QCOMPARE(int(peer.socket->closeCode()), 1008);
            QCOMPARE(peer.withOp(u"stats"_qs).size(), 0);
            return;
        }
        QVERIFY(ApiClient::waitUntil([&] { return peer.withOp(u"stats"_qs).size() >= 4; }, 5000));
        QVERIFY(!peer.disconnected);
        const auto stats = peer.withOp(u"stats"_qs);
        const QJsonObject last = stats.last();
        for (const char *field : {"accepted", "decided", "won", "wonUnits", "lost", "queueDepth", "rejectedOverload",
                                  "commits", "storeFailing", "latencyMs", "events", "serverTime", "webSocketClients"})
            QVERIFY2(last.contains(QLatin1String(field)), field);
        QVERIFY(last.value(u"webSocketClients"_qs).toInteger() >= 1);
        QVERIFY(last.value(u"ratesPerSecond"_qs).toObject().contains(u"accepted"_qs));
        // The same numbers as GET /api/v1/admin/stats.
        const ApiReply http = m_client->admin("GET", u"/api/v1/admin/stats"_qs);
        QCOMPARE(last.value(u"accepted"_qs), http.json.value(u"accepted"_qs));
        QCOMPARE(last.value(u"events"_qs).toArray().size(), http.json.value(u"events"_qs).toArray().size());
        // Spaced about 500 ms apart (the first one comes on connect).
        const qint64 gap = peer.receivedAtMs.last() - peer.receivedAtMs[peer.receivedAtMs.size() - 2];
        QVERIFY2(gap >= 350 && gap <= 900, qPrintable(QString::number(gap)));
    }
};

QTEST_GUILESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
