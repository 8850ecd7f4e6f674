// The fair-start gate on its own: what it holds, when it lets go, and that the order it lets go
// in is a uniformly random one (statistical assertions with failure odds far below 1e-9).
#include "engine/core/fairstart.h"

#include <QTest>

#include <algorithm>
#include <map>
#include <set>

using namespace flashsale;

namespace {

PurchaseRequest request(std::int32_t eventIndex, std::uint64_t seq)
{
    PurchaseRequest r;
    r.eventIndex = eventIndex;
    r.seq = seq;
    r.quantity = 1;
    return r;
}

std::vector<std::uint64_t> seqsOf(const std::vector<PurchaseRequest> &requests)
{
    std::vector<std::uint64_t> seqs;
    for (const PurchaseRequest &r : requests)
        seqs.push_back(r.seq);
    return seqs;
}

} // namespace

class TestFairStart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void holdsOnlyWithinTheWindow()
    {
        FairStartGate gate;
        PurchaseRequest early = request(0, 1);
        QVERIFY(gate.hold(early, 1000, 999));
        PurchaseRequest otherEvent = request(1, 2);
        QVERIFY(!gate.hold(otherEvent, 1000, 1000));
        QCOMPARE(otherEvent.seq, std::uint64_t(2)); // left for the decider to take now
        QCOMPARE(gate.heldCount(), std::size_t(1));
        QCOMPARE(gate.nextReleaseAtMs(), std::int64_t(1000));
        // After the window closed, before its release: behind the window's requests, not ahead.
        PurchaseRequest late = request(0, 3);
        QVERIFY(gate.hold(late, 1000, 1001));
        QCOMPARE(gate.heldCount(), std::size_t(2));
        std::vector<PurchaseRequest> out;
        gate.releaseDue(1001, out);
        QCOMPARE(out.size(), std::size_t(2));
        QCOMPARE(out[0].seq, std::uint64_t(1));
        QCOMPARE(out[1].seq, std::uint64_t(3));
        QCOMPARE(gate.heldCount(), std::size_t(0));
        PurchaseRequest afterRelease = request(0, 4);
        QVERIFY(!gate.hold(afterRelease, 1000, 1002));
    }

    void releasesEachEventWhenItsWindowCloses()
    {
        FairStartGate gate;
        for (std::uint64_t seq = 1; seq <= 5; ++seq) {
            PurchaseRequest a = request(0, seq);
            QVERIFY(gate.hold(a, 1000, 10));
            PurchaseRequest b = request(1, 100 + seq);
            QVERIFY(gate.hold(b, 2000, 10));
        }
        std::vector<PurchaseRequest> out;
        gate.releaseDue(999, out);
        QVERIFY(out.empty());
        gate.releaseDue(1000, out);
        std::vector<std::uint64_t> seqs = seqsOf(out);
        std::sort(seqs.begin(), seqs.end());
        QCOMPARE(seqs, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
        QCOMPARE(gate.heldCount(), std::size_t(5));
        QCOMPARE(gate.nextReleaseAtMs(), std::int64_t(2000));
        out.clear();
        gate.releaseAll(out);
        QCOMPARE(out.size(), std::size_t(5));
        QCOMPARE(gate.heldCount(), std::size_t(0));
        QCOMPARE(gate.nextReleaseAtMs(), std::numeric_limits<std::int64_t>::max());
    }

    // Stock 100, 300 requests in arrival order: with a uniform shuffle the first 100 released
    // share about 33 with the first 100 arrivals (hypergeometric, sd ≈ 4.7); 70 or more has odds
    // below 1e-15. Without the shuffle it would be 100.
    void firstArrivalsGainNothing()
    {
        FairStartGate gate;
        for (std::uint64_t seq = 1; seq <= 300; ++seq) {
            PurchaseRequest r = request(0, seq);
            QVERIFY(gate.hold(r, 1000, 0));
        }
        std::vector<PurchaseRequest> out;
        gate.releaseDue(1000, out);
        QCOMPARE(out.size(), std::size_t(300));
        const std::vector<std::uint64_t> released = seqsOf(out);
        const std::set<std::uint64_t> all(released.begin(), released.end());
        QCOMPARE(all.size(), std::size_t(300)); // a permutation: nothing lost, nothing twice
        int earlyWinners = 0;
        for (std::size_t i = 0; i < 100; ++i)
            earlyWinners += out[i].seq <= 100 ? 1 : 0;
        QVERIFY2(earlyWinners < 70, qPrintable(QString::number(earlyWinners)));
    }

    // Every order of three requests turns up about equally often over 6,000 windows: each of the
    // six orders 1,000 ± 200 times (sd ≈ 29, so ±200 is about seven sd).
    void everyOrderEquallyLikely()
    {
        std::map<std::vector<std::uint64_t>, int> counts;
        for (int trial = 0; trial < 6000; ++trial) {
            FairStartGate gate;
            for (std::uint64_t seq = 1; seq <= 3; ++seq) {
                PurchaseRequest r = request(0, seq);
                gate.hold(r, 1, 0);
            }
            std::vector<PurchaseRequest> out;
            gate.releaseDue(1, out);
            ++counts[seqsOf(out)];
        }
        QCOMPARE(counts.size(), std::size_t(6));
        for (const auto &[order, count] : counts)
            QVERIFY2(count > 800 && count < 1200, qPrintable(QString::number(count)));
    }
};

QTEST_GUILESS_MAIN(TestFairStart)
#include "tst_fairstart.moc"
