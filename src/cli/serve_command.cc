// gyre serve
#include <CLI/CLI.hpp>

#include <csignal>
#include <ostream>

#include "cli/context.h"
#include "serve/model_server.h"

namespace gyre {
namespace {

struct ServeArgs {
  std::vector<std::string> models, canaries, shadows;
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 0;
  bool no_log = false;
};

// Serves until SIGINT or SIGTERM, then drains: requests in progress finish, the log is flushed.
Status Serve(CliContext& ctx, const ServeArgs& a) {
  if (a.port < 0 || a.port > 65535) return InvalidArgument("--port must be 0..65535");
  serve::ServeOptions o;
  o.models = a.models;
  for (const std::string& c : a.canaries) {  // REF=PERCENT
    const size_t eq = c.rfind('=');
    char* end = nullptr;
    const double percent = eq == std::string::npos ? 0 : std::strtod(c.c_str() + eq + 1, &end);
    if (eq == std::string::npos || !end || *end != '\0' || !(percent > 0 && percent <= 100))
      return InvalidArgument("--canary " + c + ": expected MODEL_REF=PERCENT, e.g. fraud:challenger=10");
    o.canaries.emplace_back(c.substr(0, eq), percent);
  }
  o.shadows = a.shadows;
  o.http.host = a.host;
  o.http.port = static_cast<uint16_t>(a.port);
  o.http.threads = a.threads;
  o.log_predictions = !a.no_log;
  // The server's threads inherit this mask, so the signals reach sigwait below only. Blocked
  // after the arguments are checked, and unblocked again if the server does not start (the
  // command also runs in-process, in tests).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto started = serve::ModelServer::Start(ctx.env, ctx.layout(), o);
  if (!started.ok()) {
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
    return started.status();
  }
  auto server = std::move(*started);
  for (const auto& [name, version] : server->Serving())
    ctx.out << "serving " << name << ":" << version << "\n";
  for (const auto& [ref, percent] : o.canaries) ctx.out << "canary " << ref << " takes " << percent << "% of its model's requests\n";
  for (const std::string& ref : o.shadows) ctx.out << "shadow " << ref << " sees a copy of its model's requests\n";
  ctx.out << "listening on http://" << a.host << ":" << server->port() << " (Ctrl-C stops)" << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  ctx.out << "stopping: finishing requests in progress" << std::endl;
  server->Shutdown(std::chrono::seconds(10));
  // A second Ctrl-C during the drain must not kill the process once signals are unblocked.
  const timespec zero{0, 0};
  while (sigtimedwait(&signals, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  return Status::OK();
}

}  // namespace

void AddServeCommand(CLI::App& app, CliContext& ctx, Action* action) {
  auto s = std::make_shared<ServeArgs>();
  CLI::App* c = app.add_subcommand("serve", "stage 4: serve models over HTTP (Open Inference Protocol, MLflow scoring)");
  c->add_option("MODEL_REF", s->models, "NAME, NAME:VERSION or NAME:ALIAS (an alias is followed when it moves)")
      ->required();
  c->add_option("--host", s->host, "address to listen on (default 127.0.0.1)");
  c->add_option("--port", s->port, "port (default 8080; 0 picks a free one)");
  c->add_option("--threads", s->threads, "server threads (default: one per core)");
  c->add_flag("--no-log", s->no_log, "do not write the prediction log");
  c->add_option("--canary", s->canaries, "MODEL_REF=PERCENT: that share of a served model's requests to this version (sticky per x-request-id)");
  c->add_option("--shadow", s->shadows, "MODEL_REF: a copy of a served model's requests to this version, answers only logged");
  c->callback([&ctx, action, s] { *action = [&ctx, s] { return Serve(ctx, *s); }; });
}

}  // namespace gyre
