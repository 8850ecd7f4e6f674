// Fair-sale and privacy guarantees of the real flashsale binary on loopback: ticket tags cannot
// be predicted from one's own tickets; a requestId belongs to the user who first sent it (also
// after a restart, and on the WebSocket); the data dir is private whatever the umask; the admin
// token can come from a file instead of the command line.
#include "nodeprocess.h"

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
        NodeProcess node(dir.path(), "fair-token");
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
        NodeProcess node(dir.path(), "fair-token");
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

        QWebSocket socket;
        QList<QJsonObject> messages;
        connect(&socket, &QWebSocket::textMessageReceived, this,
                [&](const QString &text) { messages.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
        socket.open(QUrl(node.baseUrl().replace(u"http:"_qs, u"ws:"_qs) + u"/api/v1/ws"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 10000);
        socket.sendTextMessage(QString::fromUtf8(compact({{u"op"_qs, u"purchase"_qs}, {u"eventId"_qs, u"bound"_qs},
                                                          {u"requestId"_qs, u"shared-id"_qs}, {u"userId"_qs, u"mallory"_qs},
                                                          {u"quantity"_qs, 1}})));
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
        NodeProcess node(dataDir, QByteArray());
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
        NodeProcess node(dir.filePath(u"data"_qs), "from-a-file-7f3a");
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
};

QTEST_GUILESS_MAIN(TestFairSale)
#include "tst_fairsale.moc"
