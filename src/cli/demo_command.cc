// gyre demo: the whole loop on the embedded default, in a fresh folder, told as it happens.
// October's transactions train the first champion through the pipeline; the model server
// follows fraud:champion; December's traffic drifts; monitoring and late labels raise alerts;
// December's labelled data lands, the loop retrains, the gate promotes, the server swaps under
// load; the new champion recovers. Every claim is checked: exit 0 only if all held.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "cli/context.h"
#include "cli/demo.h"
#include "cli/format.h"
#include "data/generate.h"
#include "pipeline/loop.h"
#include "serve/model_server.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// The pipeline the demo runs and the loop keeps running: every landed month of labelled
// transactions is versioned, checked, trained on, and promoted only past the gate.
const char kPipeline[] = R"(name: fraud-loop
description: retrain the fraud model on every month of labelled transactions that lands
params:
  file: data/october.csv
triggers:
  watch: {folder: incoming, pattern: "*.csv", param: file}
  alerts: {model: fraud}
steps:
  ingest:
    uses: ingest
    with: {file: "${params.file}", dataset: transactions, label: is_fraud}
  validate:
    uses: validate
    with: {data: "${steps.ingest.outputs.ref}", allow_anomalies: "true"}
  train:
    uses: train
    with: {data: "${steps.ingest.outputs.ref}", label: is_fraud, experiment: fraud}
  gate:
    uses: gate
    with:
      model: fraud
      challenger: ${steps.train.outputs.run}
      require: ["roc_auc >= 0.8"]
      better_than_champion: {roc_auc: 0.005}
  register:
    uses: register
    needs: [gate]
    with: {run: "${steps.train.outputs.run}", model: fraud}
  promote:
    uses: promote
    with: {model: fraud, version: "${steps.register.outputs.version}", alias: champion}
)";

struct DemoArgs {
  std::string dir;
  int64_t rows = 60000;
  bool keep = false;
};

// Tells the story on stdout (on stderr with --json, which keeps stdout for the one document).
class Story {
 public:
  Story(CliContext& ctx, std::string work) : out_(ctx.json ? ctx.err : ctx.out), work_(std::move(work)) {}

  void Stage(const std::string& n, const std::string& title) {
    stage_ = n;
    out_ << "\n== " << n << ". " << title << "\n";
    out_.flush();
  }
  void Say(const std::string& line) {
    out_ << "   " << line << "\n";
    out_.flush();
  }
  void Row(const std::string& what, const std::string& figures) { episode.stages.push_back({stage_, what, figures}); }
  bool Claim(const std::string& claim, bool held, const std::string& figures) {
    episode.checks.push_back({claim, held, figures});
    out_ << "   " << (held ? "[ok] " : "[FAILED] ") << claim << " (" << figures << ")\n";
    return held;
  }
  // A gyre command in-process on the demo's home; its JSON answer, or null. A command that
  // fails (exit 1 or 2; 3 only reports drift or alerts) says why in the story, so that a
  // claim it leaves unmet can be traced to it.
  json Gyre(std::vector<std::string> args, int* code = nullptr) {
    std::vector<std::string> full = {"gyre", "--home", Home(), "--json"};
    full.insert(full.end(), args.begin(), args.end());
    std::ostringstream out, err;
    const int c = RunCli(full, out, err);
    if (code) *code = c;
    if (c != 0 && c != 3) Say("gyre " + args.front() + " failed (exit " + std::to_string(c) + "): " + err.str());
    return json::parse(out.str(), nullptr, false);
  }
  std::string Home() const { return work_ + "/.gyre"; }
  std::string Path(const std::string& rel) const { return work_ + "/" + rel; }

  std::ostream& out() { return out_; }
  demo::Episode episode;

 private:
  std::ostream& out_;
  std::string work_, stage_;
};

std::string F(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

Status Generate(Story& s, const std::string& rel, int64_t rows, uint64_t seed, double drift) {
  FraudOptions o;
  o.rows = rows;
  o.seed = seed;
  o.drift = drift;
  RETURN_IF_ERROR(Env::Default()->CreateDirs(DirName(s.Path(rel))));
  return GenerateFraudCsv(o, s.Path(rel), Env::Default());
}

void PrintSteps(Story& s, const PipelineRunReport& r) {
  for (const auto& step : r.steps) {
    std::string line = step.status + "  " + step.id;
    for (const auto& [k, v] : step.outputs) {
      if (k == "ref" || k == "anomalies" || k == "metrics.roc_auc" || k == "reason") line += "  " + k + "=" + v;
    }
    if (!step.error.empty()) line += "  " + step.error;
    s.Say(line);
  }
}

int64_t ChampionVersion(Story& s) {
  json m = s.Gyre({"models", "show", "fraud:champion"});
  return m.is_object() && m.contains("version") ? m["version"].get<int64_t>() : 0;
}

// The realized roc_auc of the latest labelled window in `gyre feedback --json`.
double LatestAuc(const json& feedback) {
  double auc = NAN;
  if (!feedback.is_object()) return auc;
  for (const auto& w : feedback["windows"]) {
    if (w["labeled"].get<int64_t>() > 0 && w["realized"].contains("roc_auc")) auc = w["realized"]["roc_auc"].get<double>();
  }
  return auc;
}

std::string AlertNames(const json& j) {
  std::string names;
  if (j.is_object() && j.contains("alerts")) {
    for (const auto& a : j["alerts"]) names += (names.empty() ? "" : ", ") + a["name"].get<std::string>();
  }
  return names.empty() ? "none" : names;
}

// What the stages hand on to each other.
struct Handoff {
  std::unique_ptr<serve::ModelServer> server;
  demo::Sent calm, dec;
  json feedback, feedback_after;  // `gyre feedback --json` for fraud:1's and fraud:2's traffic
  double calm_auc = NAN, dec_auc = NAN, after_auc = NAN;
};

// 1-2: October through the pipeline, which makes the first champion.
Status FirstChampion(Story& s, const DemoArgs& a) {
  s.Stage("1", "Collect: a month of card transactions (October)");
  RETURN_IF_ERROR(Generate(s, "data/october.csv", a.rows, 10, 0));
  s.Say("generated " + Thousands(a.rows) + " transactions, about 3% fraud, into data/october.csv");
  s.Row("October's transactions generated", Thousands(a.rows) + " rows");

  s.Stage("2", "Version, validate, train, gate and promote: the pipeline's first run");
  RETURN_IF_ERROR(WriteFileAtomic(Env::Default(), s.Path("pipeline.yaml"), kPipeline));
  ASSIGN_OR_RETURN(PipelineSpec spec, LoadPipeline(s.Path("pipeline.yaml")));
  PipelineRunOptions run;
  run.home = s.Home();
  ASSIGN_OR_RETURN(PipelineRunReport first, RunPipeline(spec, run));
  PrintSteps(s, first);
  const int64_t v1 = ChampionVersion(s);
  s.Row("pipeline run: versioned, validated, trained, gated, promoted", "champion fraud:" + std::to_string(v1));
  s.Claim("the first run made a champion (no champion yet: the absolute requirement decided)", v1 == 1,
          "fraud:champion = " + std::to_string(v1));
  return Status::OK();
}

// 3-5: the server follows fraud:champion; a calm week, then December's drifted traffic.
Status ServeTraffic(Story& s, Handoff& e) {
  s.Stage("3", "Serve it: the model server follows fraud:champion");
  serve::ServeOptions so;
  so.models = {"fraud:champion"};
  so.http.threads = 2;
  so.poll_interval = std::chrono::milliseconds(200);
  ASSIGN_OR_RETURN(e.server, serve::ModelServer::Start(Env::Default(), HomeLayout(s.Home()), so));
  const uint16_t port = e.server->port();
  s.Say("listening on http://127.0.0.1:" + std::to_string(port) + " (MLflow /invocations, OIP /v2, /metrics)");

  s.Stage("4", "Live traffic: a calm week, every prediction logged");
  RETURN_IF_ERROR(Generate(s, "data/calm.csv", 10000, 13, 0));
  ASSIGN_OR_RETURN(e.calm, demo::SendCsv(port, s.Path("data/calm.csv"), "calm", 50));
  s.Say(Thousands(e.calm.rows) + " transactions in " + Thousands(e.calm.requests) + " requests, " +
        std::to_string(e.calm.failed) + " failed");
  s.Row("a calm week served", Thousands(e.calm.rows) + " rows, " + std::to_string(e.calm.failed) + " failed");

  s.Stage("5", "December: the world moves (new merchants, larger amounts, a new fraud pattern)");
  RETURN_IF_ERROR(Generate(s, "data/december.csv", 10000, 14, 1.0));
  ASSIGN_OR_RETURN(e.dec, demo::SendCsv(port, s.Path("data/december.csv"), "dec", 50));
  s.Say(Thousands(e.dec.rows) + " transactions served by fraud:1");
  s.Row("December traffic served", Thousands(e.dec.rows) + " rows");
  return Status::OK();
}

// 6: monitoring compares December's window with the training data the model carries.
void Monitoring(Story& s, Handoff& e) {
  s.Stage("6", "Monitoring: December's window against the training data the model carries");
  e.server->FlushLogs();  // the log is written in the background; monitoring must see all of December
  json drift = s.Gyre({"monitor", "fraud:champion", "--window", "10000"});
  s.episode.drift_json = drift.dump();
  int drifted = 0;
  std::string names;
  if (drift.is_object()) {
    for (const auto& c : drift["columns"]) {
      if (c["drift"].get<bool>()) names += (drifted++ ? ", " : "") + c["column"].get<std::string>();
    }
  }
  const bool dataset_drift = drift.is_object() && drift["dataset_drift"].get<bool>();
  s.Say("drifted columns: " + names);
  s.Say("alerts: " + AlertNames(drift));
  s.Row("monitoring compared December with October", std::to_string(drifted) + " columns drifted; alerts: " + AlertNames(drift));
  s.Claim("monitoring detects December's drift", dataset_drift,
          "drift share " + (drift.is_object() ? F("%.2f", drift["drift_share"].get<double>()) : std::string("?")));
}

// 7: the labels come back and are joined to the logged predictions.
Status Labels(Story& s, Handoff& e) {
  s.Stage("7", "The labels come back: realized performance per window");
  std::vector<std::pair<std::string, std::string>> labels = e.calm.labels;
  labels.insert(labels.end(), e.dec.labels.begin(), e.dec.labels.end());
  RETURN_IF_ERROR(demo::WriteLabels(s.Path("data/labels.csv"), labels));
  // The team's alert rule: the main metric may fall at most 0.03 below the holdout's.
  e.feedback = s.Gyre({"feedback", "fraud:champion", "--input", s.Path("data/labels.csv"), "--window", "10000",
                       "--max-drop", "0.03"});
  const json& fb = e.feedback;
  e.dec_auc = LatestAuc(fb);
  if (fb.is_object() && !fb["windows"].empty() && fb["windows"][0]["realized"].contains("roc_auc"))
    e.calm_auc = fb["windows"][0]["realized"]["roc_auc"].get<double>();
  s.Say("roc_auc: calm week " + F("%.3f", e.calm_auc) + ", December " + F("%.3f", e.dec_auc) + "; alerts: " + AlertNames(fb));
  s.Row("labels joined to the logged predictions", "roc_auc " + F("%.3f", e.calm_auc) + " -> " + F("%.3f", e.dec_auc));
  s.Claim("the labels show the drop and raise an alert", e.dec_auc < e.calm_auc - 0.02 && AlertNames(fb) != "none",
          "December roc_auc " + F("%.3f", e.dec_auc) + " vs " + F("%.3f", e.calm_auc));
  return Status::OK();
}

// Waits (a bounded time) until the server answers with `version`.
void WaitForVersion(serve::ModelServer& server, int64_t version) {
  for (int i = 0; i < 100; ++i) {  // the server notices the alias within its poll interval
    for (const auto& [name, v] : server.Serving()) {
      if (v == version) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Runs the loop once on the landed file, printing what it decides.
Result<PipelineRunReport> LoopOnce(Story& s) {
  LoopOptions lo;
  lo.run.home = s.Home();
  lo.poll_seconds = 0.1;
  lo.max_runs = 1;
  lo.max_seconds = 120;
  PipelineRunReport retrain;
  lo.on_event = [&](const LoopEvent& ev) {
    s.Say("loop " + ev.kind + ": " + ev.detail);
    if (ev.run) {
      retrain = *ev.run;
      PrintSteps(s, *ev.run);
    }
  };
  ASSIGN_OR_RETURN(LoopSummary summary, RunLoop(s.Path("pipeline.yaml"), lo));
  if (summary.runs != 1) return FailedPrecondition("the loop made " + std::to_string(summary.runs) + " runs, not one");
  return retrain;
}

// 8: December's labelled data lands; the loop retrains and the gate promotes while traffic
// keeps flowing, and the server swaps.
Status Retrain(Story& s, const DemoArgs& a, Handoff& e) {
  s.Stage("8", "December's labelled data lands: the loop retrains, the gate decides, the server swaps");
  std::atomic<bool> stop_traffic{false};
  Result<demo::Sent> during = demo::Sent{};
  std::thread traffic([&] {
    during = demo::SendCsv(e.server->port(), s.Path("data/december.csv"), "swap", 50, &stop_traffic);
  });
  struct StopTraffic {  // on every way out, an exception included: a running thread must be joined
    std::atomic<bool>& stop;
    std::thread& thread;
    ~StopTraffic() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } stopper{stop_traffic, traffic};
  Status landed = Env::Default()->CreateDirs(s.Path("incoming"));
  if (landed.ok()) landed = Generate(s, "incoming/2026-12.csv", a.rows, 15, 1.0);
  Result<PipelineRunReport> retrain = landed.ok() ? LoopOnce(s) : Result<PipelineRunReport>(landed);
  WaitForVersion(*e.server, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // traffic on the new version too
  stop_traffic = true;
  traffic.join();
  // The log writer yields to requests and training (it runs at a lower priority), so under load
  // it falls behind, and past its queue's bound it drops records (counted, never waited for).
  // The swap's traffic is written before stage 9 sends the traffic its claim is judged on.
  e.server->FlushLogs();
  RETURN_IF_ERROR(retrain.status());
  RETURN_IF_ERROR(during.status());
  const int64_t v2 = ChampionVersion(s);
  s.Row("the loop retrained on December and the gate promoted",
        retrain->rejected ? "rejected: " + retrain->reason : "champion fraud:" + std::to_string(v2));
  s.Claim("the loop retrained on the landed file and the gate promoted the challenger",
          !retrain->rejected && retrain->status == "FINISHED" && v2 == 2, "champion fraud:" + std::to_string(v2));
  std::string versions;
  for (const auto& [v, n] : during->versions)
    versions += (versions.empty() ? "" : ", ") + std::string("v") + std::to_string(v) + " " + Thousands(n);
  s.Row("the server swapped under load",
        Thousands(during->requests) + " requests (" + versions + "), " + std::to_string(during->failed) + " failed");
  s.Claim("the server swapped to the new champion without a failed request",
          during->failed == 0 && during->versions.count(1) && during->versions.count(2),
          Thousands(during->requests) + " requests: " + versions + "; failed " + std::to_string(during->failed));
  s.episode.lineage_json = s.Gyre({"runs", "show", retrain->run_id}).dump();
  return Status::OK();
}

// 9: fresh December traffic on the new champion, its labels and its drift.
Status Recovery(Story& s, Handoff& e) {
  s.Stage("9", "Recovery: fresh December traffic on the new champion");
  RETURN_IF_ERROR(Generate(s, "data/december-fresh.csv", 10000, 16, 1.0));
  ASSIGN_OR_RETURN(demo::Sent after, demo::SendCsv(e.server->port(), s.Path("data/december-fresh.csv"), "after", 50));
  RETURN_IF_ERROR(demo::WriteLabels(s.Path("data/labels-after.csv"), after.labels));
  e.server->FlushLogs();
  e.feedback_after = s.Gyre({"feedback", "fraud:champion", "--input", s.Path("data/labels-after.csv"), "--window", "10000"});
  json drift = s.Gyre({"monitor", "fraud:champion", "--window", "10000"});
  e.after_auc = LatestAuc(e.feedback_after);
  if (std::isnan(e.after_auc) && e.feedback_after.is_object()) {  // say what the windows held
    std::string held;
    for (const auto& w : e.feedback_after["windows"]) held += " " + w["rows"].dump() + "/" + w["labeled"].dump();
    s.Say("no window of fraud:2 has a roc_auc; windows (rows/labeled):" + held);
  }
  const bool still_drift = !drift.is_object() || drift["dataset_drift"].get<bool>();
  s.Say("roc_auc of fraud:2: " + F("%.3f", e.after_auc) + " (fraud:1 had " + F("%.3f", e.dec_auc) +
        " on December); dataset drift: " + (still_drift ? "yes" : "no"));
  s.Row("the new champion on fresh traffic", "roc_auc " + F("%.3f", e.after_auc) + ", drift " + (still_drift ? "yes" : "no"));
  s.Claim("the new champion recovers the lost performance", e.after_auc > e.dec_auc + 0.02,
          F("%.3f", e.after_auc) + " vs " + F("%.3f", e.dec_auc));
  s.Claim("the new champion's traffic matches its training data", !still_drift,
          "drift share " + (drift.is_object() ? F("%.2f", drift["drift_share"].get<double>()) : std::string("?")));
  return Status::OK();
}

// The report's table of roc_auc by model and window.
std::string BeforeAfter(const Handoff& e) {
  // The holdout figure each model was trained with, as feedback reports it beside the windows.
  auto holdout = [](const json& f) {
    return f.is_object() && f["holdout"].is_object() && f["holdout"].contains("roc_auc")
               ? f["holdout"]["roc_auc"].get<double>()
               : NAN;
  };
  json rows = json::array();
  rows.push_back({{"model", "fraud:1"}, {"window", "holdout (October)"}, {"roc_auc", holdout(e.feedback)}});
  rows.push_back({{"model", "fraud:1"}, {"window", "calm week"}, {"roc_auc", e.calm_auc}});
  rows.push_back({{"model", "fraud:1"}, {"window", "December"}, {"roc_auc", e.dec_auc}});
  rows.push_back({{"model", "fraud:2"}, {"window", "holdout (December)"}, {"roc_auc", holdout(e.feedback_after)}});
  rows.push_back({{"model", "fraud:2"}, {"window", "fresh December traffic"}, {"roc_auc", e.after_auc}});
  return rows.dump();
}

// The story, stage by stage; every claim it makes is checked.
Status RunStages(Story& s, const DemoArgs& a) {
  RETURN_IF_ERROR(FirstChampion(s, a));
  Handoff e;
  RETURN_IF_ERROR(ServeTraffic(s, e));
  Monitoring(s, e);
  RETURN_IF_ERROR(Labels(s, e));
  RETURN_IF_ERROR(Retrain(s, a, e));
  RETURN_IF_ERROR(Recovery(s, e));
  e.server->Shutdown(std::chrono::milliseconds(2000));
  s.episode.before_after_json = BeforeAfter(e);
  return Status::OK();
}

Status Demo(CliContext& ctx, const DemoArgs& a) {
  std::string work = a.dir;
  if (work.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "gyre-demo-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return ErrnoError("creating a folder for the demo");
    work = tmpl;
  }
  RETURN_IF_ERROR(ctx.env->CreateDirs(work));
  work = fs::absolute(work).lexically_normal().string();
  Story s(ctx, work);
  s.out() << "Gyre demo in " << work << " (home " << s.Home() << ")\n";
  const auto start = std::chrono::steady_clock::now();
  Status st = RunStages(s, a);
  s.episode.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!st.ok()) return st;
  int failed = 0;
  for (const auto& c : s.episode.checks) failed += !c.held;
  s.out() << "\n== Summary\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : s.episode.stages) rows.push_back({r.stage, r.what, r.figures});
  PrintTable(s.out(), {"STAGE", "WHAT HAPPENED", "FIGURES"}, rows);
  const std::string report = work + "/episode.html";
  RETURN_IF_ERROR(WriteFileAtomic(ctx.env, report, demo::EpisodeHtml(s.episode)));
  s.out() << "\n" << s.episode.checks.size() - static_cast<size_t>(failed) << " of " << s.episode.checks.size()
          << " claims held, in " << F("%.1f", s.episode.seconds) << " s. Report: " << report << "\n";
  if (ctx.json) {
    json claims = json::array();
    for (const auto& c : s.episode.checks) claims.push_back({{"claim", c.claim}, {"held", c.held}, {"figures", c.figures}});
    ctx.out << json{{"claims", claims}, {"held", s.episode.checks.size() - static_cast<size_t>(failed)},
                    {"seconds", s.episode.seconds}, {"dir", work}, {"report", report}}.dump(2) << "\n";
    ctx.printed_result = true;
  }
  if (!a.keep && a.dir.empty()) {
    // A temporary folder keeps only the report; --keep keeps the data and the home too.
    s.out() << "(data and home removed; --keep keeps them)\n";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(work, ec)) {
      if (entry.path() == report) continue;
      for (auto& p : fs::recursive_directory_iterator(entry.path(), ec))
        fs::permissions(p.path(), fs::perms::owner_write, fs::perm_options::add, ec);  // objects are read-only
      fs::remove_all(entry.path(), ec);
    }
  }
  if (failed > 0) return FailedPrecondition(std::to_string(failed) + " of the demo's claims did not hold");
  return Status::OK();
}

}  // namespace

void AddDemoCommand(CLI::App& app, CliContext& ctx, Action* action) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* c = app.add_subcommand("demo", "the whole loop on generated data, told as it happens");
  c->add_option("--dir", a->dir, "work here (default: a fresh temporary folder, removed afterwards)");
  c->add_option("--rows", a->rows, "rows of each month of training data")->check(CLI::Range(5000, 2000000));
  c->add_flag("--keep", a->keep, "keep the temporary folder (data, home, report)");
  c->callback([&ctx, action, a] { *action = [&ctx, a] { return Demo(ctx, *a); }; });
}

}  // namespace gyre
