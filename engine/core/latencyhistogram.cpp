#include "engine/core/latencyhistogram.h"

#include <bit>
#include <cmath>

namespace flashsale {

int LatencyHistogram::bucketOf(std::int64_t micros)
{
    if (micros < kSubBuckets)
        return micros < 0 ? 0 : int(micros);
    const int power = std::bit_width(std::uint64_t(micros)) - 1; // >= 3
    const int sub = int((micros >> (power - 3)) & (kSubBuckets - 1));
    const int bucket = (power - 2) * kSubBuckets + sub;
    return bucket < kBuckets ? bucket : kBuckets - 1;
}

std::int64_t LatencyHistogram::upperBoundOf(int bucket)
{
    if (bucket < kSubBuckets)
        return bucket + 1;
    const int power = bucket / kSubBuckets + 2;
    const int sub = bucket % kSubBuckets;
    return (std::int64_t(kSubBuckets + sub + 1)) << (power - 3);
}

std::int64_t LatencyHistogram::quantile(const Counts &counts, double q)
{
    std::uint64_t total = 0;
    for (auto c : counts)
        total += c;
    if (total == 0)
        return 0;
    const auto rank = std::uint64_t(std::ceil(q * double(total)));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += counts[i];
        if (seen >= rank && counts[i] > 0)
            return upperBoundOf(i);
    }
    return upperBoundOf(kBuckets - 1);
}

} // namespace flashsale
