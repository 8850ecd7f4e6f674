// The compact ticket table over real HTTP on SQLite: the idempotency index by a keyed 128-bit
// hash (collisions forced through TicketBookOptions::collideKeysForTesting resolve through the
// journal), tickets dropped from memory answered from the journal (polls and idempotent
// retries), and the table's bound refused with a 503 that says why.
#include "tests/support/apiclient.h"
#include "tests/support/crowdoptions.h"
#include "tests/support/sqlcheck.h"

#include "engine/api/server.h"
#include "engine/core/keyedhash.h"

#include <QTemporaryDir>
#include <QTest>

using namespace flashsale;

namespace {

const QString kBuy = u"/api/v1/events/sale/purchases?wait=5000"_qs;

} // namespace

class TestTicketIndex : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Server> m_server;

    bool startNode(const TicketBookOptions &tickets, QString *error,
                   std::int64_t ticketMemoryMs = EngineOptions::kDefaultTicketMemoryMs)
    {
        m_server.reset();
        ServerOptions options = crowdNodeOptions();
        options.dataDir = m_dir->path();
        options.port = 0;
        options.adminToken = u"index-token"_qs;
        options.httpThreads = 2;
        options.tickets = tickets;
        options.ticketMemoryMs = ticketMemoryMs;
        m_server = std::make_unique<Server>(options);
        return m_server->start(error);
    }

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void sipHashMatchesTheReferenceVectors_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<QByteArray>("expected");
        // vectors_sip128 of the reference implementation (github.com/veorq/SipHash vectors.h): key
        // 00..0f, message 00 01 .. (length-1).
        QTest::newRow("empty") << 0 << QByteArray::fromHex("a3817f04ba25a8e66df67214c7550293");
        QTest::newRow("one byte") << 1 << QByteArray::fromHex("da87c1d86b99af44347659119b22fc45");
        QTest::newRow("seven bytes") << 7 << QByteArray::fromHex("a1f1ebbed8dbc153c0b84aa61ff08239");
        QTest::newRow("eight bytes") << 8 << QByteArray::fromHex("3b62a9ba6258f5610f83e264f31497b4");
    }
    void sipHashMatchesTheReferenceVectors()
    {
        QFETCH(int, length);
        QFETCH(QByteArray, expected);
        QByteArray message;
        for (int i = 0; i < length; ++i)
            message.append(char(i));
        const SipKey key{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
        const Hash128 hash = sipHash128(key, message.constData(), std::size_t(message.size()));
        QByteArray bytes;
        for (int i = 0; i < 8; ++i)
            bytes.append(char(hash.lo >> (8 * i)));
        for (int i = 0; i < 8; ++i)
            bytes.append(char(hash.hi >> (8 * i)));
        QCOMPARE(bytes.toHex(), expected.toHex());
    }

    // Every key of the event hashes alike: each new requestId meets every earlier ticket in the
    // index and is told apart by the journal (decided tickets) or the pending table (undecided).
    void collisionsResolveThroughTheStore()
    {
        QString error;
        QVERIFY2(startNode(TicketBookOptions{.collideKeysForTesting = true}, &error), qPrintable(error));
        ApiClient client(m_server->baseUrl(), "index-token", 1);
        QVERIFY(client.openSale(u"sale"_qs, 100, 5));

        QHash<QString, QString> ticketOf;
        for (const QString &id : {u"r-1"_qs, u"r-2"_qs, u"r-3"_qs}) {
            const ApiReply r = client.call("POST", kBuy, purchaseBody(id, u"u-"_qs + id));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json.value(u"state"_qs).toString(), u"won"_qs);
            QVERIFY2(!ticketOf.values().contains(r.json.value(u"ticket"_qs).toString()), qPrintable(id));
            ticketOf.insert(id, r.json.value(u"ticket"_qs).toString());
        }
        // Two new keys sent without waiting: the second meets the first while it is undecided.
        for (const QString &id : {u"p-1"_qs, u"p-2"_qs}) {
            const ApiReply r = client.call("POST", u"/api/v1/events/sale/purchases"_qs, purchaseBody(id, u"u-"_qs + id));
            QVERIFY2(r.status == 200 || r.status == 202, qPrintable(QString::fromUtf8(r.body)));
            QVERIFY2(!ticketOf.values().contains(r.json.value(u"ticket"_qs).toString()), qPrintable(id));
            ticketOf.insert(id, r.json.value(u"ticket"_qs).toString());
        }
        // Retries get their own ticket back; another user's use of a requestId is refused.
        for (auto it = ticketOf.cbegin(); it != ticketOf.cend(); ++it) {
            const ApiReply again = client.call("POST", kBuy, purchaseBody(it.key(), u"u-"_qs + it.key()));
            QCOMPARE(again.status, 200);
            QCOMPARE(again.json.value(u"ticket"_qs).toString(), it.value());
            const ApiReply stolen = client.call("POST", kBuy, purchaseBody(it.key(), u"thief"_qs));
            QCOMPARE(stolen.status, 409);
        }
        const QString db = StoreLocation::sqliteIn(m_dir->path()).databaseName;
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM requests"_qs), 5);
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(DISTINCT request_id) FROM requests"_qs), 5);

        // After a restart the restored keys collide the same way and still resolve.
        m_server->stop();
        QVERIFY2(startNode(TicketBookOptions{.collideKeysForTesting = true}, &error), qPrintable(error));
        client.setBaseUrl(m_server->baseUrl());
        const ApiReply old = client.call("POST", kBuy, purchaseBody(u"r-2"_qs, u"u-r-2"_qs));
        QCOMPARE(old.json.value(u"ticket"_qs).toString(), ticketOf.value(u"r-2"_qs));
        const ApiReply fresh = client.call("POST", kBuy, purchaseBody(u"r-4"_qs, u"u-r-4"_qs));
        QCOMPARE(fresh.status, 200);
        QVERIFY(!ticketOf.values().contains(fresh.json.value(u"ticket"_qs).toString()));
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM requests"_qs), 6);
    }

    // A whole chunk of decided tickets leaves memory once old enough (here at once) or once its
    // event ended; polls, retries and other users' reuse of its requestIds are answered from the
    // journal over HTTP exactly as before, also after a restart.
    void droppedTicketsAnswerFromTheStore_data()
    {
        QTest::addColumn<qint64>("memoryMs");
        QTest::addColumn<bool>("endEvent");
        QTest::newRow("aged out") << qint64(0) << false;
        QTest::newRow("event ended") << qint64(EngineOptions::kDefaultTicketMemoryMs) << true;
    }
    void droppedTicketsAnswerFromTheStore()
    {
        QFETCH(qint64, memoryMs);
        QFETCH(bool, endEvent);
        QString error;
        QVERIFY2(startNode({}, &error, memoryMs), qPrintable(error));
        ApiClient client(m_server->baseUrl(), "index-token", 1);
        QVERIFY(client.openSale(u"sale"_qs, 2, 1));
        QVERIFY(client.openSale(u"other"_qs, 1'000'000, 1'000'000));

        // Two wins and a loss over HTTP, then the rest of the chunk in process.
        QHash<QString, QJsonObject> answers;
        for (const QString &id : {u"w-1"_qs, u"w-2"_qs, u"l-1"_qs}) {
            const ApiReply r = client.call("POST", kBuy, purchaseBody(id, u"u-"_qs + id));
            QCOMPARE(r.status, 200);
            answers.insert(id, r.json);
        }
        QCOMPARE(answers.value(u"l-1"_qs).value(u"reason"_qs).toString(), u"sold_out"_qs);
        Engine &engine = m_server->engine();
        const std::int64_t bulk = std::int64_t(TicketBook::kTicketsPerChunk);
        for (std::int64_t i = 0; i < bulk; ++i) {
            PurchaseRequest request;
            request.requestId = QStringLiteral("bulk-%1").arg(i);
            request.userId = QStringLiteral("bulk-user-%1").arg(i);
            request.quantity = 1;
            while (engine.submit(u"sale", request, -1, TicketState::Queued).status == Status::Overloaded)
                QTest::qWait(1);
        }
        QTRY_COMPARE_WITH_TIMEOUT(engine.stats().requests.decided(), bulk + 3, 60000);
        if (endEvent)
            QCOMPARE(engine.actOnEvent(u"sale", EventAction::End).status, Status::Ok);

        std::uint64_t firstSeq = 0, firstTag = 0;
        QVERIFY(parseTicket(answers.value(u"w-1"_qs).value(u"ticket"_qs).toString(), &firstSeq, &firstTag));
        // Drops run after commits, at most once a second: keep committing until it happened.
        for (int i = 0; i < 100 && !engine.isInStore(firstSeq); ++i) {
            QCOMPARE(client.call("POST", u"/api/v1/events/other/purchases?wait=5000"_qs,
                                 purchaseBody(QStringLiteral("tick-%1").arg(i), u"ticker"_qs)).status, 200);
            QTest::qWait(100);
        }
        QVERIFY(engine.isInStore(firstSeq));
        QVERIFY(!engine.ticket(firstSeq, firstTag));

        const auto checkAnswers = [&] {
            for (auto it = answers.cbegin(); it != answers.cend(); ++it) {
                const QString ticket = it->value(u"ticket"_qs).toString();
                const ApiReply polled = client.call("GET", u"/api/v1/tickets/"_qs + ticket);
                QCOMPARE(polled.status, 200);
                QCOMPARE(polled.json.value(u"state"_qs), it->value(u"state"_qs));
                QCOMPARE(polled.json.value(u"orderId"_qs), it->value(u"orderId"_qs));
                QCOMPARE(polled.json.value(u"reason"_qs), it->value(u"reason"_qs));
                const ApiReply again = client.call("POST", kBuy, purchaseBody(it.key(), u"u-"_qs + it.key()));
                QCOMPARE(again.status, 200);
                QCOMPARE(again.json.value(u"ticket"_qs).toString(), ticket);
                QCOMPARE(again.json.value(u"state"_qs), it->value(u"state"_qs));
                QCOMPARE(again.json.value(u"orderId"_qs), it->value(u"orderId"_qs));
                const ApiReply stolen = client.call("POST", kBuy, purchaseBody(it.key(), u"thief"_qs));
                QCOMPARE(stolen.status, 409);
                QCOMPARE(stolen.json.value(u"error"_qs).toString(), u"idempotency_conflict"_qs);
            }
            // The right seq with a wrong tag is no ticket.
            QCOMPARE(client.call("GET", u"/api/v1/tickets/"_qs + formatTicket(firstSeq, firstTag ^ 1)).status, 404);
        };
        checkAnswers();
        if (QTest::currentTestFailed())
            return;
        const QString db = StoreLocation::sqliteIn(m_dir->path()).databaseName;
        const qint64 journaled = sqlScalar(db, u"SELECT COUNT(*) FROM requests WHERE event_id = 'sale'"_qs);
        QCOMPARE(journaled, bulk + 3); // the retries journaled nothing

        m_server->stop();
        QVERIFY2(startNode({}, &error, memoryMs), qPrintable(error));
        client.setBaseUrl(m_server->baseUrl());
        checkAnswers();
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM requests WHERE event_id = 'sale'"_qs), journaled);
    }

    // The table's bound (lowered here; 2^32 - 1 by default) is a 503 naming the problem in every
    // build, and tickets made before it still answer.
    void aFullTableRefusesWithAClearError()
    {
        QString error;
        QVERIFY2(startNode(TicketBookOptions{.maxSeq = 3}, &error), qPrintable(error));
        ApiClient client(m_server->baseUrl(), "index-token", 1);
        QVERIFY(client.openSale(u"sale"_qs, 100, 5));
        QStringList tickets;
        for (int i = 1; i <= 3; ++i) {
            const ApiReply r = client.call("POST", kBuy, purchaseBody(QStringLiteral("f-%1").arg(i), u"u"_qs));
            QCOMPARE(r.status, 200);
            tickets << r.json.value(u"ticket"_qs).toString();
        }
        const ApiReply full = client.call("POST", kBuy, purchaseBody(u"f-4"_qs, u"u"_qs));
        QCOMPARE(full.status, 503);
        QCOMPARE(full.json.value(u"error"_qs).toString(), u"unavailable"_qs);
        QVERIFY2(full.json.value(u"message"_qs).toString().contains(u"ticket table is full"_qs), full.body.constData());
        const ApiReply again = client.call("POST", kBuy, purchaseBody(u"f-2"_qs, u"u"_qs));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json.value(u"ticket"_qs).toString(), tickets.at(1));
        QCOMPARE(client.call("GET", u"/api/v1/tickets/"_qs + tickets.at(0)).status, 200);

        // A journal that holds more tickets than the table may: the node refuses to start.
        m_server->stop();
        QVERIFY(!startNode(TicketBookOptions{.maxSeq = 2}, &error));
        QVERIFY2(error.contains(u"beyond the ticket table's bound"_qs), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestTicketIndex)
#include "tst_ticketindex.moc"
