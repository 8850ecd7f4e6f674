// The listener cap: the engine hands out exactly as many listener ids as the fronts of the
// largest thread count need, then -1; an id that is not a listener watches nothing (no shift
// by -1 or past the mask); a node at the thread cap starts, one thread more is refused.
#include "tests/support/crowdoptions.h"
#include "engine/api/server.h"
#include "engine/node/engine.h"

#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace flashsale;

namespace {

// A front that only counts what it is told. Thread: called on the writer thread.
class CountingListener : public TicketListener
{
public:
    void ticketsChanged(std::vector<std::uint64_t> &seqs) override
    {
        told.fetch_add(std::int64_t(seqs.size()));
        seqs.clear();
    }
    std::atomic<std::int64_t> told{0};
};

} // namespace

class TestListeners : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void capacityFollowsTheThreadCap()
    {
        QCOMPARE(TicketBook::kMaxListeners, HttpService::kMaxThreads * TicketBook::kListenersPerFrontThread);
    }

    void engineHandsOutEveryIdThenMinusOne()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EngineOptions options;
        options.store = StoreLocation::sqliteIn(dir.path());
        Engine engine(options);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));

        CountingListener listener;
        std::set<int> ids;
        for (int i = 0; i < TicketBook::kMaxListeners; ++i) {
            const int id = engine.addListener(&listener);
            QVERIFY2(TicketBook::isListener(id), qPrintable(QString::number(id)));
            ids.insert(id);
        }
        QCOMPARE(int(ids.size()), TicketBook::kMaxListeners);
        QCOMPARE(engine.addListener(&listener), -1);
        engine.removeListener(7);
        QCOMPARE(engine.addListener(&listener), 7); // a freed id is handed out again
        engine.stop();
    }

    void nonListenerWatchesNothing_data()
    {
        QTest::addColumn<int>("id");
        QTest::newRow("-1 (none left)") << -1;
        QTest::newRow("one past the last") << TicketBook::kMaxListeners;
        QTest::newRow("far out") << 1000;
    }

    void nonListenerWatchesNothing()
    {
        QFETCH(int, id);
        QVERIFY(!TicketBook::isListener(id));
        TicketBook book;
        Claim claim{};
        const auto ticket = book.findOrCreate(0, u"r1"_qs, 1, 0xabc, &claim, [](std::uint64_t) { return true; });
        QVERIFY(ticket);
        const auto other = book.findOrCreate(0, u"r2"_qs, 1, 0xdef, &claim, [](std::uint64_t) { return true; });
        QVERIFY(other);

        // The view comes back either way; only a real listener is remembered.
        const auto watched = book.watch(ticket->seq, id, TicketState::Won);
        QVERIFY(watched);
        QCOMPARE(watched->seq, ticket->seq);
        QVERIFY(book.watch(other->seq, 3, TicketState::Won));

        std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
        book.apply({TicketChange{ticket->seq, TicketState::Won, LossReason::None, 1},
                    TicketChange{other->seq, TicketState::Lost, LossReason::SoldOut, 0}},
                   notify);
        for (int i = 0; i < TicketBook::kMaxListeners; ++i) {
            const std::vector<std::uint64_t> expected = i == 3 ? std::vector<std::uint64_t>{other->seq}
                                                               : std::vector<std::uint64_t>{};
            QVERIFY2(notify[i] == expected, qPrintable(QStringLiteral("listener %1 told of %2 tickets").arg(i).arg(notify[i].size())));
        }
        QVERIFY(book.get(ticket->seq)->state == TicketState::Won);

        // A ticket not seen yet (another node's) is reported unseen, and nobody is told later.
        QVERIFY(book.watchUnseen(1'000'000, id));
    }

    void nodeStartsAtTheThreadCap_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("starts");
        QTest::newRow("at the cap") << HttpService::kMaxThreads << true;
        QTest::newRow("one more") << HttpService::kMaxThreads + 1 << false;
    }

    void nodeStartsAtTheThreadCap()
    {
        QFETCH(int, threads);
        QFETCH(bool, starts);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ServerOptions options = crowdNodeOptions();
        options.dataDir = dir.path();
        options.port = 0;
        options.adminToken = u"listeners-token"_qs;
        options.httpThreads = threads;
        Server server(options);
        QString error;
        QCOMPARE(server.start(&error), starts);
        if (!starts) {
            QVERIFY2(error.contains(QString::number(HttpService::kMaxThreads)), qPrintable(error));
            return;
        }
        // Every front of every thread got a listener: none is left over.
        CountingListener extra;
        QCOMPARE(server.engine().addListener(&extra), -1);
        server.stop();
    }
};

QTEST_GUILESS_MAIN(TestListeners)
#include "tst_listeners.moc"
