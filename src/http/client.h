// A small blocking HTTP/1.1 client over one kept-alive connection (reconnecting once when the
// server closed it while idle), for the demo's live traffic and for tools that talk to a Gyre
// server on this machine. It has no timeouts: it waits as long as the server takes.
// Boost.Beast stays inside http/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gyre::http {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> Connect(const std::string& host, uint16_t port);
  virtual ~Client() = default;
  // Unavailable when the server cannot be reached or the connection breaks twice.
  virtual Result<ClientResponse> Send(const std::string& method, const std::string& target,
                                      const std::string& body, const std::string& content_type,
                                      const std::vector<std::pair<std::string, std::string>>& headers = {}) = 0;
};

}  // namespace gyre::http
