// libFuzzer target: WebSocket messages through the WebSocket front (purchase, subscribe, watch,
// unwatch, errors), as a shopper or on the admin feed; the first byte picks which.
#include "fuzzengine.h"

using namespace flashsale;

namespace {

// Collects what the front sends, as the transport's queue would (bounded the same way).
class Collector final : public WsConnection
{
public:
    void sendText(const QByteArray &utf8) override
    {
        if (m_bytes + std::size_t(utf8.size()) > (1 << 20))
            return;
        m_bytes += std::size_t(utf8.size());
        if (utf8.size() > 64 * 1024 + 1024)
            std::abort(); // an answer bigger than any message it answers: input echoed unbounded
    }
    std::size_t queuedBytes() const override { return m_bytes; }

private:
    std::size_t m_bytes = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0 || size > std::size_t(WsFront::kMaxMessageBytes) + 1)
        return 0;
    fuzz::Fixture &f = fuzz::fixture();
    Collector connection;
    const bool admin = data[0] & 1;
    const bool binary = data[0] & 2;
    const std::uint64_t id = f.ws->open(&connection, admin, QHostAddress(QHostAddress::LocalHost));
    const QByteArray payload(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    // One message, then the same again (a second watch, a repeated purchase).
    f.ws->message(id, payload, binary);
    f.ws->message(id, payload, binary);
    f.ws->tick();
    f.ws->closed(id);
    f.waiters->finish();
    return 0;
}
