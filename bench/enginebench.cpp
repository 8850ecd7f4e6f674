// flashsale_bench: in-process benchmarks of the engine's two hot loops, printed as JSON lines.
//   decider  decisions/s of Decider::decide on one thread (20 M decisions, 200 k users)
//   commit   journal rows/s (one per decided request) that SqlStore group-commits to SQLite at
//            the shipped durability (WAL, synchronous=FULL) with the intent projector running,
//            next to a plain one-table insert of as many rows; then how long the projector
//            took to list the last commit's losses
//   commit-postgres URL  the same journal commits on PostgreSQL (a scratch database beside the
//            one URL names), next to a row-by-row and a multi-row (unnest) narrow insert
//   wal      SECONDS (default 60) of commits at full rate with the shipped write-ahead-log limit,
//            then as long without one: the log's peak size and the commit rate of each run
//   tickets [N...]  resident bytes per decided ticket of the ticket table (compact, and the layout
//            before issue 14 as the reference) at each N (default 1 M and 10 M), then two engine
//            sales of the largest N synthetic requests (tickets kept in memory, and dropped once
//            decided): bytes per ticket, peak RSS and the restart time on the sale's database
#include "engine/core/decider.h"
#include "engine/core/ticketbook.h"
#include "engine/node/engine.h"
#include "engine/storage/projector.h"
#include "engine/storage/store.h"
#include "tests/support/scratchdatabase.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using namespace flashsale;

namespace {

void print(const QJsonObject &result)
{
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

std::vector<PurchaseRequest> makeRequests(int count, int users)
{
    std::vector<QString> userIds;
    userIds.reserve(users);
    for (int u = 0; u < users; ++u)
        userIds.push_back(QStringLiteral("user-%1").arg(u));
    std::vector<PurchaseRequest> requests(count);
    std::uint64_t x = 88172645463325252ull; // xorshift: the same spread every run
    for (int i = 0; i < count; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        PurchaseRequest &r = requests[i];
        r.seq = std::uint64_t(i) + 1;
        r.eventId = QStringLiteral("bench");
        r.requestId = QString::number(i);
        r.userId = userIds[x % std::uint64_t(users)];
        r.userHash = hashUserId(r.userId); // as the front end does on its own thread
        r.contact = QStringLiteral("+86 138 0000 0000");
        r.quantity = 1;
        r.acceptedAtMs = 1'800'000'000'000 + i;
    }
    return requests;
}

void benchDecider()
{
    // The decider works on batches the front ends have just written, so the requests cycle
    // through a pool of 256 Ki (about the size of a busy second's batches) instead of 20 M
    // cold ones; the per-user table still grows to 200 k users.
    const int count = 20'000'000;
    const int users = 200'000;
    const std::vector<PurchaseRequest> requests = makeRequests(256 * 1024, users);
    double best = 0;
    std::int64_t won = 0;
    for (int round = 0; round < 3; ++round) {
        EventRuntime event;
        event.config.perUserLimit = 1'000'000;
        event.config.priceCents = 100;
        event.stockTotal = count / 2; // half win, then it sells out
        event.state = EventState::Open;
        event.wonUnitsByUser.reserve(users);
        Decider decider;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < count; ++i)
            decider.decide(event, requests[std::size_t(i) & (requests.size() - 1)], 1'800'000'000'000);
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        best = std::max(best, count / seconds);
        won = event.requests.won;
    }
    print({{"bench", "decider"}, {"decisions", count}, {"users", users}, {"won", qint64(won)},
           {"decisionsPerSecond", qRound64(best)}});
}

void benchCommit()
{
    QTemporaryDir dir(QDir::currentPath() + QStringLiteral("/bench-XXXXXX"));
    const int batches = 300;
    const int batchSize = 1000;
    const std::vector<PurchaseRequest> requests = makeRequests(batches * batchSize, 100'000);

    // The product's store: one journal row per request (and an order per win); the intent
    // projector folds the losses on its own thread and connection meanwhile.
    SqlStore store(StoreLocation::sqliteIn(dir.path()));
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "open: %s\n", qPrintable(error));
        return;
    }
    CommitBatch batch;
    QElapsedTimer timer;
    timer.start();
    for (int b = 0; b < batches; ++b) {
        batch.clear();
        for (int i = 0; i < batchSize; ++i) {
            const PurchaseRequest &r = requests[std::size_t(b) * batchSize + i];
            Decision d;
            d.seq = r.seq;
            d.decidedAtMs = r.acceptedAtMs + 1;
            d.unitPriceCents = 100;
            if (r.seq % 10 == 0) { // one in ten wins, as in a sale that is over-subscribed tenfold
                d.outcome = TicketState::Won;
                d.orderId = qint64(r.seq);
            } else {
                d.outcome = TicketState::Lost;
                d.reason = LossReason::SoldOut;
            }
            batch.decided.push_back({r, d});
        }
        if (!store.commit(batch, &error)) {
            std::fprintf(stderr, "commit: %s\n", qPrintable(error));
            return;
        }
    }
    const double storeSeconds = double(timer.nsecsElapsed()) / 1e9;
    // The projector, caught up: the losses of the last commit are in the intent list.
    std::int64_t notYetListed = -1;
    {
        QSqlDatabase reader = openConnection(StoreLocation::sqliteIn(dir.path()), QStringLiteral("lag"), &error);
        if (!records::intentsNotYetListed(reader, &notYetListed, &error))
            std::fprintf(stderr, "projector: %s\n", qPrintable(error));
        std::int64_t left = notYetListed;
        QElapsedTimer waited;
        waited.start();
        while (left > 0 && waited.elapsed() < 120'000 && records::intentsNotYetListed(reader, &left, &error))
            QThread::msleep(1);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("lag"));
    const double caughtUpSeconds = double(timer.nsecsElapsed()) / 1e9 - storeSeconds;
    store.close();

    // Reference: the same number of rows, one narrow table, same pragmas and transaction size.
    QString referenceError;
    double referenceSeconds = 0;
    {
        StoreLocation location = StoreLocation::sqliteIn(dir.path());
        location.databaseName = dir.filePath(QStringLiteral("reference.sqlite"));
        QSqlDatabase db = openConnection(location, QStringLiteral("reference"), &referenceError);
        QSqlQuery q(db);
        q.exec(QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INTEGER NOT NULL)"));
        q.prepare(QStringLiteral("INSERT INTO t (id, a, b) VALUES (?, ?, ?)"));
        timer.restart();
        qint64 id = 0;
        for (int b = 0; b < batches; ++b) {
            db.transaction();
            for (int i = 0; i < batchSize; ++i) { // one row per decided request, as the journal
                q.bindValue(0, ++id);
                q.bindValue(1, requests[std::size_t(b) * batchSize + i].userId);
                q.bindValue(2, id);
                q.exec();
            }
            db.commit();
        }
        referenceSeconds = double(timer.nsecsElapsed()) / 1e9;
    }
    QSqlDatabase::removeDatabase(QStringLiteral("reference"));
    const double journalRowsPerSecond = batches * batchSize / storeSeconds;
    const double referenceRowsPerSecond = double(batches) * batchSize / referenceSeconds;
    print({{"bench", "commit"}, {"decisions", batches * batchSize}, {"batchSize", batchSize},
           {"journalRowsPerSecond", qRound64(journalRowsPerSecond)},
           {"referenceRowsPerSecond", qRound64(referenceRowsPerSecond)},
           {"ratioToReference", journalRowsPerSecond / referenceRowsPerSecond},
           {"notYetListedAtLastCommit", qint64(notYetListed)},
           {"projectorCaughtUpMs", qRound64(caughtUpSeconds * 1000)}});
}

std::int64_t pgCount(QSqlDatabase &db, const char *table)
{
    QSqlQuery q(db);
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(QLatin1String(table))) && q.next() ? q.value(0).toLongLong() : -1;
}

// The same commits on PostgreSQL (a scratch database beside the one url names), next to two
// references on the same server in the same run: a narrow three-column row inserted row by row
// (one round trip each, as the store's commit did before it went set-based) and the same rows
// as one multi-row INSERT … SELECT FROM unnest per batch (the raw rate of set-based inserts).
void benchCommitPostgres(const QString &url)
{
    ScratchDatabase scratch(url, QStringLiteral("flashsale_bench"));
    if (!scratch.isReady()) {
        std::fprintf(stderr, "scratch database: %s\n", qPrintable(scratch.error()));
        return;
    }
    QString error;
    const StoreLocation location = StoreLocation::fromUrl(scratch.url(), &error);
    const int batches = 100;
    const int batchSize = 1000;
    const std::vector<PurchaseRequest> requests = makeRequests(batches * batchSize, 100'000);
    double storeSeconds = 0;
    {
        SqlStore store(location);
        if (!store.open(&error)) {
            std::fprintf(stderr, "open: %s\n", qPrintable(error));
            return;
        }
        CommitBatch batch;
        QElapsedTimer timer;
        timer.start();
        for (int b = 0; b < batches; ++b) {
            batch.clear();
            for (int i = 0; i < batchSize; ++i) {
                const PurchaseRequest &r = requests[std::size_t(b) * batchSize + i];
                Decision d;
                d.seq = r.seq;
                d.decidedAtMs = r.acceptedAtMs + 1;
                d.unitPriceCents = 100;
                if (r.seq % 10 == 0) {
                    d.outcome = TicketState::Won;
                    d.orderId = qint64(r.seq);
                } else {
                    d.outcome = TicketState::Lost;
                    d.reason = LossReason::SoldOut;
                }
                batch.decided.push_back({r, d});
            }
            if (!store.commit(batch, &error)) {
                std::fprintf(stderr, "commit: %s\n", qPrintable(error));
                return;
            }
        }
        storeSeconds = double(timer.nsecsElapsed()) / 1e9;
        store.close();
    }
    double rowByRowSeconds = 0;
    double multiRowSeconds = 0;
    {
        QSqlDatabase db = openConnection(location, QStringLiteral("reference"), &error);
        QSqlQuery q(db);
        q.exec(QStringLiteral("CREATE TABLE t1 (id BIGINT PRIMARY KEY, a TEXT NOT NULL, b BIGINT NOT NULL)"));
        q.exec(QStringLiteral("CREATE TABLE t2 (id BIGINT PRIMARY KEY, a TEXT NOT NULL, b BIGINT NOT NULL)"));
        QElapsedTimer timer;
        q.prepare(QStringLiteral("INSERT INTO t1 (id, a, b) VALUES (?, ?, ?)"));
        timer.start();
        qint64 id = 0;
        for (int b = 0; b < batches; ++b) {
            db.transaction();
            for (int i = 0; i < batchSize; ++i) {
                q.bindValue(0, ++id);
                q.bindValue(1, requests[std::size_t(b) * batchSize + i].userId);
                q.bindValue(2, id);
                q.exec();
            }
            db.commit();
        }
        rowByRowSeconds = double(timer.nsecsElapsed()) / 1e9;
        QSqlQuery multi(db);
        multi.prepare(QStringLiteral("INSERT INTO t2 (id, a, b) SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]),"
                                     " CAST(? AS bigint[]))"));
        timer.restart();
        id = 0;
        for (int b = 0; b < batches; ++b) {
            QStringList ids, users;
            for (int i = 0; i < batchSize; ++i) {
                ids << QString::number(++id);
                users << u'"' + requests[std::size_t(b) * batchSize + i].userId + u'"'; // [a-z0-9]: nothing to escape
            }
            const QString idArray = u'{' + ids.join(u',') + u'}';
            db.transaction();
            multi.bindValue(0, idArray);
            multi.bindValue(1, QString(u'{' + users.join(u',') + u'}'));
            multi.bindValue(2, idArray);
            multi.exec();
            db.commit();
        }
        multiRowSeconds = double(timer.nsecsElapsed()) / 1e9;
        if (pgCount(db, "t1") != batches * batchSize || pgCount(db, "t2") != batches * batchSize)
            std::fprintf(stderr, "reference rows missing: %s\n", qPrintable(q.lastError().text() + multi.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("reference"));
    const double rows = double(batches) * batchSize;
    print({{"bench", "commit-postgres"}, {"decisions", batches * batchSize}, {"batchSize", batchSize},
           {"journalRowsPerSecond", qRound64(rows / storeSeconds)},
           {"rowByRowReferenceRowsPerSecond", qRound64(rows / rowByRowSeconds)},
           {"multiRowReferenceRowsPerSecond", qRound64(rows / multiRowSeconds)},
           {"ratioToMultiRow", multiRowSeconds / storeSeconds}, {"ratioToRowByRow", rowByRowSeconds / storeSeconds}});
}

// Commits for seconds at full rate; peak write-ahead-log size, rows/s and commit times.
QJsonObject sustainedCommits(std::int64_t walLimitBytes, int seconds)
{
    QTemporaryDir dir(QDir::currentPath() + QStringLiteral("/bench-XXXXXX"));
    const int batchSize = 1000;
    const std::vector<PurchaseRequest> pool = makeRequests(64 * batchSize, 100'000);
    SqlStore store(StoreLocation::sqliteIn(dir.path()), walLimitBytes);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "open: %s\n", qPrintable(error));
        return {};
    }
    const QString wal = dir.filePath(QStringLiteral("flashsale.sqlite-wal"));
    std::vector<double> commitMs;
    std::int64_t peakWalBytes = 0;
    std::uint64_t seq = 0;
    CommitBatch batch;
    QElapsedTimer total;
    total.start();
    QElapsedTimer one;
    while (total.elapsed() < seconds * 1000ll) {
        batch.clear();
        for (int i = 0; i < batchSize; ++i) {
            PurchaseRequest r = pool[seq % pool.size()];
            r.seq = ++seq;
            r.requestId = QString::number(seq);
            Decision d;
            d.seq = r.seq;
            d.decidedAtMs = r.acceptedAtMs + 1;
            d.unitPriceCents = 100;
            d.outcome = TicketState::Lost;
            d.reason = LossReason::SoldOut;
            batch.decided.push_back({std::move(r), d});
        }
        one.start();
        if (!store.commit(batch, &error)) {
            std::fprintf(stderr, "commit: %s\n", qPrintable(error));
            return {};
        }
        commitMs.push_back(double(one.nsecsElapsed()) / 1e6);
        peakWalBytes = std::max<std::int64_t>(peakWalBytes, QFileInfo(wal).size());
    }
    const double elapsedS = double(total.nsecsElapsed()) / 1e9;
    store.close();
    std::sort(commitMs.begin(), commitMs.end());
    return QJsonObject{{"peakWalBytes", qint64(peakWalBytes)},
                       {"rowsPerSecond", qRound64(double(seq) / elapsedS)}, // journal rows: one per loss
                       {"requests", qint64(seq)},
                       {"p50CommitMs", commitMs[commitMs.size() / 2]},
                       {"p99CommitMs", commitMs[commitMs.size() * 99 / 100]},
                       {"maxCommitMs", commitMs.back()}};
}

void benchWal(int seconds)
{
    const QJsonObject bounded = sustainedCommits(kDefaultWalLimitBytes, seconds);
    const QJsonObject unbounded = sustainedCommits(std::int64_t(1) << 50, seconds);
    print({{"bench", "wal"}, {"seconds", seconds}, {"limitBytes", qint64(kDefaultWalLimitBytes)}, {"bounded", bounded},
           {"unbounded", unbounded},
           {"rateRatio", bounded.value("rowsPerSecond").toDouble() / unbounded.value("rowsPerSecond").toDouble()}});
}

// Resident bytes of this process (VmRSS) and its peak (VmHWM), from /proc/self/status.
struct Resident {
    std::int64_t bytes = 0;
    std::int64_t peakBytes = 0;
};

// Starts the peak (VmHWM) afresh from the current RSS (Linux: clear_refs 5).
void resetPeakResident()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

Resident resident()
{
    Resident r;
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return r;
    for (const QByteArray &line : status.readAll().split('\n')) {
        const auto kib = [&line] { return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024; };
        if (line.startsWith("VmRSS:"))
            r.bytes = kib();
        else if (line.startsWith("VmHWM:"))
            r.peakBytes = kib();
    }
    return r;
}

// The ticket table as it was before the compact one (0.x up to issue 14): a 40-byte entry per
// seq in chunks, and a QHash from (event, requestId string) to seq. Kept here only as the
// benchmark's reference, filled with the same requests.
class ReferenceTicketTable
{
public:
    void add(std::uint64_t seq, std::int32_t eventIndex, const QString &requestId, std::uint64_t tag, std::uint64_t user)
    {
        const std::size_t chunk = seq >> 16;
        if (chunk >= m_chunks.size())
            m_chunks.resize(chunk + 1);
        if (!m_chunks[chunk])
            m_chunks[chunk] = std::make_unique<Entry[]>(1u << 16);
        m_chunks[chunk][seq & 0xffff] = Entry{tag, user, eventIndex, 0, 0, TicketState::Pending, LossReason::None};
        m_seqByKey.insert(Key{eventIndex, requestId}, seq);
    }
    void decide(std::uint64_t seq, TicketState state, std::int64_t orderId)
    {
        Entry &e = m_chunks[seq >> 16][seq & 0xffff];
        e.state = state;
        e.orderId = orderId;
    }
    std::size_t size() const { return std::size_t(m_seqByKey.size()); }

private:
    struct Entry {
        std::uint64_t tag = 0;
        std::uint64_t userHash = 0;
        std::int32_t eventIndex = -1;
        std::int64_t orderId = 0;
        std::uint32_t listenerMask = 0;
        TicketState state = TicketState::Pending;
        LossReason reason = LossReason::None;
    };
    struct Key {
        std::int32_t eventIndex;
        QString requestId;
        bool operator==(const Key &) const = default;
    };
    friend size_t qHash(const Key &key, size_t seed) { return qHashMulti(seed, key.eventIndex, key.requestId); }
    std::vector<std::unique_ptr<Entry[]>> m_chunks;
    QHash<Key, std::uint64_t> m_seqByKey;
};

// A requestId as clients send them: a UUID's 36 characters.
QString requestIdOf(std::uint64_t i)
{
    return QStringLiteral("%1-0000-4000-8000-%2").arg(i, 8, 16, QLatin1Char('0')).arg(i * 2654435761u, 12, 16, QLatin1Char('0'));
}

// Resident bytes per decided ticket of the ticket table alone, compact and reference, filled with
// the same count of requests (UUID requestIds), measured one after the other in this process.
// Requests are made and decided 10 k at a time, as a queue of undecided ones would hold them.
QJsonObject ticketTableBytes(std::int64_t count)
{
    const auto fill = [count](auto &&add, auto &&decide) {
        const std::int64_t before = resident().bytes;
        const std::int64_t batch = 10'000;
        for (std::int64_t first = 1; first <= count; first += batch) {
            const std::int64_t last = std::min(count, first + batch - 1);
            for (std::int64_t i = first; i <= last; ++i)
                add(std::uint64_t(i), requestIdOf(std::uint64_t(i)));
            for (std::int64_t i = first; i <= last; ++i)
                decide(std::uint64_t(i));
        }
        return double(resident().bytes - before) / double(count);
    };
    double compact = 0;
    std::size_t compactHeapBytes = 0;
    {
        auto book = std::make_unique<TicketBook>();
        std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
        std::vector<TicketChange> changes(1);
        Claim claim = Claim::Refused;
        compact = fill(
            [&](std::uint64_t i, const QString &id) {
                book->findOrCreate(0, id, i % 200'000 + 1, i * 7, &claim, [](std::uint64_t) { return true; });
            },
            [&](std::uint64_t seq) {
                changes[0] = TicketChange{seq, seq % 10 == 0 ? TicketState::Won : TicketState::Lost,
                                          seq % 10 == 0 ? LossReason::None : LossReason::SoldOut, std::int64_t(seq)};
                book->apply(changes, notify);
            });
        compactHeapBytes = book->heapBytes();
    }
    malloc_trim(0);
    double reference = 0;
    {
        auto table = std::make_unique<ReferenceTicketTable>();
        reference = fill([&](std::uint64_t i, const QString &id) { table->add(i, 0, id, i * 7, i % 200'000 + 1); },
                         [&](std::uint64_t seq) {
                             table->decide(seq, seq % 10 == 0 ? TicketState::Won : TicketState::Lost, std::int64_t(seq));
                         });
    }
    malloc_trim(0);
    return QJsonObject{{"requests", qint64(count)}, {"compactBytesPerTicket", qRound(compact)},
                       {"compactHeapBytesPerTicket", qRound(double(compactHeapBytes) / double(count))},
                       {"referenceBytesPerTicket", qRound(reference)}, {"ratioToReference", compact / reference}};
}

// A sale of count synthetic requests through the engine on SQLite (2 submitting threads, 1 M
// users, UUID requestIds), decided tickets kept in memory for memoryMs: resident bytes per
// decided ticket after the first million and at the end (both from before the sale, so they
// include SQLite's page caches, up to 64 MiB per connection) and between the two (what one more
// ticket costs), the sale's peak RSS, then the time a new engine on the same database takes to
// start (the bulk of restart to /healthz), its peak and what it holds after.
QJsonObject engineSale(std::int64_t count, std::int64_t memoryMs)
{
    QTemporaryDir dir(QDir::currentPath() + QStringLiteral("/bench-XXXXXX"));
    EngineOptions options;
    options.store = StoreLocation::sqliteIn(dir.path());
    options.ticketMemoryMs = memoryMs;
    QString error;
    QJsonObject result{{"requests", qint64(count)}, {"ticketMemoryMs", qint64(memoryMs)}};
    {
        Engine engine(options);
        if (!engine.start(&error)) {
            std::fprintf(stderr, "start: %s\n", qPrintable(error));
            return {};
        }
        EventConfig config;
        config.id = QStringLiteral("bench");
        config.name = QStringLiteral("bench");
        config.priceCents = 100;
        config.stock = count / 10;
        config.perUserLimit = 1'000'000;
        engine.createEvent(config, CreateAs::Draft);
        engine.actOnEvent(config.id, EventAction::Open);
        malloc_trim(0);
        resetPeakResident();
        const std::int64_t before = resident().bytes;
        QElapsedTimer timer;
        timer.start();
        std::atomic<std::int64_t> next{0};
        const auto submitter = [&] {
            for (std::int64_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
                PurchaseRequest request;
                request.requestId = requestIdOf(std::uint64_t(i) + 1);
                request.userId = QStringLiteral("user-%1").arg(i % 1'000'000);
                request.quantity = 1;
                while (engine.submit(config.id, request, -1, TicketState::Queued).status == Status::Overloaded)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        };
        std::thread a(submitter), b(submitter);
        const std::int64_t firstMark = std::min<std::int64_t>(count, 1'000'000);
        std::int64_t atFirstMark = 0;
        for (std::int64_t decided = 0; decided < count; decided = engine.stats().requests.decided()) {
            if (!atFirstMark && decided >= firstMark)
                atFirstMark = resident().bytes;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        a.join();
        b.join();
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        malloc_trim(0);
        const Resident after = resident();
        if (!atFirstMark)
            atFirstMark = after.bytes;
        result.insert("decisionsPerSecond", qRound64(double(count) / seconds));
        result.insert("bytesPerTicketAtFirstMillion", qRound64(double(atFirstMark - before) / double(firstMark)));
        result.insert("bytesPerTicket", qRound64(double(after.bytes - before) / double(count)));
        if (count > firstMark)
            result.insert("marginalBytesPerTicket", qRound64(double(after.bytes - atFirstMark) / double(count - firstMark)));
        result.insert("peakRssBytes", qint64(after.peakBytes));
        engine.stop();
    }
    malloc_trim(0);
    resetPeakResident();
    QElapsedTimer restart;
    restart.start();
    Engine again(options);
    if (!again.start(&error)) {
        std::fprintf(stderr, "restart: %s\n", qPrintable(error));
        return {};
    }
    result.insert("restartSeconds", double(restart.nsecsElapsed()) / 1e9);
    const Resident restarted = resident();
    result.insert("restartedRssBytes", qint64(restarted.bytes));
    result.insert("restartPeakRssBytes", qint64(restarted.peakBytes));
    result.insert("databaseBytes", qint64(QFileInfo(options.store.databaseName).size()));
    again.stop();
    return result;
}

// The ticket table at each count, then one engine sale of the largest count keeping tickets
// in memory (the default 3 h outlasts the run) and one dropping them once decided.
void benchTickets(const QList<std::int64_t> &counts)
{
    for (const std::int64_t count : counts)
        print({{"bench", "ticketTable"}, {"result", ticketTableBytes(count)}});
    const std::int64_t largest = *std::max_element(counts.begin(), counts.end());
    for (const std::int64_t memoryMs : {EngineOptions::kDefaultTicketMemoryMs, std::int64_t(0)})
        print({{"bench", "engineSale"}, {"result", engineSale(largest, memoryMs)}});
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.isEmpty() || args.contains(u"decider"_qs))
        benchDecider();
    if (args.isEmpty() || args.contains(u"commit"_qs))
        benchCommit();
    if (const qsizetype at = args.indexOf(u"commit-postgres"_qs); at >= 0) {
        if (at + 1 >= args.size()) {
            std::fprintf(stderr, "commit-postgres needs a server URL (scripts/start-postgres.sh prints one)\n");
            return 2;
        }
        benchCommitPostgres(args[at + 1]);
    }
    if (const qsizetype at = args.indexOf(u"wal"_qs); args.isEmpty() || at >= 0) {
        const int seconds = at >= 0 && at + 1 < args.size() ? args[at + 1].toInt() : 0;
        benchWal(seconds > 0 ? seconds : 60);
    }
    if (const qsizetype at = args.indexOf(u"tickets"_qs); at >= 0) {
        QList<std::int64_t> counts;
        for (qsizetype i = at + 1; i < args.size() && args[i].toLongLong() > 0; ++i)
            counts << args[i].toLongLong();
        benchTickets(counts.isEmpty() ? QList<std::int64_t>{1'000'000, 10'000'000} : counts);
    }
    return 0;
}
