// SipHash-2-4 with a 128-bit output: the keyed hash the ticket book indexes idempotency keys by.
#pragma once

#include <cstddef>
#include <cstdint>

namespace flashsale {

// A 128-bit hash value.
struct Hash128 {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    bool operator==(const Hash128 &) const = default;
};

// The secret a keyed hash is keyed with; random() draws a fresh one from the system's generator
// (one per ticket book, so per process: a client cannot choose requestIds that collide).
struct SipKey {
    std::uint64_t k0 = 0;
    std::uint64_t k1 = 0;
    static SipKey random();
};

// SipHash-2-4 of bytes bytes at data, 128-bit output variant (the reference implementation's
// vectors_sip128 with the key 00 01 .. 0f, little-endian words).
Hash128 sipHash128(const SipKey &key, const void *data, std::size_t bytes);

} // namespace flashsale
