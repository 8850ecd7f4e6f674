// The store on a real SQLite file: atomic group commits, lead rows, and everything back after a restart.
#include "engine/node/engine.h"
#include "engine/storage/store.h"
#include "tests/support/enumprinting.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include "tests/support/sqlcheck.h"

#include <QTest>

using namespace flashsale;

namespace {

PurchaseRequest makeRequest(std::uint64_t seq, const QString &eventId, const QString &user, int quantity = 1)
{
    PurchaseRequest r;
    r.seq = seq;
    r.ticketTag = 0xabc000 + std::uint32_t(seq);
    r.eventId = eventId;
    r.requestId = u"req-"_qs + QString::number(seq);
    r.userId = user;
    r.quantity = quantity;
    r.acceptedAtMs = 1000 + std::int64_t(seq);
    return r;
}

EventSnapshot makeEvent(const QString &id, std::int64_t stock)
{
    EventSnapshot e;
    e.config.id = id;
    e.config.name = u"Phone 手机"_qs;
    e.config.priceCents = 4999;
    e.config.stock = stock;
    e.config.perUserLimit = 1;
    e.state = EventState::Open;
    e.stockTotal = stock;
    e.createdAtMs = e.updatedAtMs = 1;
    return e;
}


bool waitDecided(Engine &engine, std::int64_t count)
{
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        const EngineStats s = engine.stats();
        if (s.requests.decided() >= count && s.queueDepth == 0)
            return true;
        QThread::msleep(5);
    }
    return false;
}

// One lost request of a lead-contents row: the commit it is in, and what the shopper sent.
struct Loss {
    int commit = 0;
    QString contact;
    int quantity = 1;
    LossReason reason = LossReason::SoldOut;
};

} // namespace

Q_DECLARE_METATYPE(QList<Loss>)

class TestStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void commitIsAtomicAndReloads()
    {
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        {
            SqlStore store(location);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            CommitBatch batch;
            batch.eventRows.push_back(makeEvent(u"e1"_qs, 5));
            Decision won{1, 0, TicketState::Won, LossReason::None, 7, 5000, 4999};
            Decision lost{2, 0, TicketState::Lost, LossReason::SoldOut, 0, 5001, 4999};
            batch.decided.push_back({makeRequest(1, u"e1"_qs, u"alice"_qs), won});
            batch.decided.push_back({makeRequest(2, u"e1"_qs, u"bob"_qs), lost});
            QVERIFY2(store.commit(batch, &error), qPrintable(error));

            // A batch that fails half way (seq 1 again) must leave nothing behind.
            CommitBatch broken;
            broken.eventRows.push_back(makeEvent(u"e2"_qs, 9));
            Decision third{3, 0, TicketState::Lost, LossReason::SoldOut, 0, 5002, 4999};
            broken.decided.push_back({makeRequest(3, u"e1"_qs, u"carol"_qs), third});
            broken.decided.push_back({makeRequest(1, u"e1"_qs, u"dave"_qs), third}); // seq 1 again
            QVERIFY(!store.commit(broken, &error));
            QVERIFY(!error.isEmpty());
            store.close();
        }
        SqlStore reopened(location);
        QString error;
        QVERIFY2(reopened.open(&error), qPrintable(error));
        LoadedState state;
        QVERIFY2(reopened.load(&state, &error), qPrintable(error));
        QCOMPARE(state.events.size(), 1u); // e2 was rolled back
        QCOMPARE(state.events[0].config.name, u"Phone 手机"_qs);
        const RequestCounts counts = state.requestsByEvent.value(u"e1"_qs);
        QCOMPARE(counts.accepted, 2); // seq 3 was rolled back
        QCOMPARE(counts.won, 1);
        QCOMPARE(counts.lost, 1);
        std::vector<LoadedTicket> tickets; // streamed in seq order
        QVERIFY2(streamJournal(location, [&](LoadedTicket &t) { return tickets.push_back(t), true; }, &error),
                 qPrintable(error));
        QCOMPARE(tickets.size(), 2u);
        QCOMPARE_ENUM(tickets[0].view.state, TicketState::Won);
        QCOMPARE(tickets[0].view.orderId, 7);
        QCOMPARE(tickets[0].view.tag, 0xabc001u);
        QCOMPARE_ENUM(tickets[1].view.state, TicketState::Lost);
        QCOMPARE_ENUM(tickets[1].view.reason, LossReason::SoldOut);
        QCOMPARE(state.maxOrderId, 7);
        QCOMPARE(state.wonUnitsByEventAndUser.value(u"e1"_qs).value(u"alice"_qs), 1);
        reopened.close();
        QCOMPARE(sqlScalar(location.databaseName, u"SELECT COUNT(*) FROM intents WHERE user_id = 'bob'"_qs), 1);
        QCOMPARE(sqlScalar(location.databaseName, u"SELECT total_cents FROM orders WHERE order_id = 7"_qs), 4999);
    }

    // Commits that never pause for long would grow SQLite's write-ahead log for as long as the
    // sale runs (a PASSIVE checkpoint never catches up with them, and the log is only reused,
    // never shrunk): past the store's limit the log is truncated between two commits. Without
    // that, the log never shrinks below the most it held; with it, it passes half the 1 MiB
    // limit and comes back to nearly nothing while the commits go on, and every row stays.
    void walIsKeptUnderItsLimit()
    {
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        constexpr std::int64_t kLimitBytes = 1 << 20;
        SqlStore store(location, kLimitBytes);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        const QString wal = location.databaseName + u"-wal"_qs;
        std::uint64_t seq = 0;
        bool wentOver = false;
        bool cameBack = false;
        QDeadlineTimer deadline(60000);
        while (!(wentOver && cameBack) && !deadline.hasExpired()) {
            CommitBatch batch;
            if (seq == 0)
                batch.eventRows.push_back(makeEvent(u"big"_qs, 1'000'000));
            for (int i = 0; i < 200; ++i) {
                ++seq;
                Decision lost{seq, 0, TicketState::Lost, LossReason::SoldOut, 0, std::int64_t(seq), 4999};
                batch.decided.push_back({makeRequest(seq, u"big"_qs, u"user-"_qs + QString::number(seq)), lost});
            }
            QVERIFY2(store.commit(batch, &error), qPrintable(error));
            const std::int64_t walBytes = QFileInfo(wal).size();
            if (walBytes > kLimitBytes / 2) // where truncation starts
                wentOver = true;
            else if (wentOver && walBytes < kLimitBytes / 4)
                cameBack = true;
        }
        QVERIFY2(wentOver, "the commits filled the log past half its limit");
        QVERIFY2(cameBack, qPrintable(u"the log stayed at %1 bytes after %2 requests"_qs.arg(QFileInfo(wal).size()).arg(seq)));
        store.close();
        QCOMPARE(sqlScalar(location.databaseName, u"SELECT COUNT(*) FROM requests"_qs), std::int64_t(seq));
    }

    void groupCommitsAndSurvivesRestart()
    {
        QTemporaryDir dir;
        const int requests = 3000;
        const int stock = 100;
        QHash<QString, TicketView> tickets;
        {
            Engine engine(EngineOptions{StoreLocation::sqliteIn(dir.path())});
            QString error;
            QVERIFY2(engine.start(&error), qPrintable(error));
            EventConfig config;
            config.id = u"sale"_qs;
            config.name = u"Sale"_qs;
            config.priceCents = 100;
            config.stock = stock;
            config.perUserLimit = 1;
            QCOMPARE(engine.createEvent(config).status, Status::Ok);
            QCOMPARE(engine.actOnEvent(u"sale", EventAction::Open).status, Status::Ok);
            const std::uint64_t commitsBefore = engine.stats().commits;
            // Another connection holds the write lock while the whole sale is decided: the
            // writer's first commit waits for it (busy timeout 5 s), and whatever is decided
            // meanwhile must go into the one commit after it.
            const QString lockName = u"write-lock"_qs;
            {
                QSqlDatabase lockDb = QSqlDatabase::addDatabase(u"QSQLITE"_qs, lockName);
                lockDb.setDatabaseName(StoreLocation::sqliteIn(dir.path()).databaseName);
                QVERIFY(lockDb.open());
                QVERIFY(QSqlQuery(lockDb).exec(u"BEGIN IMMEDIATE"_qs));
                for (int i = 0; i < requests; ++i) {
                    PurchaseRequest r;
                    r.requestId = u"r"_qs + QString::number(i);
                    r.userId = u"user"_qs + QString::number(i % 1500); // each user tries twice
                    r.quantity = 1;
                    const SubmitResult result = engine.submit(u"sale", r, -1, TicketState::Won);
                    QCOMPARE(result.status, Status::Ok);
                    tickets.insert(r.requestId, result.ticket);
                }
                QTRY_COMPARE_WITH_TIMEOUT(engine.event(u"sale")->requests.decided(), std::int64_t(requests), 3000);
                QCOMPARE(engine.stats().requests.decided(), 0); // decided, but nothing is answered before its commit
                QVERIFY(QSqlQuery(lockDb).exec(u"ROLLBACK"_qs));
                lockDb.close();
            }
            QSqlDatabase::removeDatabase(lockName);
            QVERIFY(waitDecided(engine, requests));
            const EngineStats stats = engine.stats();
            QCOMPARE(stats.requests.wonUnits, stock);
            QCOMPARE(stats.requests.lost, requests - stock);
            // Group commit: the batch that waited for the lock, then everything decided behind it.
            const std::uint64_t commits = stats.commits - commitsBefore;
            qInfo("%d requests took %llu commits", requests, static_cast<unsigned long long>(commits));
            QVERIFY2(commits >= 1 && commits <= 2, qPrintable(QStringLiteral("%1 commits").arg(commits)));
            for (auto it = tickets.begin(); it != tickets.end(); ++it)
                it.value() = *engine.ticket(it->seq, it->tag);
            engine.stop();
        }
        const QString dbPath = StoreLocation::sqliteIn(dir.path()).databaseName;
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM requests"_qs), requests);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM requests WHERE state = 'queued'"_qs), 0);
        QCOMPARE(sqlScalar(dbPath, u"SELECT SUM(quantity) FROM orders"_qs), stock);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(DISTINCT user_id) FROM orders"_qs), stock);
        QCOMPARE(sqlScalar(dbPath, u"SELECT SUM(attempts) FROM intents"_qs), requests - stock);

        // Reopen: same tickets, same stock, idempotency and per-user limits remembered.
        Engine engine(EngineOptions{StoreLocation::sqliteIn(dir.path())});
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        const auto event = engine.event(u"sale");
        QVERIFY(event);
        QCOMPARE(event->remaining, 0);
        QCOMPARE_ENUM(event->state, EventState::SoldOut);
        for (auto it = tickets.cbegin(); it != tickets.cend(); ++it) {
            const auto view = engine.ticket(it->seq, it->tag);
            QVERIFY(view);
            QCOMPARE_ENUM(view->state, it->state);
            QCOMPARE(view->orderId, it->orderId);
        }
        // After the restart a requestId still belongs to its user: another one is refused.
        PurchaseRequest again;
        again.requestId = u"r0"_qs;
        again.userId = u"someone-else"_qs;
        again.quantity = 1;
        QCOMPARE(engine.submit(u"sale", again, -1, TicketState::Won).status, Status::IdempotencyConflict);
        again.userId = u"User0"_qs; // r0's user, "user0", in another case
        const SubmitResult duplicate = engine.submit(u"sale", again, -1, TicketState::Won);
        QCOMPARE(duplicate.status, Status::Ok);
        QVERIFY(!duplicate.created);
        QCOMPARE(duplicate.ticket.seq, tickets.value(u"r0"_qs).seq);

        // A winner stays at their limit after a restock.
        QCOMPARE(engine.restockEvent(u"sale", 10).status, Status::Ok);
        const QString winner = [&] {
            for (auto it = tickets.cbegin(); it != tickets.cend(); ++it) {
                if (it->state == TicketState::Won)
                    return u"user"_qs + QString::number(it.key().mid(1).toInt() % 1500);
            }
            return QString();
        }();
        PurchaseRequest greedy;
        greedy.requestId = u"greedy"_qs;
        greedy.userId = winner;
        greedy.quantity = 1;
        const SubmitResult result = engine.submit(u"sale", greedy, -1, TicketState::Won);
        QVERIFY(waitDecided(engine, requests + 1));
        QCOMPARE_ENUM(engine.ticket(result.ticket.seq, result.ticket.tag)->reason, LossReason::LimitReached);
        engine.stop();
    }

    // The same shopper losing again and again, with and without a contact, for different
    // reasons and quantities, within one commit and across commits: one intents row with the
    // last contact given, every attempt counted, the last reason and quantity, first <= last.
    void leadContents_data()
    {
        QTest::addColumn<QList<Loss>>("losses");
        QTest::addColumn<QString>("contact");

        const QString mail = u"lead@example.com"_qs;
        const QString phone = u"13800000000"_qs;
        QTest::newRow("contact, then none, across commits")
            << QList<Loss>{{0, mail, 1, LossReason::SoldOut}, {1, {}, 2, LossReason::LimitReached}} << mail;
        QTest::newRow("contact, then none, in one commit")
            << QList<Loss>{{0, mail, 2, LossReason::LimitReached}, {0, {}, 1, LossReason::NotOpen}} << mail;
        QTest::newRow("none, contact, none, none over three commits")
            << QList<Loss>{{0, {}, 1, LossReason::SoldOut}, {1, phone, 3, LossReason::NotOpen},
                           {2, {}, 2, LossReason::SoldOut}, {2, {}, 1, LossReason::LimitReached}}
            << phone;
        QTest::newRow("a newer contact replaces the old one")
            << QList<Loss>{{0, mail, 1, LossReason::SoldOut}, {1, phone, 1, LossReason::SoldOut}, {2, {}, 2, LossReason::NotOpen}}
            << phone;
        QTest::newRow("never a contact") << QList<Loss>{{0, {}, 1, LossReason::SoldOut}, {1, {}, 2, LossReason::SoldOut}} << QString();
    }

    void leadContents()
    {
        QFETCH(QList<Loss>, losses);
        QFETCH(QString, contact);
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        SqlStore store(location);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        // Another shopper loses in every commit too: the lead must not take their fields.
        const int commits = losses.last().commit + 1;
        std::uint64_t seq = 0;
        std::int64_t decidedAtMs = 1'700'000'000'000;
        for (int c = 0; c < commits; ++c) {
            CommitBatch batch;
            if (c == 0)
                batch.eventRows.push_back(makeEvent(u"e1"_qs, 5));
            for (const Loss &loss : std::as_const(losses)) {
                if (loss.commit != c)
                    continue;
                PurchaseRequest r = makeRequest(++seq, u"e1"_qs, u"lead 线索"_qs, loss.quantity);
                r.contact = loss.contact;
                batch.decided.push_back({r, Decision{seq, 0, TicketState::Lost, loss.reason, 0, decidedAtMs += 1000, 4999}});
            }
            PurchaseRequest other = makeRequest(++seq, u"e1"_qs, u"other"_qs, 4);
            other.contact = u"other@example.com"_qs;
            batch.decided.push_back({other, Decision{seq, 0, TicketState::Lost, LossReason::SoldOut, 0, decidedAtMs += 1000, 4999}});
            QVERIFY2(store.commit(batch, &error), qPrintable(error));
        }
        store.close();

        const QString db = location.databaseName;
        QCOMPARE(sqlScalar(db, u"SELECT COUNT(*) FROM intents WHERE event_id = 'e1' AND user_id = 'lead 线索'"_qs), 1);
        const QVariantList row = sqlRow(db, u"SELECT contact, attempts, last_reason, quantity, first_at_ms, last_at_ms"
                                             " FROM intents WHERE event_id = 'e1' AND user_id = 'lead 线索'"_qs);
        QCOMPARE(row.size(), 6);
        QCOMPARE(row[0].toString(), contact);
        QCOMPARE(row[1].toInt(), losses.size());
        QCOMPARE(row[2].toString(), toString(losses.last().reason));
        QCOMPARE(row[3].toInt(), losses.last().quantity);
        const std::int64_t firstAtMs = row[4].toLongLong();
        const std::int64_t lastAtMs = row[5].toLongLong();
        QVERIFY2(firstAtMs <= lastAtMs, qPrintable(QStringLiteral("first %1 > last %2").arg(firstAtMs).arg(lastAtMs)));
        // The first and the last loss's decision times (the lead's losses came first in each commit).
        QCOMPARE(firstAtMs, sqlScalar(db, u"SELECT MIN(decided_at_ms) FROM requests WHERE user_id = 'lead 线索'"_qs));
        QCOMPARE(lastAtMs, sqlScalar(db, u"SELECT MAX(decided_at_ms) FROM requests WHERE user_id = 'lead 线索'"_qs));
        QCOMPARE(sqlScalar(db, u"SELECT attempts FROM intents WHERE user_id = 'other'"_qs), commits);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
