#include "engine/core/ratelimiter.h"


#include <algorithm>
#include <cmath>

namespace flashsale {

RateLimiter::RateLimiter(double perSecond, int burst, std::size_t maxKeys)
    : m_perSecond(std::max(0.0, perSecond))
    , m_burst(std::max(1, burst))
    , m_maxKeysPerShard(std::max<std::size_t>(1, maxKeys / kShards))
{
}

RateLimiter::Verdict RateLimiter::take(const QByteArray &key, std::int64_t nowUs)
{
    if (m_perSecond <= 0)
        return {};
    Shard &shard = m_shards[qHash(key) % kShards];
    std::lock_guard lock(shard.mutex);
    auto it = shard.buckets.find(key);
    if (it == shard.buckets.end()) {
        if (shard.buckets.size() >= m_maxKeysPerShard) {
            shard.buckets.erase(shard.byAge.front());
            shard.byAge.pop_front();
        }
        shard.byAge.push_back(key);
        it = shard.buckets.emplace(key, Bucket{m_burst, nowUs, std::prev(shard.byAge.end())}).first;
    } else {
        shard.byAge.splice(shard.byAge.end(), shard.byAge, it->second.age);
    }
    Bucket &bucket = it->second;
    const double elapsedS = double(std::max<std::int64_t>(0, nowUs - bucket.updatedUs)) / 1e6;
    bucket.tokens = std::min(m_burst, bucket.tokens + elapsedS * m_perSecond);
    bucket.updatedUs = nowUs;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return {};
    }
    const double waitS = (1.0 - bucket.tokens) / m_perSecond;
    return {false, std::max(1, int(std::ceil(waitS)))};
}

std::size_t RateLimiter::trackedKeys() const
{
    std::size_t total = 0;
    for (const Shard &shard : m_shards) {
        std::lock_guard lock(shard.mutex);
        total += shard.buckets.size();
    }
    return total;
}

} // namespace flashsale
