// libFuzzer target: raw bytes through Beast's request parser with the front's limits, the
// transport's framing and conformance checks (requestcheck), and the HTTP routes, as the
// transport runs them; several pipelined requests per input.
#include "fuzzengine.h"

#include "engine/api/requestcheck.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

using namespace flashsale;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::Fixture &f = fuzz::fixture();
    const HttpLimits limits;
    std::string_view input(reinterpret_cast<const char *>(data), size);
    for (int requests = 0; requests < 8 && !input.empty(); ++requests) {
        requestcheck::Parser parser;
        requestcheck::limit(parser, limits);
        parser.eager(true);
        boost::beast::error_code ec;
        bool headChecked = false;
        requestcheck::Head head;
        while (!parser.is_done() && !input.empty()) {
            const std::size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
            input.remove_prefix(used);
            if (ec == boost::beast::http::error::need_more) {
                ec = {};
                if (used == 0)
                    break; // the rest of the input is not a whole request
                continue;
            }
            if (ec)
                break;
            if (parser.is_header_done() && !headChecked) {
                headChecked = true;
                if (requestcheck::checkHead(parser, limits, &head))
                    return 0; // refused: the connection closes
            }
        }
        if (ec) {
            requestcheck::parseError(ec, limits);
            return 0;
        }
        if (!parser.is_done())
            return 0;
        std::optional<RouteRequest> request = requestcheck::toRouteRequest(parser.get(), head.method);
        if (!request)
            return 0;
        RouteReply reply;
        fuzz::DroppingResponder responder;
        f.routes->handle(*request, reply, responder);
        f.waiters->finish();
        if (!head.keepAlive)
            return 0;
    }
    return 0;
}
