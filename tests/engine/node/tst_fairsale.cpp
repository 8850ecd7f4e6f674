// Fair-sale and privacy guarantees of the real flashsale binary on loopback: ticket tags cannot
// be predicted from one's own tickets; a requestId belongs to the user who first sent it (also
// after a restart, and on the WebSocket); the data dir is private whatever the umask; the admin
// token can come from a file instead of the command line; drafts, a scheduled event's stock and
// /metrics are staff-only; user ids that differ only in case, width or surrounding spaces share
// one per-user limit, also after a restart, and ids with control characters are refused.
#include "tests/support/engineprocess.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QWebSocket>

#include <QTest>

#include <array>
#include <optional>
#include <random>

#include <sys/stat.h>

namespace {

// Rebuilds a std::mt19937 from 624 consecutive 32-bit outputs and predicts the ones after them.
class Mt19937Predictor
{
public:
    explicit Mt19937Predictor(const std::uint32_t *outputs)
    {
        for (std::size_t i = 0; i < kN; ++i)
            m_state[i] = untemper(outputs[i]);
    }

    std::uint32_t next()
    {
        if (m_index == kN)
            twist();
        return temper(m_state[m_index++]);
    }

private:
    static constexpr std::size_t kN = 624;
    static constexpr std::size_t kM = 397;

    static std::uint32_t temper(std::uint32_t y)
    {
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        return y ^ (y >> 18);
    }

    // Inverts temper, one shift-xor step at a time.
    static std::uint32_t untemper(std::uint32_t y)
    {
        y ^= y >> 18;
        y ^= (y << 15) & 0xefc60000u;
        std::uint32_t x = y;
        for (int i = 0; i < 5; ++i)
            x = y ^ ((x << 7) & 0x9d2c5680u);
        y = x;
        x = y;
        for (int i = 0; i < 3; ++i)
            x = y ^ (x >> 11);
        return x;
    }

    void twist()
    {
        for (std::size_t i = 0; i < kN; ++i) {
            const std::uint32_t y = (m_state[i] & 0x80000000u) | (m_state[(i + 1) % kN] & 0x7fffffffu);
            m_state[i] = m_state[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        m_index = 0;
    }

    std::array<std::uint32_t, kN> m_state{};
    std::size_t m_index = kN;
};

// How many of words[624…] the predictor built from words[0…623] gets right.
int correctPredictions(const std::vector<std::uint32_t> &words)
{
    Mt19937Predictor predictor(words.data());
    int correct = 0;
    for (std::size_t i = 624; i < words.size(); ++i)
        correct += predictor.next() == words[i] ? 1 : 0;
    return correct;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The permission bits of path, or -1 when it does not exist.
int modeOf(const QString &path)
{
    struct stat info {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

// A WebSocket shopper connection to a node, collecting every message it receives.
class WsShopper : public QObject
{
public:
    explicit WsShopper(const QString &baseUrl)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { messages.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
        m_socket.open(QUrl(QString(baseUrl).replace(u"http:"_qs, u"ws:"_qs) + u"/api/v1/ws"_qs));
    }
    bool waitConnected()
    {
        return ApiClient::waitUntil([&] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 10000);
    }
    void send(const QJsonObject &message) { m_socket.sendTextMessage(QString::fromUtf8(compact(message))); }

    QList<QJsonObject> messages;

private:
    QWebSocket m_socket;
};

// Sets the process's umask for its lifetime (children started meanwhile inherit it).
class ScopedUmask
{
public:
    explicit ScopedUmask(mode_t mask) : m_saved(::umask(mask)) {}
    ~ScopedUmask() { ::umask(m_saved); }

private:
    mode_t m_saved;
};

} // namespace

class TestFairSale : public QObject
{
    Q_OBJECT
private:
    static constexpr int kOwnTickets = 1000;

    void createOpenEvent(ApiClient &client, const QString &id, int stock, int perUserLimit)
    {
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, id}, {u"name"_qs, id}, {u"priceCents"_qs, 100}, {u"stock"_qs, stock},
                               {u"perUserLimit"_qs, perUserLimit}})
                     .status,
                 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/"_qs + id + u"/open"_qs).status, 200);
    }

private Q_SLOTS:
    // The attack itself works: 624 outputs of a Mersenne Twister give away every later one.
    void predictorBreaksAMersenneTwister()
    {
        std::mt19937 generator(20261130u);
        std::vector<std::uint32_t> words(1000);
        for (std::uint32_t &word : words)
            word = generator();
        QCOMPARE(correctPredictions(words), 1000 - 624);
    }

    // 1,000 of one's own tickets do not reveal the next ones; tags use all 64 bits.
    void ticketTagsCannotBePredicted()
    {
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "fair-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        createOpenEvent(client, u"predict"_qs, 10, 1);
        std::vector<std::uint64_t> tags;
        for (int i = 0; i < kOwnTickets; ++i) {
            const ApiReply reply = client.call("POST", u"/api/v1/events/predict/purchases"_qs,
                                               purchaseBody(u"p-"_qs + QString::number(i), u"mallory"_qs));
            QCOMPARE(reply.status, 200);
            const QString ticket = reply.json.value(u"ticket"_qs).toString();
            const qsizetype dash = ticket.indexOf(u'-');
            bool ok = false;
            tags.push_back(ticket.mid(dash + 1).toULongLong(&ok, 16));
            QVERIFY2(ok && dash > 0, qPrintable(ticket));
        }
        // Each of the 64 bits is set in about half of the tags (binomial: 6 standard deviations).
        for (int bit = 0; bit < 64; ++bit) {
            const auto set = std::count_if(tags.begin(), tags.end(), [&](std::uint64_t t) { return (t >> bit) & 1u; });
            QVERIFY2(set > 400 && set < 600, qPrintable(u"bit %1 set in %2 of 1000 tags"_qs.arg(bit).arg(set)));
        }
        // The tags read as one 32-bit generator stream in each plausible order: low words only
        // (32-bit tags), or low+high / high+low halves (64-bit tags from two outputs).
        std::vector<std::uint32_t> low, lowHigh, highLow;
        for (std::uint64_t tag : tags) {
            low.push_back(std::uint32_t(tag));
            lowHigh.insert(lowHigh.end(), {std::uint32_t(tag), std::uint32_t(tag >> 32)});
            highLow.insert(highLow.end(), {std::uint32_t(tag >> 32), std::uint32_t(tag)});
        }
        // A chance hit has probability 2^-32 per word: a single one is already beyond flaking.
        QCOMPARE(correctPredictions(low), 0);
        QCOMPARE(correctPredictions(lowHigh), 0);
        QCOMPARE(correctPredictions(highLow), 0);
    }

    // The same (event, requestId) from another user is refused 409, before and after a
    // restart and on the WebSocket; its owner still gets the ticket.
    void aRequestIdBelongsToItsUser()
    {
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "fair-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        createOpenEvent(client, u"bound"_qs, 10, 2);
        const QString path = u"/api/v1/events/bound/purchases?wait=5000"_qs;
        const ApiReply alice = client.call("POST", path, purchaseBody(u"shared-id"_qs, u"alice"_qs));
        QCOMPARE(alice.status, 200);
        QCOMPARE(alice.json.value(u"state"_qs).toString(), u"won"_qs);
        const QString ticket = alice.json.value(u"ticket"_qs).toString();

        const auto expectConflict = [&](const ApiReply &reply) {
            QCOMPARE(reply.status, 409);
            QCOMPARE(reply.json.value(u"error"_qs).toString(), u"idempotency_conflict"_qs);
            QVERIFY(!reply.json.contains(u"ticket"_qs));
            QVERIFY(!reply.body.contains(ticket.toUtf8()));
        };
        expectConflict(client.call("POST", path, purchaseBody(u"shared-id"_qs, u"mallory"_qs)));
        QCOMPARE(client.call("POST", path, purchaseBody(u"shared-id"_qs, u"alice"_qs)).json.value(u"ticket"_qs).toString(), ticket);

        QVERIFY(node.stop());
        QVERIFY(node.start());
        expectConflict(client.call("POST", path, purchaseBody(u"shared-id"_qs, u"mallory"_qs)));
        const ApiReply again = client.call("POST", path, purchaseBody(u"shared-id"_qs, u"alice"_qs));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json.value(u"ticket"_qs).toString(), ticket);

        WsShopper shopper(node.baseUrl());
        QVERIFY(shopper.waitConnected());
        shopper.send({{u"op"_qs, u"purchase"_qs}, {u"eventId"_qs, u"bound"_qs}, {u"requestId"_qs, u"shared-id"_qs},
                      {u"userId"_qs, u"mallory"_qs}, {u"quantity"_qs, 1}});
        const QList<QJsonObject> &messages = shopper.messages;
        QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), 10000);
        QCOMPARE(messages.first().value(u"op"_qs).toString(), u"error"_qs);
        QCOMPARE(messages.first().value(u"error"_qs).toString(), u"idempotency_conflict"_qs);
        QCOMPARE(messages.first().value(u"requestId"_qs).toString(), u"shared-id"_qs);
        QVERIFY(!messages.first().contains(u"ticket"_qs));
    }

    // With umask 022 the data dir is still 0700 and the database, its WAL and SHM, and the
    // generated admin token 0600.
    void dataDirIsPrivateWhateverTheUmask()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"data"_qs);
        const ScopedUmask umask022(022);
        EngineProcess node(dataDir, QByteArray());
        node.passTokenArgument = false;
        QVERIFY(node.start());
        QCOMPARE(modeOf(dataDir), 0700);
        for (const QString &file : {u"flashsale.sqlite"_qs, u"flashsale.sqlite-wal"_qs, u"flashsale.sqlite-shm"_qs, u"admin-token"_qs})
            QVERIFY2(modeOf(dataDir + u'/' + file) == 0600,
                     qPrintable(u"%1 has mode %2"_qs.arg(file).arg(modeOf(dataDir + u'/' + file), 0, 8)));
    }

    // --admin-token-file: the node uses the file's token (not a generated one); a file it
    // cannot read stops it with a message naming the file.
    void adminTokenComesFromAFile()
    {
        QTemporaryDir dir;
        QFile tokenFile(dir.filePath(u"token"_qs));
        QVERIFY(tokenFile.open(QIODevice::WriteOnly));
        tokenFile.write("from-a-file-7f3a\n");
        tokenFile.close();
        EngineProcess node(dir.filePath(u"data"_qs), "from-a-file-7f3a");
        node.passTokenArgument = false;
        node.extraArguments = {u"--admin-token-file"_qs, tokenFile.fileName()};
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        QCOMPARE(client.admin("GET", u"/api/v1/admin/events"_qs).status, 200);
        ApiClient guesser(node.baseUrl(), "from-a-file-7f3b", 1);
        QCOMPARE(guesser.admin("GET", u"/api/v1/admin/events"_qs).status, 401);
        QVERIFY(node.stop());

        const QString missing = dir.filePath(u"no-such-token"_qs);
        const CommandRun run = runFlashsale({u"--headless"_qs, u"--data-dir"_qs, dir.filePath(u"data"_qs),
                                             u"--admin-token-file"_qs, missing});
        QVERIFY(run.finished);
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.standardError.contains(missing.toUtf8()), run.standardError.constData());
    }

    // A draft answers shoppers exactly as an unknown event does, over HTTP and WebSocket.
    void draftsCannotBeProbed()
    {
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "fair-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, u"secret-a"_qs}, {u"name"_qs, u"Unannounced phone"_qs}, {u"priceCents"_qs, 99900},
                               {u"stock"_qs, 7}})
                     .status,
                 201);
        const auto sameAsUnknown = [&](const QByteArray &method, const QString &pathA, const QByteArray &body) {
            const ApiReply draft = client.call(method, pathA, body);
            const ApiReply unknown = client.call(method, QString(pathA).replace(u"secret-a"_qs, u"secret-b"_qs), body);
            QCOMPARE(draft.status, 404);
            QCOMPARE(unknown.status, 404);
            QCOMPARE(QString::fromUtf8(draft.body).replace(u"secret-a"_qs, u"secret-b"_qs), QString::fromUtf8(unknown.body));
            QVERIFY(!draft.body.contains("Unannounced"));
        };
        sameAsUnknown("GET", u"/api/v1/events/secret-a"_qs, {});
        sameAsUnknown("POST", u"/api/v1/events/secret-a/purchases"_qs, purchaseBody(u"r1"_qs, u"u1"_qs));
        QCOMPARE(client.admin("GET", u"/api/v1/admin/events/secret-a/intents"_qs).json.value(u"items"_qs).toArray().size(), 0);

        WsShopper shopper(node.baseUrl());
        QVERIFY(shopper.waitConnected());
        for (const QString &id : {u"secret-a"_qs, u"secret-b"_qs}) {
            shopper.send({{u"op"_qs, u"watch"_qs}, {u"eventId"_qs, id}});
            shopper.send({{u"op"_qs, u"purchase"_qs}, {u"eventId"_qs, id}, {u"requestId"_qs, u"r2"_qs}, {u"userId"_qs, u"u2"_qs},
                          {u"quantity"_qs, 1}});
        }
        QTRY_COMPARE_WITH_TIMEOUT(shopper.messages.size(), 4, 10000);
        for (int i = 0; i < 2; ++i) {
            QJsonObject draft = shopper.messages[i];
            QJsonObject unknown = shopper.messages[i + 2];
            QCOMPARE(draft.value(u"error"_qs).toString(), u"not_found"_qs);
            QCOMPARE(QString::fromUtf8(compact(draft)).replace(u"secret-a"_qs, u"secret-b"_qs), QString::fromUtf8(compact(unknown)));
        }
    }

    // Before startsAt shoppers see only the countdown's fields; at startsAt the rest, also
    // pushed to a WebSocket watcher.
    void scheduledEventShowsOnlyTheCountdown()
    {
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "fair-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        const QDateTime startsAt = QDateTime::currentDateTimeUtc().addSecs(3);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, u"soon"_qs}, {u"name"_qs, u"Soon"_qs}, {u"priceCents"_qs, 500}, {u"stock"_qs, 42},
                               {u"perUserLimit"_qs, 3}, {u"startsAt"_qs, startsAt.toString(Qt::ISODateWithMs)}})
                     .status,
                 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/soon/open"_qs).json.value(u"state"_qs).toString(), u"scheduled"_qs);
        const QStringList countdownFields{u"currency"_qs,  u"fairStartMs"_qs, u"id"_qs,    u"name"_qs,
                                          u"priceCents"_qs, u"serverTime"_qs,  u"shopperIdentity"_qs,
                                          u"startsAt"_qs, u"state"_qs};
        const ApiReply early = client.call("GET", u"/api/v1/events/soon"_qs);
        QCOMPARE(early.status, 200);
        QCOMPARE(early.json.keys(), countdownFields);
        QCOMPARE(client.admin("GET", u"/api/v1/admin/events/soon"_qs).json.value(u"stock"_qs).toInt(), 42);

        WsShopper shopper(node.baseUrl());
        QVERIFY(shopper.waitConnected());
        shopper.send({{u"op"_qs, u"watch"_qs}, {u"eventId"_qs, u"soon"_qs}});
        QTRY_VERIFY_WITH_TIMEOUT(!shopper.messages.isEmpty(), 10000);
        QCOMPARE(shopper.messages.first().value(u"op"_qs).toString(), u"event"_qs);
        QVERIFY(!shopper.messages.first().contains(u"remaining"_qs));
        QVERIFY(!shopper.messages.first().contains(u"stock"_qs));

        QTRY_COMPARE_WITH_TIMEOUT(client.call("GET", u"/api/v1/events/soon"_qs).json.value(u"remaining"_qs).toInt(), 42, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(shopper.messages.last().value(u"remaining"_qs).toInt(), 42, 10000);
        QCOMPARE(shopper.messages.last().value(u"perUserLimit"_qs).toInt(), 3);
    }

    // /metrics lists every event id: 401 without the admin token unless --public-metrics.
    void metricsNeedTheTokenUnlessPublic_data()
    {
        QTest::addColumn<bool>("publicMetrics");
        QTest::newRow("default") << false;
        QTest::newRow("--public-metrics") << true;
    }
    void metricsNeedTheTokenUnlessPublic()
    {
        QFETCH(bool, publicMetrics);
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "fair-token");
        if (publicMetrics)
            node.extraArguments = {u"--public-metrics"_qs};
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, u"hidden-draft"_qs}, {u"name"_qs, u"x"_qs}, {u"priceCents"_qs, 1}, {u"stock"_qs, 1}})
                     .status,
                 201);
        const ApiReply anonymous = client.call("GET", u"/metrics"_qs);
        QCOMPARE(anonymous.status, publicMetrics ? 200 : 401);
        QCOMPARE(anonymous.body.contains("hidden-draft"), publicMetrics);
        if (!publicMetrics)
            QCOMPARE(anonymous.header("www-authenticate"), QByteArray("Bearer"));
        const ApiReply staff = client.call("GET", u"/metrics"_qs, {}, true);
        QCOMPARE(staff.status, 200);
        QVERIFY(staff.body.contains("flashsale_event_remaining_units{event=\"hidden-draft\"} 1"));
    }

    // Variants of "alice" are one shopper for the limit of 1, before and after a restart;
    // another user still buys.
    void userIdVariantsShareOneLimit_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::newRow("Alice") << u"Alice"_qs;
        QTest::newRow("ALICE") << u"ALICE"_qs;
        QTest::newRow("full width") << u"\uff41\uff4c\uff49\uff43\uff45"_qs; // ａｌｉｃｅ
        QTest::newRow("trailing space") << u"alice "_qs;
        QTest::newRow("leading ideographic space") << u"\u3000alice"_qs;
        QTest::newRow("same id") << u"alice"_qs;
    }
    void userIdVariantsShareOneLimit()
    {
        QFETCH(QString, variant);
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "fair-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        createOpenEvent(client, u"limit"_qs, 10, 1);
        const auto buy = [&](const QString &requestId, const QString &userId) {
            return client.call("POST", u"/api/v1/events/limit/purchases?wait=5000"_qs, purchaseBody(requestId, userId)).json;
        };
        QCOMPARE(buy(u"first"_qs, u"alice"_qs).value(u"state"_qs).toString(), u"won"_qs);
        for (const QString &round : {u"before-restart"_qs, u"after-restart"_qs}) {
            const QJsonObject again = buy(round, variant);
            QCOMPARE(again.value(u"state"_qs).toString(), u"lost"_qs);
            QCOMPARE(again.value(u"reason"_qs).toString(), u"limit_reached"_qs);
            if (round == u"before-restart") {
                QVERIFY(node.stop());
                QVERIFY(node.start());
            }
        }
        QCOMPARE(buy(u"bob"_qs, u"bob"_qs).value(u"state"_qs).toString(), u"won"_qs);
        // The id is kept as sent: the lead shows what the shop sent.
        const QJsonArray leads = client.admin("GET", u"/api/v1/admin/events/limit/intents"_qs).json.value(u"items"_qs).toArray();
        QCOMPARE(leads.size(), 1);
        QCOMPARE(leads[0].toObject().value(u"userId"_qs).toString(), variant);
    }

    // Ids with control or format characters are refused 400 naming the field, on HTTP and
    // WebSocket; nothing is recorded.
    void idsWithControlCharactersAreRefused_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("NUL in userId") << u"userId"_qs << QString(u"alice\u0000"_qs);
        QTest::newRow("newline in userId") << u"userId"_qs << u"alice\n"_qs;
        QTest::newRow("right-to-left override in userId") << u"userId"_qs << u"ali\u202Ece"_qs;
        QTest::newRow("zero-width space in userId") << u"userId"_qs << u"ali\u200Bce"_qs;
        QTest::newRow("blank userId") << u"userId"_qs << u" \u3000 "_qs;
        QTest::newRow("NUL in requestId") << u"requestId"_qs << QString(u"r\u00001"_qs);
    }
    void idsWithControlCharactersAreRefused()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QTemporaryDir dir;
        EngineProcess node(dir.path(), "fair-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        createOpenEvent(client, u"clean"_qs, 10, 1);
        QJsonObject body{{u"requestId"_qs, u"r1"_qs}, {u"userId"_qs, u"alice"_qs}, {u"quantity"_qs, 1}};
        body.insert(field, value);
        const ApiReply reply = client.call("POST", u"/api/v1/events/clean/purchases"_qs, compact(body));
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json.value(u"error"_qs).toString(), u"invalid_field"_qs);
        QVERIFY2(reply.json.value(u"message"_qs).toString().startsWith(field + u' '), reply.body.constData());

        WsShopper shopper(node.baseUrl());
        QVERIFY(shopper.waitConnected());
        body.insert(u"op"_qs, u"purchase"_qs);
        body.insert(u"eventId"_qs, u"clean"_qs);
        shopper.send(body);
        QTRY_VERIFY_WITH_TIMEOUT(!shopper.messages.isEmpty(), 10000);
        QCOMPARE(shopper.messages.first().value(u"error"_qs).toString(), u"invalid_field"_qs);
        QVERIFY(shopper.messages.first().value(u"message"_qs).toString().startsWith(field + u' '));
        QCOMPARE(client.admin("GET", u"/api/v1/admin/events/clean"_qs).json.value(u"accepted"_qs).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFairSale)
#include "tst_fairsale.moc"
