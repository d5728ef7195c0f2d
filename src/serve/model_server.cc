#include "serve/model_server.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/log.h"
#include "model/predictor.h"
#include "monitor/model_monitor.h"
#include "registry/registry.h"
#include "serve/answers.h"
#include "serve/request.h"
#include "serve/serve_parts.h"
#include "store/metadata_store.h"
#include "store/object_store.h"

namespace gyre::serve {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Loaded {
  int64_t version = 0;
  std::unique_ptr<Predictor> predictor;
  std::unique_ptr<RecordText> text;  // its log records' keys, quoted once
};

// A model reference and what it resolves to now, swapped whole when its alias moves.
struct Slot {
  ModelRef ref;
  int64_t failed_version = 0;  // the watcher's only: a version that failed to load
  mutable std::mutex mu;
  std::shared_ptr<const Loaded> current;

  std::shared_ptr<const Loaded> Get() const {
    std::lock_guard<std::mutex> lock(mu);
    return current;
  }
  void Set(std::shared_ptr<const Loaded> next) {
    std::lock_guard<std::mutex> lock(mu);
    current = std::move(next);  // requests holding the old one finish on it
  }
};

// One served model: its main version, and optionally a canary (a share of the traffic) and a
// shadow (a copy of the traffic, answers logged, not returned).
struct Served {
  std::string name;
  Slot primary;
  std::unique_ptr<Slot> canary, shadow;
  double canary_percent = 0;
  std::unique_ptr<AsyncLog> log;
};

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Invalid UTF-8 from a request (echoed in an error) is replaced rather than thrown on.
http::Response Json(int status, const json& body) {
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}
http::Response Error(int status, const std::string& message) { return Json(status, {{"error", message}}); }

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

const char* Datatype(ColumnType t) {
  switch (t) {
    case ColumnType::kInt64: return "INT64";
    case ColumnType::kFloat64: return "FP64";
    case ColumnType::kBool: return "BOOL";
    case ColumnType::kString:
    case ColumnType::kTimestamp: return "BYTES";
  }
  return "BYTES";
}

json ModelMetadata(const std::string& name, const Loaded& l) {
  const ModelBundle& b = l.predictor->bundle();
  json inputs = json::array(), outputs = json::array();
  for (const FeatureSpec& f : b.signature.features)
    inputs.push_back({{"name", f.name}, {"datatype", Datatype(f.type)}, {"shape", {-1}}});
  outputs.push_back({{"name", "prediction"}, {"datatype", b.task == Task::kRegression ? "FP64" : "BYTES"}, {"shape", {-1}}});
  if (b.task != Task::kRegression)
    outputs.push_back({{"name", "probabilities"}, {"datatype", "FP64"},
                       {"shape", {-1, static_cast<int64_t>(b.signature.classes.size())}}});
  return {{"name", name}, {"versions", {std::to_string(l.version)}}, {"platform", "xgboost_ubj"},
          {"inputs", inputs}, {"outputs", outputs}};
}

class Impl : public ModelServer {
 public:
  Impl(Env* env, HomeLayout home, ServeOptions options)
      : env_(env), home_(std::move(home)), options_(std::move(options)) {}

  ~Impl() override { Shutdown(std::chrono::milliseconds(0)); }

  Status Load() {
    ASSIGN_OR_RETURN(objects_, ObjectStore::Open(home_, env_));
    ASSIGN_OR_RETURN(meta_, MetadataStore::Open(home_, env_));
    if (options_.models.empty()) return InvalidArgument("give at least one model to serve");
    for (const std::string& text : options_.models) {
      auto s = std::make_unique<Served>();
      ASSIGN_OR_RETURN(s->primary.ref, ParseModelRef(text));
      s->name = s->primary.ref.name;
      for (const auto& other : served_)
        if (other->name == s->name) return InvalidArgument("model " + s->name + " is named twice");
      ASSIGN_OR_RETURN(std::shared_ptr<const Loaded> loaded, Resolve(s->primary.ref));
      s->primary.Set(std::move(loaded));
      if (options_.log_predictions)
        s->log = std::make_unique<AsyncLog>(env_, home_.ModelLogDir(s->name), options_.log_queue);
      served_.push_back(std::move(s));
    }
    for (const auto& [text, percent] : options_.canaries) {
      if (!(percent > 0 && percent <= 100)) return InvalidArgument("canary " + text + ": the share must be in (0, 100]");
      ASSIGN_OR_RETURN(Served * s, SideOf(text, "canary"));
      ASSIGN_OR_RETURN(s->canary, LoadSlot(text));
      s->canary_percent = percent;
    }
    for (const std::string& text : options_.shadows) {
      ASSIGN_OR_RETURN(Served * s, SideOf(text, "shadow"));
      ASSIGN_OR_RETURN(s->shadow, LoadSlot(text));
    }
    ASSIGN_OR_RETURN(last_counter_, meta_->RegistryChangeCounter());
    ASSIGN_OR_RETURN(http_, http::Server::Start(options_.http, [this](const http::Request& r) { return Handle(r); }));
    watcher_ = std::thread([this] { Watch(); });
    return Status::OK();
  }

  uint16_t port() const override { return http_->port(); }

  std::vector<std::pair<std::string, int64_t>> Serving() const override {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& s : served_) out.emplace_back(s->name, s->primary.Get()->version);
    return out;
  }

  void FlushLogs() override {
    for (auto& s : served_)
      if (s->log) s->log->Flush();
  }

  void Shutdown(std::chrono::milliseconds drain) override {
    draining_ = true;
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    watch_cv_.notify_all();
    if (watcher_.joinable()) watcher_.join();
    if (http_) http_->Shutdown(drain);
    for (auto& s : served_)
      if (s->log) s->log->Flush();
  }

 private:
  Result<std::shared_ptr<const Loaded>> Resolve(const ModelRef& ref) {
    Registry registry(meta_.get(), env_, "gyre serve");
    ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Resolve(ref));
    return Load(v);
  }

  Result<std::shared_ptr<const Loaded>> Load(const ModelVersionRecord& v) {
    ASSIGN_OR_RETURN(std::string bytes, objects_->Get(v.bundle_sha256));
    auto loaded = std::make_shared<Loaded>();
    loaded->version = v.version;
    ASSIGN_OR_RETURN(loaded->predictor, Predictor::Load(bytes));
    const ModelBundle& b = loaded->predictor->bundle();
    loaded->text = std::make_unique<RecordText>(b.signature, b.task);
    return std::shared_ptr<const Loaded>(std::move(loaded));
  }

  // The served model a canary or shadow reference belongs to (by model name).
  Result<Served*> SideOf(const std::string& text, const char* what) {
    ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(text));
    for (auto& s : served_)
      if (s->name == ref.name) {
        if ((std::string(what) == "canary" ? s->canary : s->shadow) != nullptr)
          return InvalidArgument(std::string(what) + " " + text + ": model " + ref.name + " already has one");
        return s.get();
      }
    return InvalidArgument(std::string(what) + " " + text + ": model " + ref.name + " is not served (give it as a MODEL_REF)");
  }

  Result<std::unique_ptr<Slot>> LoadSlot(const std::string& text) {
    auto slot = std::make_unique<Slot>();
    ASSIGN_OR_RETURN(slot->ref, ParseModelRef(text));
    ASSIGN_OR_RETURN(std::shared_ptr<const Loaded> loaded, Resolve(slot->ref));
    slot->Set(std::move(loaded));
    return slot;
  }

  // Re-resolves one slot's reference; false when its new version failed to load.
  bool Refresh(Slot& slot, const std::string& label) {
    Registry registry(meta_.get(), env_, "gyre serve");
    auto v = registry.Resolve(slot.ref);
    const int64_t old_version = slot.Get()->version;
    if (!v.ok() || v->version == old_version) return true;
    if (v->version == slot.failed_version) return false;  // said once; stored bundles do not change
    auto next = Load(*v);  // the version just resolved, not whatever the alias says by now
    if (!next.ok()) {
      LogWarn("serve: " + label + " " + slot.ref.name + ":" + std::to_string(v->version) + " failed to load (" +
              next.status().ToString() + "); still serving version " + std::to_string(old_version));
      slot.failed_version = v->version;
      return false;
    }
    slot.Set(std::move(*next));
    LogInfo("serve: " + label + " " + slot.ref.name + " swapped from version " + std::to_string(old_version) +
            " to " + std::to_string(v->version));
    return true;
  }

  // Polls the registry's change counter; a moved alias loads the new version beside the old
  // one and swaps it in. A version that fails to load leaves the old one serving.
  void Watch() {
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!watch_cv_.wait_for(lock, options_.poll_interval, [this] { return stopped_; })) {
      auto counter = meta_->RegistryChangeCounter();
      if (!counter.ok() || *counter == last_counter_) continue;
      bool all_loaded = true;  // a slot whose version failed to load is looked at again next poll
      lock.unlock();  // a load can take a while; Shutdown must not wait for it to take the lock
      for (auto& s : served_) {
        all_loaded &= Refresh(s->primary, "model");
        if (s->canary) all_loaded &= Refresh(*s->canary, "canary of");
        if (s->shadow) all_loaded &= Refresh(*s->shadow, "shadow of");
      }
      lock.lock();
      if (all_loaded) last_counter_ = *counter;
    }
  }

  const Served* Find(const std::string& name) const {
    for (const auto& s : served_)
      if (s->name == name) return s.get();
    return nullptr;
  }

  http::Response Handle(const http::Request& r);
  http::Response ModelRoute(const http::Request& r, const std::vector<std::string>& parts);
  http::Response Predict(const http::Request& r, const Served& s, const std::shared_ptr<const Loaded>& l,
                         bool oip);
  http::Response Answer(const http::Request& r, const Served& s, const std::shared_ptr<const Loaded>& l, bool oip,
                        int64_t* rows);
  std::shared_ptr<const Loaded> Choose(const Served& s, const http::Request& r);

  void Log(const Served& s, std::shared_ptr<const Loaded> l, Table table, std::vector<std::string> outputs,
           const std::string& id);

  Env* env_;
  HomeLayout home_;
  ServeOptions options_;
  std::unique_ptr<ObjectStore> objects_;
  std::unique_ptr<MetadataStore> meta_;  // the watcher's, after start
  std::vector<std::unique_ptr<Served>> served_;
  std::unique_ptr<http::Server> http_;
  Metrics metrics_;
  std::atomic<int64_t> in_flight_{0}, next_id_{0};
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> next_pick_{0};
  const int64_t started_us_ = Env::Default()->NowMicros();
  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool stopped_ = false;
  int64_t last_counter_ = 0;
  std::thread watcher_;
};

http::Response Impl::Handle(const http::Request& r) {
  const bool get = r.method == "GET";
  if (r.path == "/v2/health/live" && get) return Json(200, {{"live", true}});
  if (r.path == "/v2/health/ready" && get) {  // not ready once draining: balancers move on
    const bool ready = !draining_;
    return Json(ready ? 200 : 503, {{"ready", ready}});
  }
  if (r.path == "/v2" && get) return Json(200, {{"name", "gyre"}, {"version", GYRE_VERSION}, {"extensions", json::array()}});
  if ((r.path == "/ping" || r.path == "/health") && get) return {200, "application/json", "\n", {}};
  if (r.path == "/version" && get) return {200, "text/plain", std::string("gyre ") + GYRE_VERSION, {}};
  if (r.path == "/metrics" && get) {
    std::map<std::string, std::tuple<int64_t, int64_t, int64_t>> logs;
    for (const auto& s : served_)
      if (s->log) logs[s->name] = {s->log->depth(), s->log->dropped(), s->log->write_errors()};
    return {200, "text/plain; version=0.0.4", metrics_.Render(in_flight_, logs), {}};
  }
  if (r.path == "/invocations") {
    if (r.method != "POST") return Error(405, "POST a body to /invocations");
    const Served& s = *served_.front();  // MLflow's server serves one model: the first
    return Predict(r, s, Choose(s, r), /*oip=*/false);
  }
  const std::vector<std::string> parts = Split(r.path);
  if (parts.size() >= 3 && parts[0] == "v2" && parts[1] == "models") return ModelRoute(r, parts);
  metrics_.RecordOther(404);
  return Error(404, "no route " + r.method + " " + r.path);
}

// /v2/models/{m}[/versions/{v}][/ready | /infer]
http::Response Impl::ModelRoute(const http::Request& r, const std::vector<std::string>& parts) {
  const Served* s = Find(parts[2]);
  if (!s) {
    metrics_.RecordOther(404);
    return Error(404, "no model named " + parts[2] + " is served here");
  }
  std::shared_ptr<const Loaded> l = s->primary.Get();  // one version for the whole request
  size_t next = 3;
  if (parts.size() > 4 && parts[3] == "versions") {
    if (s->canary && parts[4] == std::to_string(s->canary->Get()->version)) l = s->canary->Get();
    if (parts[4] != std::to_string(l->version)) {
      metrics_.Record(s->name, l->version, 404, 0, 0);
      return Error(404, "model " + s->name + " is serving version " + std::to_string(l->version) + ", not " + parts[4]);
    }
    next = 5;
  }
  const std::string action = parts.size() > next ? parts[next] : "";
  if (parts.size() <= next + 1) {
    if (action.empty() && r.method == "GET") return Json(200, ModelMetadata(s->name, *l));
    if (action == "ready" && r.method == "GET") return Json(200, {{"name", s->name}, {"ready", true}});
    if (action == "infer" && r.method == "POST") return Predict(r, *s, next == 5 ? l : Choose(*s, r), /*oip=*/true);
  }
  const int status = action == "infer" && parts.size() == next + 1 ? 405 : 404;
  metrics_.Record(s->name, l->version, status, 0, 0);
  return Error(status, "no route " + r.method + " " + r.path);
}

// Every inference request is counted, timed and leaves the in-flight gauge, whatever happens
// inside: a request that breaks something unforeseen is a 500, not a stuck gauge.
http::Response Impl::Predict(const http::Request& r, const Served& s, const std::shared_ptr<const Loaded>& l, bool oip) {
  const auto start = Clock::now();
  ++in_flight_;
  int64_t rows = 0;
  http::Response res;
  try {
    res = Answer(r, s, l, oip, &rows);
  } catch (const json::exception& e) {
    res = Error(400, std::string("invalid input: ") + e.what());
  } catch (const std::exception& e) {
    res = Error(500, "internal error");
  }
  res.headers.emplace_back("x-gyre-model-version", std::to_string(l->version));
  metrics_.Record(s.name, l->version, res.status, std::chrono::duration<double>(Clock::now() - start).count(),
                  res.status == 200 ? rows : 0);
  --in_flight_;
  return res;
}

http::Response Impl::Answer(const http::Request& r, const Served& s, const std::shared_ptr<const Loaded>& l, bool oip,
                            int64_t* rows_out) {
  const ModelBundle& b = l->predictor->bundle();
  const std::string* type = r.Header("content-type");
  Result<ParsedRequest> parsed = oip ? ParseInferRequest(r.body, b.signature)
                                     : ParseInvocations(r.body, type ? *type : "application/json", b.signature);
  http::Response res;
  int64_t& rows = *rows_out;
  if (!parsed.ok()) {
    res = Error(400, parsed.status().ToString());
  } else {
    EncodeReport report;
    auto p = l->predictor->Predict(parsed->table, &report);
    if (!p.ok()) {
      res = Error(400, p.status().ToString());
    } else {
      rows = p->rows;
      std::string id = parsed->id;
      if (id.empty())  // a header id that could not be echoed safely is replaced by one of ours
        if (const std::string* h = r.Header("x-request-id"); h && UsableRequestId(*h)) id = *h;
      if (id.empty()) id = "req-" + std::to_string(started_us_) + "-" + std::to_string(next_id_++);
      // Each row's outputs as the log writes them: a classifier's MLflow answer is these rows.
      std::vector<std::string> outputs;
      if (s.log || (!oip && b.task != Task::kRegression)) outputs = l->text->Outputs(*p);
      res = {200, "application/json",
             oip ? OipAnswer(s.name, l->version, id, b, *p) : MlflowAnswer(b.task, *p, outputs), {}};
      res.headers.emplace_back("x-request-id", id);  // the id labels will be joined by
      if (s.log) Log(s, l, std::move(parsed->table), std::move(outputs), id);
      else RecycleTable(std::move(parsed->table));
    }
  }
  return res;
}

// The canary takes its share of requests: by the request id when there is one (the same id
// always goes to the same version), else spread evenly.
std::shared_ptr<const Loaded> Impl::Choose(const Served& s, const http::Request& r) {
  if (!s.canary) return s.primary.Get();
  const std::string* id = r.Header("x-request-id");
  const uint64_t h = id ? Mix(std::hash<std::string>{}(*id)) : Mix(static_cast<uint64_t>(next_pick_++));
  const bool canary = static_cast<double>(h % 10000) < s.canary_percent * 100;
  return canary ? s.canary->Get() : s.primary.Get();
}

// A logged row's request id: the request's, or "<id>/<row>" for a request of several rows.
std::string RowId(const std::string& id, size_t row, size_t rows) {
  return rows == 1 ? id : id + "/" + std::to_string(row);
}

// Frames a request's records into the thread's buffers (kept between requests, given back
// when a large request grew them) and hands them to the log in one copy.
void LogHere(AsyncLog& log, const Loaded& l, const Table& table, const std::vector<std::string>& outputs,
             const std::string& id, int64_t now) {
  constexpr size_t kKeep = 1 << 20;
  thread_local std::string frames, inputs;
  thread_local std::vector<int64_t> times;
  thread_local std::vector<const Column*> columns;
  frames.clear();
  times.clear();
  l.text->FindInputs(table, &columns);
  for (size_t i = 0; i < outputs.size(); ++i) {
    inputs.clear();
    l.text->AppendInputs(columns, static_cast<int64_t>(i), &inputs);
    AppendLogRecord(&frames, RowId(id, i, outputs.size()), now, l.version, inputs, outputs[i]);
    times.push_back(now);
  }
  log.PushFramed(frames, times);
  if (frames.capacity() > kKeep) std::string().swap(frames);
  if (inputs.capacity() > kKeep) std::string().swap(inputs);
}

// The records of one answered request, one per row (ids by RowId).
std::vector<PredictionRecord> Records(int64_t version, std::vector<std::string> inputs, std::vector<std::string> outputs,
                                      const std::string& id, int64_t time_us) {
  std::vector<PredictionRecord> out(outputs.size());
  for (size_t i = 0; i < out.size(); ++i) {
    PredictionRecord& rec = out[i];
    rec.request_id = RowId(id, i, out.size());
    rec.time_us = time_us;
    rec.model_version = version;
    rec.inputs_json = std::move(inputs[i]);
    rec.outputs_json = std::move(outputs[i]);
  }
  return out;
}

// A few rows are framed on the request's thread, in buffers the thread keeps: handing their
// table to the writer would cost more (its columns freed on another thread) than formatting
// them. Larger requests, and any with a shadow, hand their rows to the log writer, which
// formats them (and runs the shadow's prediction, whose answers are logged under its own
// version and never returned).
void Impl::Log(const Served& s, std::shared_ptr<const Loaded> l, Table table, std::vector<std::string> outputs,
               const std::string& id) {
  constexpr size_t kFormatHere = 16;
  std::shared_ptr<const Loaded> shadow = s.shadow ? s.shadow->Get() : nullptr;
  const int64_t now = env_->NowMicros();
  const auto rows = static_cast<int64_t>(outputs.size() * (shadow ? 2 : 1));
  if (!shadow && outputs.size() <= kFormatHere) {
    LogHere(*s.log, *l, table, outputs, id, now);
    RecycleTable(std::move(table));
    return;
  }
  auto shared_table = std::make_shared<const Table>(std::move(table));
  auto shared_outputs = std::make_shared<std::vector<std::string>>(std::move(outputs));
  s.log->Push(
      [l = std::move(l), table = std::move(shared_table), outputs = std::move(shared_outputs),
       shadow = std::move(shadow), id, now] {
        std::vector<std::string> inputs = l->text->Inputs(*table);
        // The inputs are copied only when the shadow's records need them too.
        std::vector<PredictionRecord> out =
            Records(l->version, shadow ? inputs : std::move(inputs), std::move(*outputs), id, now);
        if (shadow) {
          EncodeReport report;
          auto sp = shadow->predictor->Predict(*table, &report);
          if (sp.ok()) {
            std::vector<PredictionRecord> more = Records(shadow->version, std::move(inputs), shadow->text->Outputs(*sp), id, now);
            out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
          }
        }
        return out;
      },
      rows);
}

}  // namespace

Result<std::unique_ptr<ModelServer>> ModelServer::Start(Env* env, const HomeLayout& home, const ServeOptions& options) {
  auto server = std::make_unique<Impl>(env, home, options);
  RETURN_IF_ERROR(server->Load());
  return std::unique_ptr<ModelServer>(std::move(server));
}

}  // namespace gyre::serve
