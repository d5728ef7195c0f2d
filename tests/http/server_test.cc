// The HTTP server core against a real client on 127.0.0.1: keep-alive, pipelining, limits,
// malformed input, slow clients, handler failures, connection limits and a draining shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/server.h"
#include "tests/http/http_client.h"
#include "tests/test_util.h"

namespace gyre::http {
namespace {

using testing::Body;
using testing::Client;
using testing::Get;
using testing::Status;

// Echoes the method, path, query, a header and the body; /throw throws.
Response Echo(const Request& r) {
  if (r.path == "/throw") throw std::runtime_error("boom");
  const std::string* h = r.Header("x-test");
  return {200, "text/plain", r.method + " " + r.path + " ?" + r.query + " " + (h ? *h : "-") + " " + r.body, {}};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions o = {}, Handler h = Echo) {
    o.threads = o.threads ? o.threads : 2;
    auto s = Server::Start(o, std::move(h));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  std::unique_ptr<Server> server_;
};

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  StartServer();
  Client c(server_->port());
  ASSERT_TRUE(c.connected());
  c.Send(Get("/a?x=1"));
  auto first = c.Responses(1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Status(first[0]), 200);
  EXPECT_EQ(Body(first[0]), "GET /a ?x=1 - ");
  // Three requests in one write, the last with a body: three answers, in order.
  c.Send(Get("/b") + "POST /c HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\nContent-Length: 5\r\n\r\nhello" + Get("/d", true));
  auto three = c.Responses(3);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(Body(three[0]), "GET /b ? - ");
  EXPECT_EQ(Body(three[1]), "POST /c ? yes hello");
  EXPECT_EQ(Body(three[2]), "GET /d ? - ");
  EXPECT_TRUE(c.ClosedWithin(2000));  // Connection: close was honoured
}

// The reply's head as written by hand: the status line with its reason, the content type, the
// handler's headers (one with a line break, or a name that is empty or has a colon or space,
// is dropped: it would split or break the response), the
// length, and "Connection: close" only when the connection closes. The reason phrase is
// optional (RFC 9112): a code without a known one gets none.
TEST_F(HttpServerTest, RepliesCarryTheirStatusHeadersAndLength) {
  StartServer({}, [](const Request& r) {
    if (r.path == "/teapot") return Response{418, "text/plain", "short and stout", {{"x-pot", "1"}}};
    return Response{201, "application/json", "{}", {{"x-a", "b"}, {"x-bad", "v\r\nInjected: yes"}, {"x\nbad", "v"}, {"", "empty"}, {"two words", "v"}}};
  });
  Client c(server_->port());
  c.Send(Get("/made") + Get("/teapot", true));
  auto r = c.Responses(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].rfind("HTTP/1.1 201 Created\r\n", 0), 0u) << r[0];
  EXPECT_NE(r[0].find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(r[0].find("\r\nx-a: b\r\n"), std::string::npos);
  EXPECT_EQ(r[0].find("Injected"), std::string::npos);
  EXPECT_EQ(r[0].find("bad"), std::string::npos);
  EXPECT_EQ(r[0].find("empty"), std::string::npos);
  EXPECT_EQ(r[0].find("words"), std::string::npos);
  EXPECT_NE(r[0].find("\r\nContent-Length: 2\r\n\r\n{}"), std::string::npos);
  EXPECT_EQ(r[0].find("Connection: close"), std::string::npos);
  EXPECT_EQ(r[1].rfind("HTTP/1.1 418 \r\n", 0), 0u) << r[1];  // a code without a known reason: none
  EXPECT_NE(r[1].find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_EQ(Body(r[1]), "short and stout");
  EXPECT_TRUE(c.ClosedWithin(2000));
}

// A large body (read with more room than the 4 KiB kept between requests) arrives whole, and
// the request pipelined behind it in the same write is answered next.
TEST_F(HttpServerTest, LargeBodiesArriveWholeAndWhatFollowsThemToo) {
  StartServer();
  Client c(server_->port());
  std::string body(700 * 1024 + 13, 'x');
  for (size_t i = 0; i < body.size(); i += 4099) body[i] = static_cast<char>('a' + i % 26);
  c.Send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body +
         Get("/after"));
  auto r = c.Responses(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(Body(r[0]), "POST /big ? - " + body);
  EXPECT_EQ(Body(r[1]), "GET /after ? - ");
}

// Requests that arrive in pieces (the head cut anywhere, the body after it, a chunked body
// chunk by chunk) are read whole, whatever part of them the first read found.
TEST_F(HttpServerTest, RequestsArrivingInPiecesAreReadWhole) {
  StartServer();
  Client c(server_->port());
  const std::string whole = "POST /p HTTP/1.1\r\nHost: x\r\nX-Test: cut\r\nContent-Length: 10\r\n\r\nhelloworld";
  for (size_t cut : {size_t{3}, size_t{20}, whole.size() - 12, whole.size() - 10, whole.size() - 4}) {
    c.Send(whole.substr(0, cut));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    c.Send(whole.substr(cut));
    auto r = c.Responses(1);
    ASSERT_EQ(r.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(Body(r[0]), "POST /p ? cut helloworld") << "cut at " << cut;
  }
  c.Send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.Send("5\r\nworld\r\n0\r\n\r\n" + Get("/next"));
  auto r = c.Responses(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(Body(r[0]), "POST /c ? - helloworld");
  EXPECT_EQ(Body(r[1]), "GET /next ? - ");
}

// A reply larger than the socket takes at once (sent in part directly, the rest by a write
// operation), with the client reading only after a while, arrives whole; so does the reply
// behind it on the same connection.
TEST_F(HttpServerTest, LargeRepliesArriveWhole) {
  std::string big(8 * 1024 * 1024 + 7, 'y');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  StartServer({}, [&big](const Request& r) { return Response{200, "text/plain", r.path == "/big" ? big : "small", {}}; });
  Client c(server_->port());
  c.Send(Get("/big"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto r = c.Responses(1, 20000);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(Body(r[0]) == big) << Body(r[0]).size() << " bytes";
  c.Send(Get("/small"));
  r = c.Responses(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(Body(r[0]), "small");
}

TEST_F(HttpServerTest, MalformedAndOversizedRequestsGetTheirStatusAndTheServerCarriesOn) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  o.max_header_bytes = 2000;
  StartServer(o);
  struct Case {
    std::string bytes;
    int status;
  };
  const std::vector<Case> cases = {
      {"THIS IS NOT HTTP\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'), 413},
      {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
  };
  for (const Case& k : cases) {
    Client c(server_->port());
    c.Send(k.bytes);
    auto r = c.Responses(1);
    ASSERT_EQ(r.size(), 1u) << k.bytes.substr(0, 40);
    EXPECT_EQ(Status(r[0]), k.status) << k.bytes.substr(0, 40);
    EXPECT_TRUE(c.ClosedWithin(2000));
  }
  Client ok(server_->port());
  ok.Send(Get("/still-here"));
  auto r = ok.Responses(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(Status(r[0]), 200);
  EXPECT_EQ(server_->stats().bad_requests, static_cast<int64_t>(cases.size()));
}

TEST_F(HttpServerTest, SlowAndIdleClientsAreClosed) {
  ServerOptions o;
  o.read_timeout = std::chrono::milliseconds(200);
  o.idle_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  Client slow(server_->port());
  slow.Send("GET / HTTP/1.1\r\nHost");  // and never the rest
  EXPECT_TRUE(slow.ClosedWithin(3000));
  Client idle(server_->port());
  EXPECT_TRUE(idle.ClosedWithin(3000));
  Client ok(server_->port());
  ok.Send(Get("/"));
  EXPECT_EQ(ok.Responses(1).size(), 1u);
}

TEST_F(HttpServerTest, AHandlerThatThrowsIsA500) {
  StartServer();
  Client c(server_->port());
  c.Send(Get("/throw") + Get("/fine"));
  auto r = c.Responses(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(Status(r[0]), 500);
  EXPECT_NE(Body(r[0]).find("internal error"), std::string::npos);
  EXPECT_EQ(Status(r[1]), 200);  // the same connection carries on
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreRefused) {
  ServerOptions o;
  o.max_connections = 2;
  o.threads = 1;
  StartServer(o);
  Client a(server_->port()), b(server_->port());
  a.Send(Get("/"));
  b.Send(Get("/"));
  ASSERT_EQ(a.Responses(1).size(), 1u);
  ASSERT_EQ(b.Responses(1).size(), 1u);
  Client c(server_->port());
  auto r = c.Responses(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(Status(r[0]), 503);
  EXPECT_EQ(server_->stats().connections_refused, 1);
}

TEST_F(HttpServerTest, ConcurrentClients) {
  StartServer();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      Client c(server_->port());
      for (int i = 0; i < 100; ++i) {
        c.Send(Get("/t" + std::to_string(t)));
        auto r = c.Responses(1);
        if (r.size() == 1 && Body(r[0]) == "GET /t" + std::to_string(t) + " ? - ") ++ok;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, 800);
  EXPECT_EQ(server_->stats().requests, 800);
}

TEST_F(HttpServerTest, ShutdownDrainsRequestsInProgress) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  StartServer({}, [&](const Request& r) {
    if (r.path == "/slow") {
      std::unique_lock<std::mutex> lock(mu);
      entered = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    }
    return Response{200, "text/plain", "done", {}};
  });
  Client busy(server_->port()), idle(server_->port());
  idle.Send(Get("/"));
  ASSERT_EQ(idle.Responses(1).size(), 1u);  // now idle, kept alive
  busy.Send(Get("/slow"));
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  std::thread stopper([&] { server_->Shutdown(std::chrono::milliseconds(5000)); });
  // Release the handler only once the shutdown has begun.
  while (!server_->stopping()) std::this_thread::yield();
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  auto r = busy.Responses(1);
  ASSERT_EQ(r.size(), 1u);  // the request in progress finished
  EXPECT_EQ(Body(r[0]), "done");
  EXPECT_TRUE(busy.ClosedWithin(3000));
  EXPECT_TRUE(idle.ClosedWithin(3000));  // the kept-alive idle connection is closed
  stopper.join();
  Client late(server_->port());
  EXPECT_FALSE(late.connected());  // no longer accepting
}

TEST(HttpServerStartTest, ABadHostOrBusyPortIsAnError) {
  ServerOptions o;
  o.host = "not-an-ip";
  EXPECT_EQ(Server::Start(o, Echo).status().code(), StatusCode::kInvalidArgument);
  auto first = Server::Start(ServerOptions{}, Echo);
  ASSERT_TRUE(first.ok());
  ServerOptions same;
  same.port = (*first)->port();
  auto second = Server::Start(same, Echo);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);  // not a silent second listener
}

}  // namespace
}  // namespace gyre::http
