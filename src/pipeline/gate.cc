// The gate: a challenger becomes champion only on evidence. Both models are evaluated on the
// same holdout (the challenger's own held-out rows unless `holdout` names other data), then
// the spec's conditions decide: absolute requirements, a least gain over the champion, data
// validation, and optionally no serious drift between their training data. Like TFX's
// Evaluator blessing, the decision records both models and every figure it used.
#include <nlohmann/json.hpp>

#include <cmath>

#include "monitor/drift.h"
#include "pipeline/builtins.h"
#include "pipeline/steps.h"
#include "pipeline/training.h"
#include "track/tracker.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

struct Champion {
  std::string ref;  // NAME:V, or "" when there is none yet
  std::string run_id;
  std::string bundle_sha256;
};

Result<Champion> FindChampion(StepEnv& s) {
  Champion c;
  auto v = s.meta->GetModelVersionByAlias(s.Arg("model"), s.Arg("alias", "champion"));
  if (!v.ok()) {
    if (v.status().code() == StatusCode::kNotFound) return c;
    return v.status();
  }
  c.ref = v->model + ":" + std::to_string(v->version);
  c.run_id = v->run_id;
  c.bundle_sha256 = v->bundle_sha256;
  return c;
}

// The rows the challenger's run held out, rebuilt from what the run recorded.
Result<Table> ChallengerHoldout(StepEnv& s, const std::string& run_id) {
  Tracker tracker(s.meta, s.objects, s.env);
  ASSIGN_OR_RETURN(RunView run, tracker.GetRun(run_id));
  auto recorded = RecordedTrainingOf(run);
  if (!recorded.ok()) return InvalidArgument(recorded.status().message() + ": give the gate a holdout");
  ASSIGN_OR_RETURN(TrainingData data, LoadTrainingData(s.meta, s.objects, s.env, recorded->data));
  const TrainOptions& o = recorded->options;
  ASSIGN_OR_RETURN(std::vector<bool> rows, HoldoutRows(data.table, o));
  return SelectRows(data.table, rows);
}

// The share of input columns that drifted between the two models' training data.
Result<double> TrainingDrift(const ModelBundle& champion, const ModelBundle& challenger) {
  if (champion.reference_summary.empty() || challenger.reference_summary.empty()) {
    return FailedPrecondition("a model carries no training-data summary to compare");
  }
  ASSIGN_OR_RETURN(DatasetSummary before, ParseSummary(champion.reference_summary));
  ASSIGN_OR_RETURN(DatasetSummary after, ParseSummary(challenger.reference_summary));
  DriftOptions o;
  for (const auto& c : before.columns) {
    bool input = false;
    for (const auto& f : challenger.signature.features) input = input || f.name == c.name;
    if (!input) o.skip_columns.push_back(c.name);
  }
  ASSIGN_OR_RETURN(DriftReport report, ComputeDrift(before, after, o));
  return report.drift_share;
}

struct Decision {
  bool passed = true;
  std::vector<std::string> reasons;  // why not, or what held
  json checks = json::array();
  void Check(const std::string& what, bool ok, json figures) {
    figures["check"] = what;
    figures["passed"] = ok;
    checks.push_back(std::move(figures));
    if (!ok) {
      passed = false;
      reasons.push_back(what);
    }
  }
};

Status CheckRequirements(StepEnv& s, const std::map<std::string, double>& m, Decision& d) {
  const SpecValue* req = s.args.Get("require");
  if (req == nullptr) return Status::OK();
  for (const auto& item : req->items) {
    ASSIGN_OR_RETURN(Condition c, ParseCondition(item.text));
    auto it = m.find(c.metric);
    const double v = it == m.end() ? NAN : it->second;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s (the challenger has %.6g)", c.ToString().c_str(), v);
    d.Check(buf, c.Holds(v), {{"metric", c.metric}, {"challenger", v}});
  }
  return Status::OK();
}

Status CheckGains(StepEnv& s, const std::map<std::string, double>& mine, const std::map<std::string, double>& theirs,
                  Decision& d) {
  const SpecValue* better = s.args.Get("better_than_champion");
  if (better == nullptr) return Status::OK();
  for (const auto& [metric, v] : better->fields) {
    char* end = nullptr;
    const double least = std::strtod(v.text.c_str(), &end);
    if (v.text.empty() || *end != '\0' || !KnownMetric(metric)) {
      return InvalidArgument("better_than_champion." + metric + ": expected a known metric and a number, got \"" +
                             v.text + "\"");
    }
    const double a = mine.count(metric) ? mine.at(metric) : NAN;
    const double b = theirs.count(metric) ? theirs.at(metric) : NAN;
    const double gain = HigherIsBetter(metric) ? a - b : b - a;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s %.6g against the champion's %.6g: a gain of at least %g", metric.c_str(), a, b,
                  least);
    d.Check(buf, gain >= least, {{"metric", metric}, {"challenger", a}, {"champion", b}, {"gain", gain}});
  }
  return Status::OK();
}

}  // namespace

Result<std::string> GateKeyState(StepEnv& s) {
  ASSIGN_OR_RETURN(ModelObject challenger, FindModelObject(s, s.Arg("challenger")));
  ASSIGN_OR_RETURN(Champion champion, FindChampion(s));
  std::string key = "challenger " + challenger.sha256 + " champion " +
                    (champion.ref.empty() ? "none" : champion.ref + " " + champion.bundle_sha256);
  if (!s.Arg("holdout").empty()) {
    ASSIGN_OR_RETURN(std::string holdout, DataKey(s, s.Arg("holdout")));
    key += " holdout " + holdout;
  }
  return key;
}

Result<StepOutputs> RunGate(StepEnv& s) {
  ASSIGN_OR_RETURN(auto challenger_bytes, LoadModelBytes(s, s.Arg("challenger")));
  ASSIGN_OR_RETURN(auto challenger, Predictor::Load(challenger_bytes.first));
  ASSIGN_OR_RETURN(Champion champion, FindChampion(s));
  const std::string challenger_run = challenger->bundle().run_id;
  Decision d;
  json figures{{"challenger", challenger_bytes.second}, {"champion", champion.ref.empty() ? json() : json(champion.ref)}};
  StepOutputs out;
  if (!champion.ref.empty() && champion.run_id == challenger_run) {
    out.Set("passed", "true");
    out.Set("champion", champion.ref);
    out.Set("challenger", challenger_bytes.second);
    out.Set("reason", "the challenger is already the champion");
    figures["passed"] = true;
    figures["reason"] = "the challenger is already the champion";
    out.report_json = figures.dump(2);
    s.log += "the challenger is already the champion " + champion.ref + "\n";
    return out;
  }
  Table holdout;
  if (!s.Arg("holdout").empty()) {
    ASSIGN_OR_RETURN(holdout, LoadTableArg(s, s.Arg("holdout")));
  } else {
    ASSIGN_OR_RETURN(holdout, ChallengerHoldout(s, challenger_run));
  }
  figures["holdout_rows"] = holdout.num_rows();
  ASSIGN_OR_RETURN(auto mine, EvaluateOn(*challenger, holdout));
  figures["challenger_metrics"] = mine;
  std::map<std::string, double> theirs;
  std::unique_ptr<Predictor> champ;
  if (!champion.ref.empty()) {
    ASSIGN_OR_RETURN(std::string bytes, s.objects->Get(champion.bundle_sha256));
    ASSIGN_OR_RETURN(champ, Predictor::Load(bytes));
    ASSIGN_OR_RETURN(theirs, EvaluateOn(*champ, holdout));
    figures["champion_metrics"] = theirs;
  }
  if (!s.Arg("validation").empty()) {
    d.Check("data validation passed", s.Arg("validation") == "true", {{"validation", s.Arg("validation")}});
  }
  RETURN_IF_ERROR(CheckRequirements(s, mine, d));
  if (champ) RETURN_IF_ERROR(CheckGains(s, mine, theirs, d));
  if (champ && !s.Arg("max_drift_share").empty()) {
    const double most = std::strtod(s.Arg("max_drift_share").c_str(), nullptr);
    ASSIGN_OR_RETURN(double share, TrainingDrift(champ->bundle(), challenger->bundle()));
    char buf[120];
    std::snprintf(buf, sizeof buf, "training data drift share %.3g, at most %g", share, most);
    d.Check(buf, share <= most, {{"drift_share", share}});
  }
  figures["checks"] = d.checks;
  figures["passed"] = d.passed;
  std::string reason = d.passed ? (champion.ref.empty() ? "no champion yet; every requirement holds"
                                                        : "every requirement holds against " + champion.ref)
                                : "not met: ";
  for (size_t i = 0; !d.passed && i < d.reasons.size(); ++i) reason += (i ? "; " : "") + d.reasons[i];
  out.Set("passed", d.passed ? "true" : "false");
  out.Set("champion", champion.ref);
  out.Set("challenger", challenger_bytes.second);
  out.Set("reason", reason);
  for (const auto& [k, v] : mine) out.Set("metrics." + k, DoubleText(v));
  out.rejected = !d.passed;
  out.reason = reason;
  out.inputs_json = json{{"challenger", challenger_bytes.second}, {"champion", champion.ref}}.dump();
  out.report_json = figures.dump(2);
  s.log += reason + "\n";
  return out;
}

}  // namespace gyre
