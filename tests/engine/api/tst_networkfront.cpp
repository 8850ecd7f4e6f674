// The network front against raw sockets: every size limit, timeout, connection cap and HTTP or
// WebSocket conformance rule of the README's limits table, and HTTPS/WSS with a certificate
// made here with openssl.
#include "tests/support/crowdoptions.h"
#include "tests/support/apiclient.h"
#include "tests/support/rawhttp.h"

#include "engine/api/server.h"

#include <QFile>
#include <QJsonArray>
#include <QLocale>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace flashsale;

namespace {

// Short timeouts so that the timeout tests take a second, not a minute.
HttpLimits quickLimits()
{
    HttpLimits limits;
    limits.headerTimeoutMs = 400;
    limits.bodyTimeoutMs = 400;
    limits.idleTimeoutMs = 600;
    limits.sendTimeoutMs = 500;
    return limits;
}

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

QByteArray purchaseRequest(const QByteArray &framing, const QByteArray &body)
{
    return "POST /api/v1/events/front-sale/purchases?wait=2000 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + framing + "\r\n" + body;
}

// Resident memory of this process (the node runs in it), in KiB.
// Under AddressSanitizer freed memory waits in its quarantine and the shadow grows with every
// allocation, so resident size says nothing about what the front keeps: the memory bounds are
// checked in the normal build (scripts/test.sh's ctest), the closing in both.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kResidentSizeMeaningful = false;
#elif defined(__has_feature)
constexpr bool kResidentSizeMeaningful = !__has_feature(address_sanitizer);
#else
constexpr bool kResidentSizeMeaningful = true;
#endif

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

} // namespace

class TestNetworkFront : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Server> m_server;
    quint16 m_port = 0;

    std::unique_ptr<Server> startServer(const HttpLimits &limits, const QString &dataDir, const TlsFiles &tls = {})
    {
        ServerOptions options = crowdNodeOptions();
        options.dataDir = dataDir;
        options.port = 0;
        options.adminToken = u"test-token"_qs;
        options.httpThreads = 1;
        options.httpLimits = limits;
        options.tls = tls;
        auto server = std::make_unique<Server>(options);
        QString error;
        if (!server->start(&error)) {
            qWarning("%s", qPrintable(error));
            return nullptr;
        }
        return server;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = startServer(quickLimits(), m_dir.path());
        QVERIFY(m_server);
        m_port = quint16(QUrl(m_server->baseUrl()).port());
        ApiClient client(m_server->baseUrl(), "test-token", 1);
        QVERIFY(client.openSale(u"front-sale"_qs, 1000, 1000));
    }

    void cleanupTestCase()
    {
        m_server->stop();
    }

    // Raw request bytes → the answer's status, and whether the server then closes.
    void conformance_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("closes");
        const QByteArray body = R"({"requestId":"r-1","userId":"u-1","quantity":1})";
        const QByteArray length = "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        QTest::newRow("GET") << get("/healthz") << 200 << false;
        QTest::newRow("unknown method") << QByteArray("BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << 501 << true;
        QTest::newRow("PROPFIND is not ours either") << QByteArray("PROPFIND /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << 501 << true;
        QTest::newRow("known method, wrong route") << QByteArray("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << 405 << false;
        QTest::newRow("HTTP/1.1 without Host") << QByteArray("GET /healthz HTTP/1.1\r\n\r\n") << 400 << true;
        QTest::newRow("HTTP/1.1 with two Hosts") << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << true;
        QTest::newRow("HTTP/1.0 closes") << QByteArray("GET /healthz HTTP/1.0\r\n\r\n") << 200 << true;
        QTest::newRow("HTTP/1.0 keep-alive") << QByteArray("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << 200 << false;
        QTest::newRow("HTTP/1.1 Connection: close") << get("/healthz", "Connection: close\r\n") << 200 << true;
        QTest::newRow("purchase") << purchaseRequest(length, body) << 200 << false;
        QTest::newRow("chunked purchase")
            << purchaseRequest("Transfer-Encoding: chunked\r\n",
                               QByteArray::number(body.size(), 16) + "\r\n" + QByteArray(body).replace("r-1", "r-2") + "\r\n0\r\n\r\n")
            << 200 << false;
        QTest::newRow("Content-Length -1") << purchaseRequest("Content-Length: -1\r\n", body) << 400 << true;
        QTest::newRow("Content-Length +5") << purchaseRequest("Content-Length: +5\r\n", body) << 400 << true;
        QTest::newRow("Content-Length 0x10") << purchaseRequest("Content-Length: 0x10\r\n", body) << 400 << true;
        QTest::newRow("Content-Length 2^64") << purchaseRequest("Content-Length: 18446744073709551616\r\n", body) << 400 << true;
        QTest::newRow("Content-Length 5, 5") << purchaseRequest("Content-Length: 5, 5\r\n", body) << 400 << true;
        QTest::newRow("Content-Length twice") << purchaseRequest(length + length, body) << 400 << true;
        QTest::newRow("Content-Length and chunked")
            << purchaseRequest(length + "Transfer-Encoding: chunked\r\n", body) << 400 << true;
        QTest::newRow("chunked and Content-Length")
            << purchaseRequest("Transfer-Encoding: chunked\r\n" + length, body) << 400 << true;
        QTest::newRow("xchunked") << purchaseRequest("Transfer-Encoding: xchunked\r\n", body) << 501 << true;
        QTest::newRow("gzip, chunked") << purchaseRequest("Transfer-Encoding: gzip, chunked\r\n", body) << 501 << true;
        QTest::newRow("body announced over 64 KiB")
            << purchaseRequest("Content-Length: 65537\r\n", {}) << 413 << true;
        QTest::newRow("chunked body over 64 KiB")
            << purchaseRequest("Transfer-Encoding: chunked\r\n", "10001\r\n" + QByteArray(0x10001, 'x') + "\r\n0\r\n\r\n")
            << 413 << true;
        QTest::newRow("headers over 16 KiB") << get("/healthz", "X-Pad: " + QByteArray(17 * 1024, 'a') + "\r\n") << 431 << true;
        QTest::newRow("URL over 16 KiB") << get("/" + QByteArray(17 * 1024, 'a')) << 431 << true;
        QTest::newRow("expectation other than 100-continue")
            << purchaseRequest(length + "Expect: teapot\r\n", body) << 417 << true;
        QTest::newRow("target not a path") << QByteArray("GET healthz HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << true;
    }

    void conformance()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(bool, closes);
        RawConnection conn(m_port);
        QVERIFY(conn.connected());
        conn.send(request);
        const RawAnswer answer = conn.read();
        QCOMPARE(answer.status, status);
        // Every answer: a Date, nosniff, and an error body naming the problem.
        QVERIFY(!answer.header("date").isEmpty());
        const QDateTime date = QLocale::c().toDateTime(QString::fromLatin1(answer.header("date")), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_qs);
        QVERIFY2(date.isValid(), answer.header("date").constData());
        QVERIFY(qAbs(date.secsTo(QDateTime::currentDateTimeUtc().toLocalTime())) < 60 * 60 * 24);
        QCOMPARE(answer.header("x-content-type-options"), QByteArray("nosniff"));
        if (status >= 400)
            QVERIFY2(!QJsonDocument::fromJson(answer.body).object().value(u"error"_qs).toString().isEmpty(), answer.body.constData());
        if (request.contains("HTTP/1.0"))
            QVERIFY(answer.statusLine.startsWith("HTTP/1.0 "));
        if (closes) {
            QVERIFY(conn.closedWithin(3000));
        } else {
            // Still open: a second request on it is answered.
            conn.send(get("/healthz"));
            QCOMPARE(conn.read().status, 200);
        }
    }

    // A request smuggled in the body of a CL+TE request never runs.
    void smuggledRequestNeverRuns()
    {
        const QByteArray hidden = get("/api/v1/admin/events", "Authorization: Bearer test-token\r\n");
        const QByteArray chunked = "0\r\n\r\n" + hidden;
        RawConnection conn(m_port);
        conn.send(purchaseRequest("Content-Length: " + QByteArray::number(chunked.size()) + "\r\nTransfer-Encoding: chunked\r\n",
                                  chunked));
        QCOMPARE(conn.read().status, 400);
        QVERIFY(conn.closedWithin(3000));
        RawConnection again(m_port);
        again.send(hidden); // the same bytes sent as a request of their own are answered: only the smuggled copy was dropped
        QCOMPARE(again.read().status, 200);
    }

    // HEAD answers like GET with the same Content-Length and no body.
    void headHasNoBody_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("health") << QByteArray("/healthz");
        QTest::newRow("event") << QByteArray("/api/v1/events/front-sale");
        QTest::newRow("shop script") << QByteArray("/shop/assets/shop.js");
        QTest::newRow("not found") << QByteArray("/nowhere");
    }

    void headHasNoBody()
    {
        QFETCH(QByteArray, path);
        RawConnection conn(m_port);
        conn.send(get(path));
        const RawAnswer full = conn.read();
        QVERIFY(full.status != 0);
        conn.send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        const RawAnswer head = conn.read(5000, true);
        QCOMPARE(head.status, full.status);
        QCOMPARE(head.header("content-length"), full.header("content-length"));
        QVERIFY(head.body.isEmpty());
        // Nothing follows the head: the next answer on the connection starts right after it.
        conn.send(get("/healthz"));
        QCOMPARE(conn.read().status, 200);
    }

    // Expect: 100-continue gets its interim answer before the body is sent.
    void continueBeforeBody()
    {
        const QByteArray body = R"({"requestId":"r-continue","userId":"u-continue","quantity":1})";
        RawConnection conn(m_port);
        conn.send(purchaseRequest("Content-Length: " + QByteArray::number(body.size()) + "\r\nExpect: 100-continue\r\n", {}));
        const RawAnswer interim = conn.read();
        QCOMPARE(interim.status, 100);
        conn.send(body);
        QCOMPARE(conn.read().status, 200);
    }

    // An oversized body is refused on its headers: 413 while the body is still unsent.
    void oversizedBodyRefusedBeforeItIsSent()
    {
        RawConnection conn(m_port);
        conn.send(purchaseRequest("Content-Length: 209715200\r\nExpect: 100-continue\r\n", {}));
        const RawAnswer answer = conn.read();
        QCOMPARE(answer.status, 413);
        QVERIFY(conn.closedWithin(3000));
    }

    // Pipelined requests are answered in order, a deferred one (a store job) included.
    void pipelinedAnswersKeepOrder()
    {
        RawConnection conn(m_port);
        conn.send(get("/api/v1/admin/events/front-sale/report", "Authorization: Bearer test-token\r\n") + get("/healthz")
                  + get("/nowhere") + get("/api/v1/events/front-sale"));
        const RawAnswer report = conn.read();
        QCOMPARE(report.status, 200);
        QCOMPARE(QJsonDocument::fromJson(report.body).object().value(u"eventId"_qs).toString(), u"front-sale"_qs);
        const RawAnswer health = conn.read();
        QCOMPARE(health.status, 200);
        QCOMPARE(QJsonDocument::fromJson(health.body).object().value(u"status"_qs).toString(), u"ok"_qs);
        QCOMPARE(conn.read().status, 404);
        const RawAnswer event = conn.read();
        QCOMPARE(event.status, 200);
        QCOMPARE(QJsonDocument::fromJson(event.body).object().value(u"id"_qs).toString(), u"front-sale"_qs);
    }

    // A long poll (?wait) holds back the answers pipelined behind it.
    void pipelinedWaitKeepsOrder()
    {
        const QByteArray body = R"({"requestId":"r-pipe","userId":"u-pipe","quantity":1})";
        RawConnection conn(m_port);
        conn.send("POST /api/v1/events/front-sale/purchases?wait=2000 HTTP/1.1\r\nHost: x\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body + get("/healthz"));
        const RawAnswer bought = conn.read();
        QCOMPARE(bought.status, 200);
        QCOMPARE(QJsonDocument::fromJson(bought.body).object().value(u"state"_qs).toString(), u"won"_qs);
        QCOMPARE(conn.read().status, 200);
    }

    // Error answers never echo what they refuse.
    void errorsDoNotEchoInput()
    {
        RawConnection conn(m_port);
        conn.send(get("/" + QByteArray(15 * 1024, 'u')));
        const RawAnswer answer = conn.read();
        QCOMPARE(answer.status, 404);
        QVERIFY2(answer.body.size() < 200, answer.body.constData());
    }

    // Each timeout closes the connection: silent, slow headers (one byte at a time), slow body, idle keep-alive.
    void timeouts_data()
    {
        QTest::addColumn<QByteArray>("start");
        QTest::addColumn<bool>("dribble"); // keep sending a byte every 100 ms
        QTest::newRow("silent") << QByteArray() << false;
        QTest::newRow("slow headers") << QByteArray("GET /healthz HTTP/1.1\r\n") << true;
        QTest::newRow("slow body") << purchaseRequest("Content-Length: 100\r\n", "{") << true;
        QTest::newRow("idle after an answer") << get("/healthz") << false;
    }

    void timeouts()
    {
        QFETCH(QByteArray, start);
        QFETCH(bool, dribble);
        RawConnection conn(m_port);
        conn.send(start);
        QElapsedTimer clock;
        clock.start();
        bool closed = false;
        // A byte every 100 ms keeps the connection busy but never completes the request.
        for (int i = 0; i < 40 && !closed; ++i) {
            if (dribble)
                conn.send("X");
            closed = conn.closedWithin(100);
        }
        QVERIFY(closed);
        // Closed by the header/body timeout (400 ms) or the idle one (600 ms), never much later.
        QVERIFY2(clock.elapsed() < 2500, qPrintable(QString::number(clock.elapsed())));
    }

    // A client that sends requests and never reads the answers is closed, not buffered for.
    void nonReadingClientIsClosed()
    {
        const qint64 before = residentKiB();
        RawConnection conn(m_port);
        conn.socket().setReadBufferSize(1024); // this side stops reading: the answers pile up in the server
        QByteArray requests;
        for (int i = 0; i < 20000; ++i)
            requests += get("/shop/assets/shop.js");
        conn.send(requests);
        QVERIFY(QTest::qWaitFor([&] {
            conn.socket().waitForBytesWritten(50);
            return conn.socket().state() != QAbstractSocket::ConnectedState
                || conn.socket().error() == QAbstractSocket::RemoteHostClosedError;
        }, 10000) || conn.closedWithin(5000));
        const qint64 grownKiB = residentKiB() - before;
        if (kResidentSizeMeaningful)
            QVERIFY2(grownKiB < 64 * 1024, qPrintable(QString::number(grownKiB)));
    }

    // Past the per-address cap a connection gets 503 and is closed; a free slot is usable again.
    void perAddressCap()
    {
        QTemporaryDir dir;
        HttpLimits limits = quickLimits();
        limits.idleTimeoutMs = 10'000;
        limits.maxConnectionsPerAddress = 3;
        limits.capLoopbackPeers = true;
        auto server = startServer(limits, dir.path());
        QVERIFY(server);
        const quint16 port = quint16(QUrl(server->baseUrl()).port());
        std::vector<std::unique_ptr<RawConnection>> open;
        for (int i = 0; i < 3; ++i) {
            open.push_back(std::make_unique<RawConnection>(port));
            open.back()->send(get("/healthz"));
            QCOMPARE(open.back()->read().status, 200);
        }
        RawConnection refused(port);
        const RawAnswer answer = refused.read();
        QCOMPARE(answer.status, 503);
        QCOMPARE(QJsonDocument::fromJson(answer.body).object().value(u"error"_qs).toString(), u"at_capacity"_qs);
        QVERIFY(refused.closedWithin(3000));
        open.pop_back(); // its slot is freed when the server sees the close
        QVERIFY(QTest::qWaitFor([&] {
            RawConnection next(port);
            next.send(get("/healthz"));
            return next.read(1000).status == 200;
        }, 5000));
        server->stop();
    }

    // With all but the staff reserve taken, shoppers get 503 while /healthz and the admin API answer.
    void staffReserveKeepsHealthAndAdmin()
    {
        QTemporaryDir dir;
        HttpLimits limits = quickLimits();
        limits.idleTimeoutMs = 10'000;
        limits.maxConnections = 6;
        limits.staffReserve = 3;
        auto server = startServer(limits, dir.path());
        QVERIFY(server);
        const quint16 port = quint16(QUrl(server->baseUrl()).port());
        std::vector<std::unique_ptr<RawConnection>> crowd;
        for (int i = 0; i < 3; ++i) {
            crowd.push_back(std::make_unique<RawConnection>(port));
            crowd.back()->send(get("/api/v1/events/none"));
            QCOMPARE(crowd.back()->read().status, 404);
        }
        RawConnection shopper(port);
        shopper.send(get("/api/v1/events/none"));
        const RawAnswer refused = shopper.read();
        QCOMPARE(refused.status, 503);
        QCOMPARE(QJsonDocument::fromJson(refused.body).object().value(u"error"_qs).toString(), u"at_capacity"_qs);
        // The refused shopper keeps its connection (it may still reach /healthz on it).
        shopper.send(get("/healthz"));
        QCOMPARE(shopper.read().status, 200);
        RawConnection health(port);
        health.send(get("/healthz"));
        QCOMPARE(health.read().status, 200);
        RawConnection staff(port);
        staff.send(get("/api/v1/admin/stats", "Authorization: Bearer test-token\r\n"));
        QCOMPARE(staff.read().status, 200);
        // Past the total (six): refused at once, before any request.
        RawConnection over(port);
        QCOMPARE(over.read().status, 503);
        QVERIFY(over.closedWithin(3000));
        server->stop();
    }

    // WebSocket frames that break RFC 6455 or the UTF-8 rule close with the code that says why.
    void webSocketCloseCodes_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<int>("closeCode");
        QTest::newRow("unmasked") << webSocketFrame(1, R"({"op":"watch","eventId":"front-sale"})", false) << 1002;
        QTest::newRow("invalid UTF-8") << webSocketFrame(1, QByteArray("{\"op\":\"\xc3\x28\"}")) << 1007;
        QTest::newRow("over 64 KiB") << webSocketFrame(1, QByteArray(64 * 1024 + 1, ' ')) << 1009;
        QTest::newRow("reserved opcode") << webSocketFrame(3, "x") << 1002;
    }

    void webSocketCloseCodes()
    {
        QFETCH(QByteArray, frame);
        QFETCH(int, closeCode);
        RawConnection conn(m_port);
        conn.send(webSocketUpgrade());
        const RawAnswer upgraded = conn.read();
        QCOMPARE(upgraded.status, 101);
        QCOMPARE(upgraded.header("x-content-type-options"), QByteArray("nosniff"));
        conn.send(frame);
        const RawFrame answer = readFrame(conn);
        QCOMPARE(answer.opcode, 8);
        QCOMPARE(answer.closeCode(), closeCode);
    }

    // A WebSocket error answer echoes at most a short piece of the input.
    void webSocketErrorsDoNotEchoInput()
    {
        RawConnection conn(m_port);
        conn.send(webSocketUpgrade());
        QCOMPARE(conn.read().status, 101);
        const QByteArray longOp(60 * 1024, 'o');
        conn.send(webSocketFrame(1, R"({"op":")" + longOp + R"("})"));
        const RawFrame answer = readFrame(conn);
        QCOMPARE(answer.opcode, 1);
        QVERIFY2(answer.payload.size() < 400, qPrintable(QString::number(answer.payload.size())));
        QCOMPARE(QJsonDocument::fromJson(answer.payload).object().value(u"error"_qs).toString(), u"unknown_op"_qs);
    }

    // A WebSocket peer that sends and never reads is closed once its answers pass the queue cap.
    void webSocketNonReaderIsClosed()
    {
        const qint64 before = residentKiB();
        RawConnection conn(m_port);
        conn.send(webSocketUpgrade());
        QCOMPARE(conn.read().status, 101);
        conn.socket().setReadBufferSize(1024);
        QByteArray frames;
        const QByteArray bad = webSocketFrame(1, "x"); // each answered with a ~90-byte error
        for (int i = 0; i < 200'000; ++i)
            frames += bad;
        conn.send(frames);
        QVERIFY(QTest::qWaitFor([&] {
            conn.socket().waitForBytesWritten(50);
            return conn.socket().state() != QAbstractSocket::ConnectedState
                || conn.socket().error() == QAbstractSocket::RemoteHostClosedError;
        }, 15000) || conn.closedWithin(5000));
        const qint64 grownKiB = residentKiB() - before;
        if (kResidentSizeMeaningful)
            QVERIFY2(grownKiB < 64 * 1024, qPrintable(QString::number(grownKiB)));
    }

    // HTTPS and WSS on the same port as plain HTTP, with a self-signed certificate made here.
    void tlsOnTheSamePort()
    {
        const QString openssl = QStandardPaths::findExecutable(u"openssl"_qs);
        QVERIFY2(!openssl.isEmpty(), "openssl (scripts/install-deps.sh) makes the test certificate");
        QTemporaryDir dir;
        const QString cert = dir.filePath(u"cert.pem"_qs);
        const QString key = dir.filePath(u"key.pem"_qs);
        QProcess make;
        make.start(openssl, {u"req"_qs, u"-x509"_qs, u"-newkey"_qs, u"rsa:2048"_qs, u"-nodes"_qs, u"-days"_qs, u"1"_qs,
                             u"-subj"_qs, u"/CN=localhost"_qs, u"-addext"_qs, u"subjectAltName=IP:127.0.0.1,DNS:localhost"_qs,
                             u"-keyout"_qs, key, u"-out"_qs, cert});
        QVERIFY(make.waitForFinished(30000));
        QCOMPARE(make.exitCode(), 0);

        TlsFiles tls;
        tls.certificateChainFile = cert;
        tls.privateKeyFile = key;
        auto server = startServer(quickLimits(), dir.filePath(u"data"_qs), tls);
        QVERIFY(server);
        QVERIFY(server->baseUrl().startsWith(u"https://"_qs));
        const quint16 port = quint16(QUrl(server->baseUrl()).port());

        QSslConfiguration trust = QSslConfiguration::defaultConfiguration();
        trust.setCaCertificates(QSslCertificate::fromPath(cert));
        // HTTPS: TLS 1.2 or newer is negotiated, and answers as over plain HTTP.
        auto secure = std::make_unique<QSslSocket>();
        secure->setSslConfiguration(trust);
        secure->connectToHostEncrypted(u"127.0.0.1"_qs, port);
        QVERIFY2(secure->waitForEncrypted(10000), qPrintable(secure->errorString()));
        QVERIFY(secure->sessionProtocol() == QSsl::TlsV1_2 || secure->sessionProtocol() == QSsl::TlsV1_3);
        secure->write(get("/healthz"));
        RawConnection https(std::move(secure));
        const RawAnswer answer = https.read();
        QCOMPARE(answer.status, 200);
        QCOMPARE(QJsonDocument::fromJson(answer.body).object().value(u"status"_qs).toString(), u"ok"_qs);

        // TLS 1.2 is taken, TLS 1.1 refused (the client allows it here at security level 0).
        const auto handshake = [&](const QString &version) {
            QProcess client;
            client.start(openssl, {u"s_client"_qs, u"-connect"_qs, QStringLiteral("127.0.0.1:%1").arg(port), version,
                                   u"-cipher"_qs, u"DEFAULT:@SECLEVEL=0"_qs, u"-CAfile"_qs, cert});
            client.closeWriteChannel();
            if (!client.waitForFinished(15000))
                return -1;
            return client.exitCode();
        };
        QCOMPARE(handshake(u"-tls1_2"_qs), 0);
        QVERIFY(handshake(u"-tls1_1"_qs) != 0);

        // Plain HTTP still answers on the same port.
        RawConnection plain(port);
        plain.send(get("/healthz"));
        QCOMPARE(plain.read().status, 200);

        // WSS: the admin feed over TLS with the token in the header.
        QWebSocket ws;
        ws.setSslConfiguration(trust);
        QList<QByteArray> messages;
        QObject::connect(&ws, &QWebSocket::textMessageReceived, &ws, [&](const QString &text) { messages.append(text.toUtf8()); });
        QNetworkRequest request(QUrl(QStringLiteral("wss://127.0.0.1:%1/api/v1/admin/ws").arg(port)));
        request.setRawHeader("Authorization", "Bearer test-token");
        ws.open(request);
        QVERIFY(ApiClient::waitUntil([&] { return !messages.isEmpty(); }, 10000));
        QCOMPARE(QJsonDocument::fromJson(messages.first()).object().value(u"op"_qs).toString(), u"stats"_qs);
        ws.close();
        server->stop();
    }
};

QTEST_GUILESS_MAIN(TestNetworkFront)
#include "tst_networkfront.moc"
