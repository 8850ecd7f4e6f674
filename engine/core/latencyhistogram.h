// A lock-free histogram of latencies in microseconds, with 8 buckets per power of two.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace flashsale {

// Thread safety: record() from any thread; counts() gives a consistent-enough copy for display.
class LatencyHistogram
{
public:
    static constexpr int kSubBuckets = 8;
    static constexpr int kPowers = 28; // up to ~2^28 µs ≈ 4.5 min
    static constexpr int kBuckets = kSubBuckets * kPowers;
    using Counts = std::array<std::uint64_t, kBuckets>;

    void record(std::int64_t micros)
    {
        m_buckets[bucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
    }

    Counts counts() const
    {
        Counts copy{};
        for (int i = 0; i < kBuckets; ++i)
            copy[i] = m_buckets[i].load(std::memory_order_relaxed);
        return copy;
    }

    static int bucketOf(std::int64_t micros);
    // Upper bound in µs of bucket i.
    static std::int64_t upperBoundOf(int bucket);
    // The q-quantile (0..1) in µs of a histogram (or of the difference of two), 0 when empty.
    static std::int64_t quantile(const Counts &counts, double q);

private:
    std::array<std::atomic<std::uint64_t>, kBuckets> m_buckets{};
};

} // namespace flashsale
