// flashsale_bench: in-process benchmarks of the engine's two hot loops, printed as JSON lines.
//   decider  decisions/s of Decider::decide on one thread (20 M decisions, 200 k users)
//   commit   journal rows/s (one per decided request) that SqlStore group-commits to SQLite at
//            the shipped durability (WAL, synchronous=FULL) with the intent projector running,
//            next to a plain one-table insert of as many rows; then how long the projector
//            took to list the last commit's losses
//   wal      SECONDS (default 60) of commits at full rate with the shipped write-ahead-log limit,
//            then as long without one: the log's peak size and the commit rate of each run
#include "engine/core/decider.h"
#include "engine/storage/projector.h"
#include "engine/storage/store.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.isEmpty() || args.contains(u"decider"_qs))
        benchDecider();
    if (args.isEmpty() || args.contains(u"commit"_qs))
        benchCommit();
    if (const qsizetype at = args.indexOf(u"wal"_qs); args.isEmpty() || at >= 0) {
        const int seconds = at >= 0 && at + 1 < args.size() ? args[at + 1].toInt() : 0;
        benchWal(seconds > 0 ? seconds : 60);
    }
    return 0;
}
