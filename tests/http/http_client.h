// A minimal blocking HTTP client for tests: raw bytes in, whole responses out, so that tests
// can also send what no real client would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gyre::http::testing {

// A blocking client socket with a deadline on every read.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }
  // Reads until `count` complete responses are buffered (by Content-Length) or the peer closes.
  std::vector<std::string> Responses(size_t count, int timeout_ms = 5000) {
    std::vector<std::string> out;
    while (out.size() < count) {
      const size_t head_end = buf_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t cl = buf_.find("Content-Length: ");
        const size_t length = cl < head_end ? std::stoul(buf_.substr(cl + 16)) : 0;
        if (buf_.size() >= head_end + 4 + length) {
          out.push_back(buf_.substr(0, head_end + 4 + length));
          buf_.erase(0, head_end + 4 + length);
          continue;
        }
      }
      if (!ReadMore(timeout_ms)) break;
    }
    return out;
  }
  // True when the server closes the connection within the time.
  bool ClosedWithin(int timeout_ms) {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      char tmp[4096];
      const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

 private:
  bool ReadMore(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  bool connected_ = false;
  std::string buf_;
};

inline std::string Get(const std::string& path, bool close = false) {
  return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

inline int Status(const std::string& response) { return std::stoi(response.substr(9, 3)); }
inline std::string Body(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

// A request with a JSON (or other) body.
inline std::string Post(const std::string& path, const std::string& body,
                        const std::string& type = "application/json") {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace gyre::http::testing
