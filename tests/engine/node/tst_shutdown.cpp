// SIGTERM under load: ~1,000 purchases in flight against the real flashsale binary, then a
// clean stop. Every client gets a decided 200 or a 503, and the journal holds what was said.
#include "tests/support/engineprocess.h"
#include "tests/support/sqlcheck.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <QTest>

#include <functional>
#include <memory>
#include <vector>

namespace {

// One purchase on a connection of its own (Connection: close), so the test knows for each
// request whether it connected and what, if anything, came back. Thread: the test's thread.
class OneShotPurchase
{
public:
    // onDone runs once the exchange is over, answered or not.
    OneShotPurchase(quint16 port, const QString &path, const QByteArray &json, std::function<void()> onDone)
        : m_onDone(std::move(onDone))
    {
        const QByteArray request = "POST " + path.toLatin1() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + QByteArray::number(json.size())
            + "\r\n\r\n" + json;
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket, [this, request] {
            m_connected = true;
            m_socket.write(request);
        });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { m_response += m_socket.readAll(); });
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &m_socket, [this] { finish(); });
        QObject::connect(&m_socket, &QTcpSocket::errorOccurred, &m_socket, [this](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::RemoteHostClosedError || m_socket.state() == QAbstractSocket::UnconnectedState)
                finish();
        });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }

    bool connected() const { return m_connected; }
    int status() const { return m_status; } // 0: no HTTP answer
    const QJsonObject &json() const { return m_json; }
    bool hasRetryAfter() const { return m_response.contains("\r\nRetry-After: 1\r\n"); }

private:
    void finish()
    {
        if (m_done)
            return;
        m_done = true;
        m_response += m_socket.readAll();
        const qsizetype headerEnd = m_response.indexOf("\r\n\r\n");
        if (m_response.startsWith("HTTP/1.1 ") && headerEnd > 0) {
            m_status = m_response.mid(9, 3).toInt();
            m_json = QJsonDocument::fromJson(m_response.mid(headerEnd + 4)).object();
        }
        if (m_onDone)
            m_onDone();
    }

    std::function<void()> m_onDone;
    QTcpSocket m_socket;
    QByteArray m_response;
    QJsonObject m_json;
    int m_status = 0;
    bool m_connected = false;
    bool m_done = false;
};

} // namespace

class TestShutdown : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sigtermUnderLoad_data()
    {
        QTest::addColumn<bool>("storeBusy");
        // 1,000 requests arrive while the store's write lock is held, so all of them are in
        // flight, undecided, when SIGTERM comes; the lock is released during the drain.
        QTest::newRow("all in flight") << true;
        // 1,000 clients keep buying (each starts a new request when its last one ends, up to
        // 6,000) while the engine runs freely; SIGTERM comes once 1,000 have been answered,
        // and the clients go on through the drain and the exit.
        QTest::newRow("closed loop") << false;
    }

    void sigtermUnderLoad()
    {
        QFETCH(bool, storeBusy);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EngineProcess engine(dir.path(), "shutdown-token");
        ApiClient client(engine.baseUrl(), "shutdown-token", 2);
        QVERIFY(engine.start(client));
        const int stock = 400;
        QVERIFY(client.openSale(u"drain"_qs, stock));
        const quint16 port = engine.port();

        auto lock = storeBusy ? std::make_unique<SqliteWriteLock>(engine.dbPath()) : nullptr;
        QVERIFY(!lock || lock->isHeld());
        const int concurrent = 1000;
        const int budget = storeBusy ? concurrent : 6000;
        int finished = 0;
        std::vector<std::unique_ptr<OneShotPurchase>> purchases;
        purchases.reserve(budget);
        std::function<void()> startOne = [&] {
            const int i = int(purchases.size());
            const QString path = u"/api/v1/events/drain/purchases"_qs + (i % 2 ? u"?wait=3000"_qs : QString());
            purchases.push_back(std::make_unique<OneShotPurchase>(
                port, path, purchaseBody(u"r-"_qs + QString::number(i), u"u"_qs + QString::number(i % 700)), [&] {
                    ++finished;
                    // Started from the event loop, not from inside the finishing socket's signal.
                    if (int(purchases.size()) < budget && engine.process().state() == QProcess::Running)
                        QMetaObject::invokeMethod(qApp, startOne, Qt::QueuedConnection);
                }));
        };
        for (int i = 0; i < concurrent; ++i)
            startOne();
        if (storeBusy) {
            // Every request accepted and waiting on the commit.
            QVERIFY(ApiClient::waitUntil([&] {
                return client.admin("GET", u"/api/v1/admin/stats"_qs).json.value(u"accepted"_qs).toInteger() == concurrent;
            }, 30000));
            QCOMPARE(finished, 0);
        } else {
            QVERIFY(ApiClient::waitUntil([&] { return finished >= concurrent; }, 30000));
        }
        engine.sendSignal(SIGTERM);
        const qsizetype startedBeforeSigterm = qsizetype(purchases.size());

        if (storeBusy) {
            // The drain cannot finish while the lock is held: new purchases are refused, and
            // /healthz says why.
            ApiReply health;
            QVERIFY(ApiClient::waitUntil([&] {
                health = client.call("GET", u"/healthz"_qs);
                return health.status == 503;
            }, 10000));
            QVERIFY2(health.json.value(u"reason"_qs).toString().contains(u"shutting down"_qs), health.body.constData());
            const ApiReply refused = client.call("POST", u"/api/v1/events/drain/purchases"_qs,
                                                 purchaseBody(u"late"_qs, u"late"_qs));
            QCOMPARE(refused.status, 503);
            QCOMPARE(refused.json.value(u"error"_qs).toString(), u"unavailable"_qs);
            QCOMPARE(refused.header("Retry-After"), QByteArray("1"));
            lock->release();
        }
        QVERIFY(engine.waitForExit(60000));
        QCOMPARE(engine.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(engine.process().exitCode(), 0);
        QVERIFY(ApiClient::waitUntil([&] { return finished == int(purchases.size()); }, 10000));
        qInfo("%lld requests started before SIGTERM, %lld after", qlonglong(startedBeforeSigterm),
              qlonglong(purchases.size() - startedBeforeSigterm));

        // Every client got a decided 200, a 503 to retry, or no HTTP answer at all; the last
        // only when the engine never read its request (see the journal check below).
        const QString dbPath = engine.dbPath();
        const QHash<QString, JournalEntry> journal = journalByRequest(dbPath, u"drain"_qs);
        int decided = 0, unavailable = 0, refused = 0, unread = 0;
        for (std::size_t i = 0; i < purchases.size(); ++i) {
            const OneShotPurchase &p = *purchases[i];
            const QString requestId = u"r-"_qs + QString::number(i);
            const QString state = p.json().value(u"state"_qs).toString();
            if (p.status() == 200 && (state == u"won" || state == u"lost")) {
                ++decided;
                const JournalEntry entry = journal.value(requestId);
                QCOMPARE(entry.ticket, p.json().value(u"ticket"_qs).toString());
                QCOMPARE(entry.state, state);
                QCOMPARE(entry.orderId, p.json().value(u"orderId"_qs).toInteger());
            } else if (p.status() == 503 && p.json().value(u"error"_qs) == u"unavailable"_qs && p.hasRetryAfter()) {
                ++unavailable;
            } else if (p.status() == 0) {
                // Refused once the listener had closed, or reset from the kernel's accept queue
                // when it closed: the engine never read the request, so it cannot have decided it.
                QVERIFY2(!journal.contains(requestId), qPrintable(requestId + u" was decided but its client never heard"_qs));
                ++(p.connected() ? unread : refused);
            } else {
                QFAIL(qPrintable(QStringLiteral("%1 got %2: %3").arg(requestId).arg(p.status())
                                     .arg(QString::fromUtf8(QJsonDocument(p.json()).toJson(QJsonDocument::Compact)))));
            }
        }
        qInfo("%d decided, %d answered 503, %d refused, %d reset unread", decided, unavailable, refused, unread);
        QVERIFY(decided >= (storeBusy ? 1 : concurrent));
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM requests WHERE state NOT IN ('won', 'lost')"_qs), 0);
        if (storeBusy) {
            // Every request was read before SIGTERM: every one was answered, and every one was
            // decided and committed before the exit (a 503 only if the grace ran out first).
            QCOMPARE(refused + unread, 0);
            QCOMPARE(journal.size(), concurrent);
        }

        // After a restart the API tells the same; remaining = stock - won units.
        QVERIFY(engine.start(client));
        for (const auto &p : purchases) {
            if (p->status() != 200)
                continue;
            const ApiReply r = client.call("GET", u"/api/v1/tickets/"_qs + p->json().value(u"ticket"_qs).toString());
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json.value(u"state"_qs), p->json().value(u"state"_qs));
            QCOMPARE(r.json.value(u"orderId"_qs).toInteger(), p->json().value(u"orderId"_qs).toInteger());
        }
        const std::int64_t wonUnits = sqlScalar(dbPath, u"SELECT COALESCE(SUM(quantity), 0) FROM orders"_qs);
        QCOMPARE(client.call("GET", u"/api/v1/events/drain"_qs).json.value(u"remaining"_qs).toInteger(), stock - wonUnits);
        engine.sendSignal(SIGTERM);
        QVERIFY(engine.waitForExit(30000));
    }
};

QTEST_GUILESS_MAIN(TestShutdown)
#include "tst_shutdown.moc"
