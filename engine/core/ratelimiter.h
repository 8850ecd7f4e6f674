// Token buckets per key (a client address, or a user on signed events), in bounded memory and
// shared by every acceptor thread.
#pragma once

#include <QByteArray>
#include <QHashFunctions> // std::hash<QByteArray>

#include <array>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

namespace flashsale {

// Thread-safe: keys are spread over kShards shards, each with its own mutex, so acceptor threads
// rarely wait for each other. Memory: at most maxKeys buckets in all; when a shard is full the key
// seen longest ago is forgotten (it comes back with a full burst, the price of a bound an attacker
// with many addresses cannot grow).
class RateLimiter
{
public:
    // perSecond tokens a second, up to burst tokens saved; perSecond 0 turns the limiter off.
    RateLimiter(double perSecond, int burst, std::size_t maxKeys = kDefaultMaxKeys);

    struct Verdict {
        bool allowed = true;
        int retryAfterS = 0; // when refused: whole seconds until a token is there (at least 1)
    };
    // Takes one token for key at nowUs (a steady clock).
    Verdict take(const QByteArray &key, std::int64_t nowUs);

    bool enabled() const { return m_perSecond > 0; }
    std::size_t trackedKeys() const;

    static constexpr std::size_t kDefaultMaxKeys = 100'000;
    static constexpr int kShards = 16;

private:
    struct Bucket {
        double tokens = 0;
        std::int64_t updatedUs = 0;
        std::list<QByteArray>::iterator age; // position in Shard::byAge
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<QByteArray, Bucket> buckets; // guarded by mutex
        std::list<QByteArray> byAge;                    // guarded by mutex; most recently used at the back
    };

    const double m_perSecond;
    const double m_burst;
    const std::size_t m_maxKeysPerShard;
    std::array<Shard, kShards> m_shards;
};

} // namespace flashsale
