// The intent projector (engine/storage/projector.h): the commit appends journal rows only, and
// the intents the projector folds from them equal what the commit used to write, on SQLite and
// PostgreSQL; a SIGKILL mid-projection loses and repeats nothing; reads wait or say how far behind.
#include "tests/support/apiclient.h"
#include "tests/support/engineprocess.h"
#include "tests/support/scratchdatabase.h"
#include "tests/support/sqlcheck.h"

#include "engine/storage/projector.h"
#include "engine/storage/store.h"

#include <QRandomGenerator>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>
#include <memory>

using namespace flashsale;

namespace {

constexpr std::int64_t kBaseMs = 1'700'000'000'000;
const QString kIntentColumns = u"event_id, user_id, contact, quantity, last_reason, attempts, first_at_ms, last_at_ms,"
                               " simulated, offered_at_ms, offer_order_id"_qs;

EventSnapshot makeEvent(const QString &id)
{
    EventSnapshot e;
    e.config.id = id;
    e.config.name = id;
    e.config.priceCents = 100;
    e.config.stock = 1'000'000;
    e.config.perUserLimit = 1;
    e.state = EventState::Open;
    e.stockTotal = e.config.stock;
    e.createdAtMs = e.updatedAtMs = 1;
    return e;
}

// One intents row as the commit before the projector folded it, in kIntentColumns order.
struct ExpectedLead {
    QString contact;
    int quantity = 0;
    QString reason;
    int attempts = 0;
    std::int64_t firstAtMs = 0;
    std::int64_t lastAtMs = 0;
    bool simulated = false;
    std::int64_t offeredAtMs = 0;
    std::int64_t offerOrderId = 0;
};

// A sale's request stream split into group commits in decision order, and the intents rows the
// commit wrote for it before the projector (its fold per event and user, batch after batch).
struct Sale {
    std::vector<CommitBatch> batches;
    std::map<std::pair<QString, QString>, ExpectedLead> expected;
    int losses = 0;

    QStringList expectedRows() const
    {
        QStringList rows;
        for (const auto &[key, l] : expected) {
            rows << QStringList{key.first, key.second, l.contact, QString::number(l.quantity), l.reason,
                                QString::number(l.attempts), QString::number(l.firstAtMs), QString::number(l.lastAtMs),
                                QString::number(int(l.simulated)), QString::number(l.offeredAtMs),
                                QString::number(l.offerOrderId)}
                        .join(u'|');
        }
        return rows;
    }
};

// requests from users shoppers in two events; decided in seq order, or shuffled within windows
// as a fair start decides them; an offer to a lead every offerEvery batches (0: none), in the
// same batch as the lead's latest loss, before the projector can have made its row.
Sale makeSale(int requests, int users, int batchSize, bool fairStartOrder, int offerEvery, quint32 seed)
{
    QRandomGenerator random(seed);
    std::vector<PurchaseRequest> stream;
    for (int i = 0; i < requests; ++i) {
        PurchaseRequest r;
        r.seq = std::uint64_t(i + 1);
        r.ticketTag = 0x7a900000 + r.seq;
        r.eventId = random.bounded(4) == 0 ? u"second"_qs : u"first"_qs;
        r.requestId = u"r"_qs + QString::number(i);
        r.userId = u"shopper 用户 "_qs + QString::number(random.bounded(users));
        r.quantity = 1 + int(random.bounded(3));
        r.contact = random.bounded(3) == 0 ? QString() : u"c%1@example.com"_qs.arg(i);
        r.simulated = random.bounded(5) == 0;
        r.acceptedAtMs = kBaseMs + i / 7;
        stream.push_back(r);
    }
    if (fairStartOrder) {
        for (std::size_t from = 0; from < stream.size(); from += 500)
            std::shuffle(stream.begin() + from, stream.begin() + std::min(stream.size(), from + 500), random);
    }
    Sale sale;
    static const LossReason reasons[] = {LossReason::SoldOut, LossReason::LimitReached, LossReason::NotOpen};
    for (std::size_t i = 0; i < stream.size(); ++i) {
        if (i % std::size_t(batchSize) == 0) {
            sale.batches.emplace_back();
            if (i == 0)
                sale.batches.back().eventRows = {makeEvent(u"first"_qs), makeEvent(u"second"_qs)};
        }
        CommitBatch &batch = sale.batches.back();
        const PurchaseRequest &r = stream[i];
        Decision d;
        d.seq = r.seq;
        d.decidedAtMs = kBaseMs + std::int64_t(i) / 5; // several decisions share a millisecond
        d.unitPriceCents = 100;
        if (random.bounded(10) == 0) {
            d.outcome = TicketState::Won;
            d.orderId = std::int64_t(r.seq);
        } else {
            d.outcome = TicketState::Lost;
            d.reason = reasons[random.bounded(3)];
            ++sale.losses;
            auto [it, added] = sale.expected.try_emplace({r.eventId, r.userId});
            ExpectedLead &l = it->second;
            if (added) {
                l.firstAtMs = d.decidedAtMs;
                l.simulated = r.simulated;
            }
            if (!r.contact.isEmpty())
                l.contact = r.contact;
            l.quantity = r.quantity;
            l.reason = toString(d.reason);
            l.lastAtMs = d.decidedAtMs;
            l.simulated = l.simulated && r.simulated;
            ++l.attempts;
            const bool lastOfBatch = (i + 1) % std::size_t(batchSize) == 0;
            if (offerEvery > 0 && lastOfBatch && (sale.batches.size() % std::size_t(offerEvery)) == 0) {
                OrderView o{std::int64_t(10'000'000 + i), r.eventId, r.userId, r.quantity, 100, r.requestId, r.seq,
                            r.contact, r.simulated, d.decidedAtMs + 1, OrderStatus::PendingPayment, OrderSource::Offer,
                            d.decidedAtMs + 60'000, 0};
                batch.orderChanges.push_back(OrderChange{o, true});
                l.offeredAtMs = o.decidedAtMs;
                l.offerOrderId = o.orderId;
            }
        }
        batch.decided.push_back({r, d});
    }
    return sale;
}

// Every row of sql as text (columns joined by '|'), through a connection of its own to location.
QStringList storeRows(const StoreLocation &location, const QString &sql)
{
    const QString name = u"rows-%1"_qs.arg(QRandomGenerator::global()->generate());
    QStringList rows;
    {
        QString error;
        QSqlDatabase db = openConnection(location, name, &error);
        QSqlQuery q(db);
        if (!db.isOpen() || !q.exec(sql)) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(db.isOpen() ? q.lastError().text() : error));
        } else {
            while (q.next()) {
                QStringList cells;
                for (int i = 0; i < q.record().count(); ++i)
                    cells << q.value(i).toString();
                rows << cells.join(u'|');
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

// Runs one statement on a SQLite file through a connection of its own; false when it fails.
// The journal as it was before the projector ran: no intents, the cursor at the start.
bool forgetProjection(const QString &dbPath)
{
    return sqlExec(dbPath, u"DELETE FROM intents"_qs)
        && sqlExec(dbPath, u"UPDATE intent_projection SET projected_commit = 0, projected_pos = 0"_qs);
}

std::int64_t notYetListed(const StoreLocation &location)
{
    const QString name = u"behind-%1"_qs.arg(QRandomGenerator::global()->generate());
    std::int64_t count = -1;
    {
        QString error;
        QSqlDatabase db = openConnection(location, name, &error);
        if (!db.isOpen() || !records::intentsNotYetListed(db, &count, &error))
            qWarning("not yet listed: %s", qPrintable(error));
    }
    QSqlDatabase::removeDatabase(name);
    return count;
}

} // namespace

class TestProjector : public QObject
{
    Q_OBJECT
private:
    // The store the row names: a SQLite file in dir, or a scratch PostgreSQL database (skips
    // without FLASHSALE_TEST_PG_URL).
    std::unique_ptr<ScratchDatabase> m_scratch;

    bool locationFor(bool postgres, const QTemporaryDir &dir, StoreLocation *location)
    {
        if (!postgres) {
            *location = StoreLocation::sqliteIn(dir.path());
            return true;
        }
        const QString url = qEnvironmentVariable("FLASHSALE_TEST_PG_URL");
        if (url.isEmpty())
            return false;
        m_scratch = std::make_unique<ScratchDatabase>(url, u"projector"_qs);
        if (!m_scratch->isReady())
            qFatal("%s", qPrintable(m_scratch->error()));
        QString error;
        *location = StoreLocation::fromUrl(m_scratch->url(), &error);
        return true;
    }

private Q_SLOTS:
    void cleanup() { m_scratch.reset(); }

    // The same request stream through the append-only commit gives the intents the commit used
    // to write: attempts, first and last time, the last quantity and reason, the last contact
    // given, simulated only while every attempt was, and offers on the right rows.
    void intentsEqualTheCommitsFold_data()
    {
        QTest::addColumn<bool>("postgres");
        QTest::addColumn<int>("requests");
        QTest::addColumn<int>("users");
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<bool>("fairStartOrder");
        QTest::addColumn<int>("offerEvery");
        for (const bool postgres : {false, true}) {
            const char *driver = postgres ? "PostgreSQL" : "SQLite";
            QTest::addRow("%s: many retries, small commits", driver) << postgres << 3000 << 200 << 7 << false << 0;
            QTest::addRow("%s: fair-start order, large commits", driver) << postgres << 20000 << 5000 << 2500 << true << 0;
            QTest::addRow("%s: offers before their row is projected", driver) << postgres << 6000 << 800 << 64 << false << 3;
            QTest::addRow("%s: one shopper per request", driver) << postgres << 5000 << 1'000'000 << 512 << true << 4;
        }
    }

    void intentsEqualTheCommitsFold()
    {
        QFETCH(bool, postgres);
        QFETCH(int, requests);
        QFETCH(int, users);
        QFETCH(int, batchSize);
        QFETCH(bool, fairStartOrder);
        QFETCH(int, offerEvery);
        QTemporaryDir dir;
        StoreLocation location;
        if (!locationFor(postgres, dir, &location))
            QSKIP("FLASHSALE_TEST_PG_URL is not set (scripts/start-postgres.sh prints one)");
        const Sale sale = makeSale(requests, users, batchSize, fairStartOrder, offerEvery, quint32(requests ^ batchSize));
        {
            SqlStore store(location);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            for (const CommitBatch &batch : sale.batches)
                QVERIFY2(store.commit(batch, &error), qPrintable(error));
            // Running: caught up soon after the last commit, without a stop.
            QVERIFY(ApiClient::waitUntil([&] { return notYetListed(location) == 0; }, 20000));
            QCOMPARE(storeRows(location, u"SELECT "_qs + kIntentColumns + u" FROM intents ORDER BY event_id, user_id"_qs),
                     sale.expectedRows());
            store.close();
        }
        QCOMPARE(storeRows(location, u"SELECT SUM(attempts) FROM intents"_qs), QStringList{QString::number(sale.losses)});
    }

    // A SIGKILL while the projector works through a backlog: every projector transaction moved
    // the cursor with the intents it wrote, so what is listed at the kill counts exactly the losses
    // up to the cursor, and after the restart the projector resumes there: every attempt once.
    void killMidProjectionLosesAndRepeatsNothing()
    {
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        const Sale sale = makeSale(240'000, 120'000, 4000, true, 0, 14);
        {
            SqlStore store(location);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            for (const CommitBatch &batch : sale.batches)
                QVERIFY2(store.commit(batch, &error), qPrintable(error));
            store.close();
        }
        const QString db = location.databaseName;
        const QString everyRow = u"SELECT "_qs + kIntentColumns + u" FROM intents ORDER BY event_id, user_id"_qs;
        QCOMPARE(sqlRows(db, everyRow), sale.expectedRows());
        // The journal as it was, with nothing projected yet: a backlog for the node's projector.
        QVERIFY(forgetProjection(db));
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM intents"_qs), 0);
        QCOMPARE(notYetListed(location), sale.losses);

        EngineProcess node(dir.path(), "kill-projector-token");
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        node.start(client, {}, false, 0); // no wait for /healthz: the projector starts with the store
        const QString cursorSql = u"SELECT projected_commit FROM intent_projection"_qs;
        QVERIFY(ApiClient::waitUntil([&] { return sqlScalar(db, cursorSql) > 0; }, 20000));
        node.sendSignal(SIGKILL);
        QVERIFY(node.waitForExit(10000));
        const std::int64_t behind = notYetListed(location);
        qInfo("killed with %lld of %d losses listed", static_cast<long long>(sale.losses - behind), sale.losses);
        QVERIFY2(behind > 0, "the projector finished before the kill: make the backlog larger");
        QCOMPARE(sqlScalar(db, u"SELECT SUM(attempts) FROM intents"_qs), sale.losses - behind);

        QVERIFY(node.start(client));
        QVERIFY(ApiClient::waitUntil([&] { return notYetListed(location) == 0; }, 60000));
        QCOMPARE(sqlRows(db, everyRow), sale.expectedRows());
        QVERIFY(node.stop());
    }

    // While the projector cannot write (another connection holds SQLite's write lock), the lead
    // list and the CSV export say how many requests are not in them yet; once it can, they are
    // complete and say nothing is missing.
    void readsSayHowFarBehindTheyAre()
    {
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        const Sale sale = makeSale(2000, 300, 500, false, 0, 7);
        {
            SqlStore store(location);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            for (const CommitBatch &batch : sale.batches)
                QVERIFY2(store.commit(batch, &error), qPrintable(error));
            store.close();
        }
        const QString db = location.databaseName;
        QVERIFY(forgetProjection(db));

        EngineProcess node(dir.path(), "behind-token");
        ApiClient client(node.baseUrl(), node.adminToken(), 1);
        const QString lockName = u"write-lock"_qs;
        {
            QSqlDatabase lockDb = QSqlDatabase::addDatabase(u"QSQLITE"_qs, lockName);
            lockDb.setDatabaseName(db);
            QVERIFY(lockDb.open());
            QVERIFY(QSqlQuery(lockDb).exec(u"BEGIN IMMEDIATE"_qs));
            QVERIFY(node.start(client));
            const ApiReply list = client.admin("GET", u"/api/v1/admin/events/first/intents"_qs);
            QCOMPARE(list.status, 200);
            const std::int64_t firstLosses = sqlScalar(db, u"SELECT COUNT(*) FROM requests WHERE state = 'lost'"_qs);
            QCOMPARE(list.json.value(u"notYetListed"_qs).toInteger(), firstLosses);
            QCOMPARE(list.json.value(u"total"_qs).toInteger(), 0);
            const ApiReply csv = client.admin("GET", u"/api/v1/admin/events/first/intents.csv"_qs);
            QCOMPARE(csv.status, 200);
            QCOMPARE(csv.header("Flashsale-Not-Yet-Listed"), QByteArray::number(firstLosses));
            QVERIFY(QSqlQuery(lockDb).exec(u"ROLLBACK"_qs));
            lockDb.close();
        }
        QSqlDatabase::removeDatabase(lockName);
        // The export waits for the projector now that it can write.
        const ApiReply csv = client.admin("GET", u"/api/v1/admin/events/first/intents.csv"_qs);
        QCOMPARE(csv.status, 200);
        QCOMPARE(csv.header("Flashsale-Not-Yet-Listed"), QByteArray("0"));
        std::int64_t firstLeads = 0;
        for (const auto &[key, lead] : sale.expected)
            firstLeads += key.first == u"first"_qs ? 1 : 0;
        QCOMPARE(csv.body.count('\n'), firstLeads + 1); // the header line and one per lead
        const ApiReply list = client.admin("GET", u"/api/v1/admin/events/first/intents"_qs);
        QCOMPARE(list.json.value(u"notYetListed"_qs).toInteger(), 0);
        QCOMPARE(list.json.value(u"total"_qs).toInteger(), firstLeads);
        QVERIFY(node.stop());
    }
};

QTEST_GUILESS_MAIN(TestProjector)
#include "tst_projector.moc"
