#include "engine/core/keyedhash.h"

#include <QRandomGenerator>

#include <bit>
#include <cstring>

namespace flashsale {

namespace {

struct SipState {
    std::uint64_t v0, v1, v2, v3;

    void round()
    {
        v0 += v1;
        v1 = std::rotl(v1, 13);
        v1 ^= v0;
        v0 = std::rotl(v0, 32);
        v2 += v3;
        v3 = std::rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = std::rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = std::rotl(v1, 17);
        v1 ^= v2;
        v2 = std::rotl(v2, 32);
    }
    void compress(std::uint64_t m)
    {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
    std::uint64_t finish(std::uint64_t marker)
    {
        v2 ^= marker;
        for (int i = 0; i < 4; ++i)
            round();
        return v0 ^ v1 ^ v2 ^ v3;
    }
};

std::uint64_t loadLittleEndian(const unsigned char *bytes, std::size_t count)
{
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < count; ++i)
        word |= std::uint64_t(bytes[i]) << (8 * i);
    return word;
}

} // namespace

SipKey SipKey::random()
{
    QRandomGenerator *system = QRandomGenerator::system();
    return SipKey{system->generate64(), system->generate64()};
}

Hash128 sipHash128(const SipKey &key, const void *data, std::size_t bytes)
{
    SipState s{0x736f6d6570736575ull ^ key.k0, 0x646f72616e646f6dull ^ key.k1 ^ 0xee, 0x6c7967656e657261ull ^ key.k0,
               0x7465646279746573ull ^ key.k1};
    const auto *in = static_cast<const unsigned char *>(data);
    const std::size_t whole = bytes & ~std::size_t(7);
    for (std::size_t i = 0; i < whole; i += 8)
        s.compress(loadLittleEndian(in + i, 8));
    s.compress((std::uint64_t(bytes) << 56) | loadLittleEndian(in + whole, bytes - whole));
    Hash128 out;
    out.lo = s.finish(0xee);
    s.v1 ^= 0xdd;
    out.hi = s.finish(0);
    return out;
}

} // namespace flashsale
