#include "cli/monitor_common.h"

#include <nlohmann/json.hpp>

#include "registry/registry.h"

namespace gyre {

Result<MonitorData> LoadMonitorData(CliContext& ctx, const std::string& model_ref, bool need_reference) {
  ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(model_ref));
  RETURN_IF_ERROR(ctx.OpenStores());
  Registry registry(ctx.meta(), ctx.env, DefaultActor());
  MonitorData d;
  ASSIGN_OR_RETURN(d.version, registry.Resolve(ref));
  ASSIGN_OR_RETURN(std::string bytes, ctx.objects()->Get(d.version.bundle_sha256));
  ASSIGN_OR_RETURN(d.bundle, ModelBundle::Parse(bytes));
  if (need_reference) {
    ASSIGN_OR_RETURN(d.reference, ModelReference(d.bundle));
  }
  ASSIGN_OR_RETURN(std::vector<PredictionRecord> all,
                   ReadPredictionLog(ctx.env, ctx.layout().ModelLogDir(d.version.model), &d.log));
  for (PredictionRecord& r : all)
    if (r.model_version == d.version.version) d.records.push_back(std::move(r));
  ASSIGN_OR_RETURN(std::vector<FeedbackLabel> labels, ctx.meta()->GetFeedback(d.version.model));
  for (FeedbackLabel& l : labels) d.labels[std::move(l.request_id)] = std::move(l.label);
  if (!d.bundle.calibration_json.empty()) {
    ASSIGN_OR_RETURN(Calibration c, Calibration::FromJson(d.bundle.calibration_json));
    d.calibration = std::move(c);
  }
  const nlohmann::json metrics = nlohmann::json::parse(d.bundle.metrics_json, nullptr, false);
  if (metrics.is_object())
    for (const auto& [k, v] : metrics.items())
      if (v.is_number()) d.holdout[k] = v.get<double>();
  return d;
}

Result<std::vector<AlertRule>> LoadAlertRules(CliContext& ctx, const std::string& file, Task task,
                                              double max_drop) {
  if (file.empty()) return DefaultAlertRules(task, max_drop);
  ASSIGN_OR_RETURN(std::string yaml, ctx.env->ReadFile(file));
  return ParseAlertRules(yaml, file);
}

Result<std::vector<FiredAlert>> RaiseAlerts(CliContext& ctx, const MonitorData& d,
                                            const std::vector<AlertRule>& rules,
                                            const MonitorFigures& figures) {
  std::vector<FiredAlert> fired = EvaluateAlerts(rules, figures);
  ASSIGN_OR_RETURN(std::vector<EventRecord> recent, ctx.meta()->ListEvents(d.version.model, 200));
  for (const FiredAlert& a : fired) {
    const EventRecord* last = nullptr;
    for (const EventRecord& e : recent)
      if (e.version == d.version.version && e.name == a.name) {
        last = &e;
        break;
      }
    if (last && last->figures_json == a.figures_json) continue;  // already raised for these figures
    EventRecord e{0, ctx.env->NowMicros(), "alert", d.version.model, d.version.version, a.name, a.figures_json};
    RETURN_IF_ERROR(ctx.meta()->RecordEvent(e).status());
  }
  return fired;
}

nlohmann::json AlertsJson(const std::vector<FiredAlert>& fired) {
  nlohmann::json out = nlohmann::json::array();
  for (const FiredAlert& a : fired)
    out.push_back({{"name", a.name}, {"message", a.message}, {"figures", nlohmann::json::parse(a.figures_json)}});
  return out;
}

}  // namespace gyre
