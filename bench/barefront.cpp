// The bare-front reference for bench/run.sh: the same library as the node's front (Boost.Beast
// over Asio, one io_context on one thread) doing the same parse (the purchase body through
// QJsonDocument), answering a fixed JSON with no engine behind it. The distance between this and
// the purchase path is what the engine costs; between this and nginx, what the library costs.
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// One keep-alive connection: read a request, parse its body as JSON, answer, repeat.
class Connection : public std::enable_shared_from_this<Connection>
{
public:
    explicit Connection(tcp::socket socket) : m_stream(std::move(socket)) {}
    void read()
    {
        m_request = {};
        http::async_read(m_stream, m_buffer, m_request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            self->answer();
        });
    }

private:
    void answer()
    {
        const std::string &body = m_request.body();
        const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromRawData(body.data(), qsizetype(body.size())));
        const bool ok = document.isObject() && document.object().value(QStringLiteral("requestId")).isString();
        m_response = {};
        m_response.result(ok ? http::status::ok : http::status::bad_request);
        m_response.version(m_request.version());
        m_response.set(http::field::content_type, "application/json");
        m_response.body() = ok ? R"({"state":"queued"})" : R"({"error":"bad_json"})";
        m_response.keep_alive(m_request.keep_alive());
        m_response.prepare_payload();
        http::async_write(m_stream, m_response, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec && self->m_response.keep_alive())
                self->read();
        });
    }

    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    http::request<http::string_body> m_request;
    http::response<http::string_body> m_response;
};

void accept(tcp::acceptor &acceptor)
{
    acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
        if (!ec)
            std::make_shared<Connection>(std::move(socket))->read();
        accept(acceptor);
    });
}

} // namespace

int main(int argc, char *argv[])
{
    const unsigned short port = argc > 1 ? static_cast<unsigned short>(std::stoi(argv[1])) : 18184;
    asio::io_context ioc(1);
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    accept(acceptor);
    std::printf("barefront listening on 127.0.0.1:%u\n", unsigned(port));
    std::fflush(stdout);
    ioc.run();
    return 0;
}
