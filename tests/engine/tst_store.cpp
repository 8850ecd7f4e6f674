// The store on a real SQLite file: atomic group commits, and everything back after a restart.
#include "engine/engine.h"
#include "engine/store.h"
#include "enumprinting.h"

#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include "sqlcheck.h"

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
        if (s.decided >= count && s.queueDepth == 0)
            return true;
        QThread::msleep(5);
    }
    return false;
}

} // namespace

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
        QCOMPARE(state.tickets.size(), 2u);  // seq 3 was rolled back
        QCOMPARE_ENUM(state.tickets[0].view.state, TicketState::Won);
        QCOMPARE(state.tickets[0].view.orderId, 7);
        QCOMPARE(state.tickets[0].view.tag, 0xabc001u);
        QCOMPARE_ENUM(state.tickets[1].view.state, TicketState::Lost);
        QCOMPARE_ENUM(state.tickets[1].view.reason, LossReason::SoldOut);
        QCOMPARE(state.maxOrderId, 7);
        QCOMPARE(state.wonUnitsByEventAndUser.value(u"e1"_qs).value(u"alice"_qs), 1);
        reopened.close();
        QCOMPARE(sqlScalar(location.databaseName, u"SELECT COUNT(*) FROM intents WHERE user_id = 'bob'"_qs), 1);
        QCOMPARE(sqlScalar(location.databaseName, u"SELECT total_cents FROM orders WHERE order_id = 7"_qs), 4999);
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
            for (int i = 0; i < requests; ++i) {
                PurchaseRequest r;
                r.requestId = u"r"_qs + QString::number(i);
                r.userId = u"user"_qs + QString::number(i % 1500); // each user tries twice
                r.quantity = 1;
                const SubmitResult result = engine.submit(u"sale", r, -1, TicketState::Won);
                QCOMPARE(result.status, Status::Ok);
                tickets.insert(r.requestId, result.ticket);
            }
            QVERIFY(waitDecided(engine, requests));
            const EngineStats stats = engine.stats();
            QCOMPARE(stats.wonUnits, stock);
            QCOMPARE(stats.lost, requests - stock);
            // Group commit: one transaction per request would be 3,000 commits.
            const std::uint64_t commits = stats.commits - commitsBefore;
            qInfo("%d requests took %llu commits", requests, static_cast<unsigned long long>(commits));
            QVERIFY(commits < std::uint64_t(requests));
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
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
