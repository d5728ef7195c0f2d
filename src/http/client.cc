#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace gyre::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = asio::ip::tcp;

class BeastClient : public Client {
 public:
  BeastClient(std::string host, uint16_t port) : host_(std::move(host)), port_(port), socket_(io_) {}

  Status Open() {
    boost::system::error_code ec;
    socket_.close(ec);
    socket_ = tcp::socket(io_);
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (!ec) asio::connect(socket_, endpoints, ec);
    if (ec) return Status(StatusCode::kUnavailable, "cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + ec.message());
    buffer_.clear();
    return Status::OK();
  }

  Result<ClientResponse> Send(const std::string& method, const std::string& target, const std::string& body,
                              const std::string& content_type,
                              const std::vector<std::pair<std::string, std::string>>& headers) override {
    // A kept-alive connection the server has since closed fails at once: then, and only then,
    // the request goes again on a new connection (a fresh one failing is the answer).
    const bool reused = socket_.is_open();
    if (!reused) RETURN_IF_ERROR(Open());
    auto r = Exchange(method, target, body, content_type, headers);
    if (r.ok() || !reused) return r;
    RETURN_IF_ERROR(Open());
    return Exchange(method, target, body, content_type, headers);
  }

 private:
  Result<ClientResponse> Exchange(const std::string& method, const std::string& target, const std::string& body,
                                  const std::string& content_type,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
    bh::request<bh::string_body> req(bh::string_to_verb(method), target, 11);
    req.set(bh::field::host, host_);
    req.set(bh::field::content_type, content_type);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    boost::system::error_code ec;
    bh::write(socket_, req, ec);
    if (ec) Close();
    if (ec) return Status(StatusCode::kUnavailable, "sending " + target + ": " + ec.message());
    bh::response_parser<bh::string_body> parser;
    parser.body_limit(1u << 30);
    bh::read(socket_, buffer_, parser, ec);
    if (ec) Close();
    if (ec) return Status(StatusCode::kUnavailable, "reading the answer to " + target + ": " + ec.message());
    const auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      out.headers[name] = std::string(field.value());
    }
    out.body = res.body();
    if (!res.keep_alive()) socket_.close();
    return out;
  }

  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

  std::string host_;
  uint16_t port_;
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

}  // namespace

Result<std::unique_ptr<Client>> Client::Connect(const std::string& host, uint16_t port) {
  auto c = std::make_unique<BeastClient>(host, port);
  RETURN_IF_ERROR(c->Open());
  return std::unique_ptr<Client>(std::move(c));
}

}  // namespace gyre::http
