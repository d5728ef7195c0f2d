#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <optional>
#include <thread>

namespace gyre::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kFirstRead = 4096;
constexpr size_t kLargeRead = 64 << 10;
using Clock = std::chrono::steady_clock;

struct Counters {
  std::atomic<int64_t> open{0}, refused{0}, requests{0}, bad{0}, in_flight{0};
};

// What every connection of the server shares (read-only after start, or atomic).
struct Shared {
  ServerOptions options;
  Handler handler;
  Counters counters;
  std::atomic<bool> stopping{false};
};

std::string ErrorJson(const std::string& message) { return "{\"error\":\"" + message + "\"}"; }

Request ToRequest(bhttp::request<bhttp::string_body>& r) {
  Request out;
  out.method = std::string(r.method_string());
  out.target = std::string(r.target());
  const size_t q = out.target.find('?');
  out.path = out.target.substr(0, q);
  out.query = q == std::string::npos ? "" : out.target.substr(q + 1);
  for (const auto& field : r) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(r.body());
  return out;
}

// One connection, served on its io_context's thread from accept to close. Its timeouts are a
// deadline that its worker's sweep checks (Expire), not a timer per read and write: arming and
// cancelling a timer costs system calls on every request.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Shared& shared) : socket_(std::move(socket)), shared_(shared) {
    ++shared_.counters.open;
  }
  ~Session() { --shared_.counters.open; }

  void Start() { WaitForRequest(); }
  // Refuses the connection: over the limit of connections.
  void Refuse() { Reply(503, ErrorJson("too many connections"), /*keep_alive=*/false); }
  // Closes the connection if no request is in progress (shutdown).
  void CloseIfIdle() {
    if (idle_) ForceClose();
  }
  void ForceClose() {
    beast::error_code ignored;
    socket_.close(ignored);
  }
  // Closes the connection when its deadline has passed; the operation in progress then ends
  // with operation_aborted.
  void Expire(Clock::time_point now) {
    if (now >= deadline_) ForceClose();
  }

 private:
  // Between requests the idle timeout applies; from the first byte, the read timeout.
  void WaitForRequest() {
    idle_ = true;
    if (shared_.stopping) return Close();
    if (buffer_.capacity() > kLargeRead) buffer_.shrink_to_fit();  // a large body's room is given back
    if (buffer_.size() > 0) return ReadRequest();  // a pipelined request is already here
    deadline_ = Clock::now() + shared_.options.idle_timeout;
    socket_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadRequest();
                            });
  }

  void ReadRequest() {
    idle_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_.options.max_header_bytes));
    parser_->body_limit(shared_.options.max_body_bytes);
    deadline_ = Clock::now() + shared_.options.read_timeout;
    // A small request is usually whole in the buffer by now: it is parsed here, without the
    // read operations' two trips through the io_context (each posts its completion).
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return OnRead(ec);
      if (used == 0) break;  // nothing more to take from what is here
    }
    if (parser_->is_done()) return OnRead(ec);
    if (parser_->is_header_done()) return ReadBody();
    bhttp::async_read_header(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || self->parser_->is_done()) return self->OnRead(ec);
      self->ReadBody();
    });
  }

  // The body is read with room for 64 KiB at a time: the buffer kept between requests holds
  // 4 KiB, and reading a large body 4 KiB at a time cost two system calls per 4 KiB (a
  // 500 KB body took 250 of them and a millisecond).
  void ReadBody() {
    const auto length = parser_->content_length();
    if (length && *length > buffer_.capacity() - buffer_.size())
      buffer_.reserve(buffer_.size() + static_cast<size_t>(std::min<uint64_t>(*length, kLargeRead)));
    bhttp::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnRead(ec);
    });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof) return Close();
    if (ec) {
      ++shared_.counters.bad;
      if (ec == net::error::operation_aborted) return Close();  // timed out (Expire) or shut down
      if (ec == bhttp::error::body_limit) return Reply(413, ErrorJson("request body too large"), false);
      if (ec == bhttp::error::header_limit) return Reply(431, ErrorJson("request headers too large"), false);
      return Reply(400, ErrorJson("malformed HTTP request: " + ec.message()), false);
    }
    bhttp::request<bhttp::string_body> req = parser_->release();
    ++shared_.counters.requests;
    ++shared_.counters.in_flight;
    const bool keep_alive = req.keep_alive();
    Reply(Handle(ToRequest(req)), keep_alive && !shared_.stopping, /*counts_in_flight=*/true);
  }

  Response Handle(const Request& req) {
    try {
      return shared_.handler(req);
    } catch (const std::exception& e) {
      return {500, "application/json", ErrorJson("internal error"), {}};
    } catch (...) {
      return {500, "application/json", ErrorJson("internal error"), {}};
    }
  }

  void Reply(int status, std::string body, bool keep_alive) {
    Reply(Response{status, "application/json", std::move(body), {}}, keep_alive, false);
  }

  // The status line and headers are written by hand and sent with the body in one gathered
  // write: Beast's serializer allocated a node per header field and cost more than the rest of
  // a one-row request's reply. A handler's header with a line break in it, or a name that is
  // empty or holds a colon or a space, is dropped, never sent (it would split or break the
  // response).
  void Reply(Response r, bool keep_alive, bool counts_in_flight) {
    head_.clear();
    head_ += "HTTP/1.1 ";
    head_ += std::to_string(r.status);
    head_ += ' ';
    const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
    if (!reason.starts_with('<')) head_.append(reason.data(), reason.size());  // an unknown code: none
    head_ += "\r\nServer: gyre\r\n";
    auto field = [this](std::string_view name, std::string_view value) {
      // A byte at a time: find_first_of with a set of characters calls memchr per byte.
      const auto breaks = [](char c) { return c == '\r' || c == '\n'; };
      if (name.empty() || std::any_of(name.begin(), name.end(), [&](char c) { return breaks(c) || c == ':' || c == ' '; }) ||
          std::any_of(value.begin(), value.end(), breaks))
        return;
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    };
    field("Content-Type", r.content_type);
    for (const auto& [name, value] : r.headers) field(name, value);
    head_ += "Content-Length: ";
    head_ += std::to_string(r.body.size());
    head_ += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    body_ = std::move(r.body);
    deadline_ = Clock::now() + shared_.options.read_timeout;  // a client that does not read is slow too
    const std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, buffers, [self = shared_from_this(), keep_alive, counts_in_flight](beast::error_code ec, size_t) {
      if (counts_in_flight) --self->shared_.counters.in_flight;
      if (ec || !keep_alive) return self->Close();
      self->WaitForRequest();
    });
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  Clock::time_point deadline_ = Clock::time_point::max();
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_, body_;  // the reply being written
  Shared& shared_;
  bool idle_ = true;
};

// One thread: its io_context, its listening socket and its connections.
struct Worker {
  net::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::weak_ptr<Session>> sessions;  // touched on this worker's thread only
  net::steady_timer sweep{ioc};                  // checks the sessions' deadlines
  std::thread thread;
};

class ServerImpl : public Server {
 public:
  ServerImpl(const ServerOptions& options, Handler handler) {
    shared_.options = options;
    shared_.handler = std::move(handler);
  }
  ~ServerImpl() override { Shutdown(std::chrono::milliseconds(0)); }

  Status Listen() {
    const int n = shared_.options.threads > 0 ? shared_.options.threads
                                              : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    beast::error_code ec;
    const auto address = net::ip::make_address(shared_.options.host, ec);
    if (ec) return InvalidArgument("--host " + shared_.options.host + ": not an IP address");
    if (shared_.options.port != 0) {
      // SO_REUSEPORT would let a second server share a port in use; a plain bind first makes
      // a busy port an error instead.
      net::io_context probe_ioc;
      tcp::acceptor probe(probe_ioc);
      tcp::endpoint ep(address, shared_.options.port);
      probe.open(ep.protocol(), ec);
      if (!ec) probe.bind(ep, ec);
      if (ec)
        return Status(StatusCode::kUnavailable, "cannot listen on " + shared_.options.host + ":" +
                                                    std::to_string(ep.port()) + ": " + ec.message());
    }
    for (int i = 0; i < n; ++i) {
      auto w = std::make_unique<Worker>();
      w->acceptor.emplace(w->ioc);
      tcp::endpoint ep(address, i == 0 ? shared_.options.port : port_);
      w->acceptor->open(ep.protocol(), ec);
      if (!ec) w->acceptor->set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) w->acceptor->set_option(net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
      if (!ec) w->acceptor->bind(ep, ec);
      if (!ec) w->acceptor->listen(net::socket_base::max_listen_connections, ec);
      if (ec)
        return Status(StatusCode::kUnavailable, "cannot listen on " + shared_.options.host + ":" +
                                                    std::to_string(ep.port()) + ": " + ec.message());
      if (i == 0) port_ = w->acceptor->local_endpoint().port();
      workers_.push_back(std::move(w));
    }
    for (auto& w : workers_) {
      Accept(*w);
      Sweep(*w);
      w->thread = std::thread([&ioc = w->ioc] { ioc.run(); });
    }
    return Status::OK();
  }

  uint16_t port() const override { return port_; }
  bool stopping() const override { return shared_.stopping; }

  ServerStats stats() const override {
    const Counters& c = shared_.counters;
    return {c.open.load(), c.refused.load(), c.requests.load(), c.bad.load(), c.in_flight.load()};
  }

  void Shutdown(std::chrono::milliseconds drain) override {
    if (shared_.stopping.exchange(true)) return Wait();
    const auto deadline = std::chrono::steady_clock::now() + drain;
    // Stop accepting and close idle connections; busy ones close after their response.
    PostToWorkers([](Worker& w) {
      beast::error_code ignored;
      w.acceptor->close(ignored);
      w.sweep.cancel();  // from here the drain's deadline bounds every connection
      for (auto& s : w.sessions)
        if (auto live = s.lock()) live->CloseIfIdle();
    });
    while (shared_.counters.in_flight > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    // Whatever is left is idle or past the deadline: close it, and each io_context runs out of
    // work and returns by itself; one that does not within the deadline is stopped.
    PostToWorkers([](Worker& w) {
      for (auto& s : w.sessions)
        if (auto live = s.lock()) live->ForceClose();
    });
    for (auto& w : workers_) {
      while (!w->ioc.stopped() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      w->ioc.stop();
    }
    Wait();
  }

  void Wait() override {
    for (auto& w : workers_)
      if (w->thread.joinable()) w->thread.join();
  }

 private:
  void PostToWorkers(const std::function<void(Worker&)>& task) {
    for (auto& w : workers_) net::post(w->ioc, [task, wp = w.get()] { task(*wp); });
  }

  // Every tick, closes the connections past their deadline: timeouts are kept to within a tick
  // (a quarter of the shorter timeout, 5 to 250 ms).
  void Sweep(Worker& w) {
    const auto shorter = std::min(shared_.options.read_timeout, shared_.options.idle_timeout);
    const auto tick = std::clamp<std::chrono::milliseconds>(shorter / 4, std::chrono::milliseconds(5),
                                                            std::chrono::milliseconds(250));
    w.sweep.expires_after(tick);
    w.sweep.async_wait([this, &w](beast::error_code ec) {
      if (ec || shared_.stopping) return;
      const auto now = Clock::now();
      std::erase_if(w.sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
      for (auto& s : w.sessions)
        if (auto live = s.lock()) live->Expire(now);
      Sweep(w);
    });
  }

  void Accept(Worker& w) {
    w.acceptor->async_accept([this, &w](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: shutting down
      auto session = std::make_shared<Session>(std::move(socket), shared_);
      w.sessions.push_back(session);  // the sweep drops it once it has gone
      if (shared_.counters.open > shared_.options.max_connections) {
        ++shared_.counters.refused;
        session->Refuse();
      } else {
        session->Start();
      }
      Accept(w);
    });
  }

  Shared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  uint16_t port_ = 0;
};

}  // namespace

const std::string* Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  RETURN_IF_ERROR(server->Listen());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace gyre::http
