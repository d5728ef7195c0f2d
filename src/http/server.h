// An HTTP/1.1 server core for the model server and the API: keep-alive and pipelined requests,
// limits on body size, header size, read and idle time and connections, and a graceful
// shutdown. Boost.Beast and Asio stay inside http/.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gyre::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // the target up to '?'
  std::string query;   // after '?', "" when none
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  const std::string* Header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

// Called on a server thread, from several threads at once: must be thread-safe. An exception
// it throws becomes a 500 with a JSON error; the connection and the server carry on.
using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port (see Server::port)
  int threads = 0;    // 0: one per core
  size_t max_body_bytes = 64u << 20;
  size_t max_header_bytes = 16u << 10;
  // A request must arrive whole within this time once its first byte has.
  std::chrono::milliseconds read_timeout{10000};
  // A kept-alive connection with no request in progress is closed after this.
  std::chrono::milliseconds idle_timeout{60000};
  int max_connections = 4096;  // beyond it a new connection gets a 503 and is closed
};

struct ServerStats {
  int64_t connections_open = 0;
  int64_t connections_refused = 0;  // over max_connections
  int64_t requests = 0;
  int64_t bad_requests = 0;  // malformed HTTP, over a limit, timed out mid-request
  int64_t in_flight = 0;
};

// One io_context and one listening socket per thread (SO_REUSEPORT: the kernel spreads new
// connections), each connection served on its thread from start to end, with no locks on the
// request path.
class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  virtual ServerStats stats() const = 0;
  // True once Shutdown has begun (a readiness check should then say no).
  virtual bool stopping() const = 0;
  // Stops accepting, lets requests in progress finish (for at most `drain`), closes idle
  // connections, then stops the threads. Safe from any thread (not a handler); idempotent.
  virtual void Shutdown(std::chrono::milliseconds drain) = 0;
  // Blocks until the server has shut down.
  virtual void Wait() = 0;
};

}  // namespace gyre::http
