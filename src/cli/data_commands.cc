// gyre data add | list | show | schema | validate | profile | generate
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>

#include "cli/context.h"
#include "cli/format.h"
#include "core/progress.h"
#include "data/dataset.h"
#include "data/generate.h"
#include "data/profile_html.h"
#include "data/schema.h"
#include "data/stats.h"
#include "data/validate.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

// Reports bytes read against the file's size, on a terminal only.
void PrintAnomalies(std::ostream& out, const std::vector<Anomaly>& anomalies) {
  if (anomalies.empty()) {
    out << "no anomalies\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : anomalies) {
    std::string examples;
    for (int64_t r : a.rows) examples += (examples.empty() ? "" : ", ") + std::to_string(r);
    rows.push_back({a.column.empty() ? "-" : a.column, a.kind, Thousands(a.count), a.detail,
                    examples.empty() ? "" : "rows " + examples});
  }
  out << anomalies.size() << (anomalies.size() == 1 ? " anomaly:\n" : " anomalies:\n");
  PrintTable(out, {"COLUMN", "KIND", "COUNT", "DETAIL", "EXAMPLES"}, rows);
}

json VersionJson(const DatasetVersionRecord& v) {
  json j;
  j["dataset"] = v.dataset;
  j["version"] = v.version;
  j["sha256"] = v.sha256;
  j["rows"] = v.rows;
  j["columns"] = v.columns;
  j["bytes"] = v.bytes;
  j["format"] = v.format;
  j["source"] = v.source;
  j["added"] = TimeText(v.created_us);
  j["schema_sha256"] = v.schema_sha256;
  return j;
}

struct AddArgs {
  std::string file, name, label;
  bool strict = false;
};

Status DataAdd(CliContext& ctx, const AddArgs& a) {
  RETURN_IF_ERROR(ctx.OpenStores());
  DatasetCatalog catalog(ctx.meta(), ctx.objects(), ctx.env);
  FileProgress progress(ctx, "reading " + a.file, a.file);
  AddOptions opts{a.name, a.label, a.strict, progress.Callback()};
  ASSIGN_OR_RETURN(AddOutcome r, catalog.Add(a.file, opts));
  progress.progress->Finish();
  const DatasetVersionRecord& v = r.version;
  if (ctx.json) {
    json j = VersionJson(v);
    j["created"] = r.created;
    j["schema_inferred"] = r.schema_inferred;
    j["anomalies"] = json::parse(r.created ? AnomaliesToJson(r.report.anomalies) : v.anomalies_json);
    ctx.out << j.dump(2) << "\n";
    return Status::OK();
  }
  std::string ref = v.dataset + ":" + std::to_string(v.version);
  if (!r.created) {
    ctx.out << "identical content is already " << ref << " (sha256 " << ShortSha(v.sha256) << "); no new version\n";
    return Status::OK();
  }
  ctx.out << "added " << ref << ": " << Thousands(v.rows) << " rows x " << v.columns << " columns, "
          << Bytes(static_cast<uint64_t>(v.bytes)) << ", sha256 " << ShortSha(v.sha256) << "\n";
  if (r.schema_inferred) {
    ctx.out << "schema inferred from this first version; see or edit it: gyre data schema " << v.dataset << "\n";
    return Status::OK();
  }
  PrintAnomalies(ctx.out, r.report.anomalies);
  return Status::OK();
}

Status DataList(CliContext& ctx) {
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(auto datasets, ctx.meta()->ListDatasets());
  json list = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : datasets) {
    auto latest = ctx.meta()->GetDatasetVersion(d.name, 0);
    int64_t nrows = latest.ok() ? latest->rows : 0;
    std::string updated = latest.ok() ? TimeText(latest->created_us) : "";
    list.push_back({{"name", d.name}, {"versions", d.latest_version}, {"label", d.label}, {"rows", nrows}, {"updated", updated}});
    rows.push_back({d.name, std::to_string(d.latest_version), Thousands(nrows), d.label.empty() ? "-" : d.label, updated});
  }
  if (ctx.json) {
    ctx.out << json{{"datasets", list}}.dump(2) << "\n";
  } else if (rows.empty()) {
    ctx.out << "no datasets yet; add one: gyre data add FILE --name NAME\n";
  } else {
    PrintTable(ctx.out, {"NAME", "VERSIONS", "ROWS (LATEST)", "LABEL", "UPDATED"}, rows);
  }
  return Status::OK();
}

void PrintColumnSummary(std::ostream& out, const DatasetStats& stats) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : stats.columns) {
    int64_t total = c.count + c.missing;
    std::string missing = Pct(total ? static_cast<double>(c.missing) / static_cast<double>(total) : 0);
    std::string distinct = (c.distinct_exact ? "" : "~") + Thousands(c.distinct);
    if (c.numeric) {
      const auto& n = *c.numeric;
      rows.push_back({c.name, ColumnTypeName(c.type), missing, distinct, Short(n.mean), Short(n.std), Short(n.min),
                      Short(n.quantiles[3]), Short(n.max)});
    } else if (c.min_time) {
      rows.push_back({c.name, ColumnTypeName(c.type), missing, distinct, "", "", TimeText(*c.min_time), "",
                      TimeText(*c.max_time)});
    } else {
      std::string top = c.top.empty() ? "" : c.top[0].value + " (" + Thousands(c.top[0].count) + ")";
      rows.push_back({c.name, ColumnTypeName(c.type), missing, distinct, "top: " + top, "", "", "", ""});
    }
  }
  PrintTable(out, {"COLUMN", "TYPE", "MISSING", "DISTINCT", "MEAN", "STD", "MIN", "MEDIAN", "MAX"}, rows);
}

Status DataShow(CliContext& ctx, const std::string& ref_text) {
  ASSIGN_OR_RETURN(DatasetRef ref, ParseDatasetRef(ref_text));
  RETURN_IF_ERROR(ctx.OpenStores());
  DatasetCatalog catalog(ctx.meta(), ctx.objects(), ctx.env);
  ASSIGN_OR_RETURN(DatasetVersionRecord v, catalog.Get(ref));
  ASSIGN_OR_RETURN(DatasetStats stats, StatsFromJson(v.stats_json));
  ASSIGN_OR_RETURN(auto all, ctx.meta()->ListDatasetVersions(v.dataset));
  // Lineage, downstream: the runs that used this version and the models they registered.
  ASSIGN_OR_RETURN(auto runs, ctx.meta()->RunsUsingDataset(v.dataset, v.version));
  std::vector<std::string> models;
  for (const auto& r : runs) {
    ASSIGN_OR_RETURN(auto built, ctx.meta()->ModelVersionsFromRun(r.run_id));
    for (const auto& m : built) models.push_back(m.model + ":" + std::to_string(m.version));
  }
  if (ctx.json) {
    json j = VersionJson(v);
    json used = json::array();
    for (const auto& r : runs) used.push_back(r.run_id);
    j["used_by_runs"] = used;
    j["models"] = models;
    j["anomalies"] = json::parse(v.anomalies_json);
    j["statistics"] = json::parse(v.stats_json);
    json versions = json::array();
    for (const auto& o : all) versions.push_back({{"version", o.version}, {"rows", o.rows}, {"sha256", o.sha256}, {"created", TimeText(o.created_us)}});
    j["versions"] = versions;
    ctx.out << j.dump(2) << "\n";
    return Status::OK();
  }
  ctx.out << v.dataset << ":" << v.version << "  (" << all.size() << " versions)\n"
          << "  rows      " << Thousands(v.rows) << "\n  columns   " << v.columns << "\n  size      "
          << Bytes(static_cast<uint64_t>(v.bytes)) << " (" << v.format << ")\n  sha256    " << v.sha256
          << "\n  source    " << v.source << "\n  added     " << TimeText(v.created_us) << "\n\n";
  PrintColumnSummary(ctx.out, stats);
  ctx.out << "\n";
  if (!runs.empty()) {
    ctx.out << "used by " << runs.size() << (runs.size() == 1 ? " run" : " runs") << " (";
    for (size_t i = 0; i < runs.size() && i < 5; ++i) ctx.out << (i ? ", " : "") << ShortSha(runs[i].run_id);
    ctx.out << (runs.size() > 5 ? ", ..." : "") << ")";
    if (!models.empty()) {
      ctx.out << "; models built from it:";
      for (const auto& m : models) ctx.out << " " << m;
    }
    ctx.out << "\n";
  }
  auto anomalies = json::parse(v.anomalies_json);
  if (anomalies.empty()) {
    ctx.out << "no anomalies against the schema when added\n";
  } else {
    ctx.out << anomalies.size() << " anomalies against the schema when added (gyre data show " << v.dataset << ":"
            << v.version << " --json for all)\n";
  }
  return Status::OK();
}

struct SchemaArgs {
  std::string name, out, update;
};

Status DataSchema(CliContext& ctx, const SchemaArgs& a) {
  RETURN_IF_ERROR(ctx.OpenStores());
  DatasetCatalog catalog(ctx.meta(), ctx.objects(), ctx.env);
  if (!a.update.empty()) {
    ASSIGN_OR_RETURN(std::string yaml, ctx.env->ReadFile(a.update));
    RETURN_IF_ERROR(catalog.SetSchema(a.name, yaml, a.update));
    if (ctx.json) ctx.out << json{{"dataset", a.name}, {"updated", true}}.dump() << "\n";
    else ctx.out << "schema of " << a.name << " updated from " << a.update << "\n";
    return Status::OK();
  }
  ASSIGN_OR_RETURN(auto found, ctx.meta()->FindDataset(a.name));
  if (!found) return NotFound("no dataset named " + a.name + " (see: gyre data list)");
  std::string yaml = found->schema_yaml;
  if (yaml.rfind("#", 0) != 0) {  // an edited schema keeps its own comments
    yaml = "# Schema of dataset " + a.name + ". Edit and apply with: gyre data schema " + a.name +
           " --update FILE\n" + yaml;
  }
  if (!a.out.empty()) {
    RETURN_IF_ERROR(WriteFileAtomic(ctx.env, a.out, yaml));
    if (ctx.json) ctx.out << json{{"dataset", a.name}, {"out", a.out}}.dump() << "\n";
    else ctx.out << "wrote " << a.out << "\n";
    return Status::OK();
  }
  if (ctx.json) {
    ASSIGN_OR_RETURN(Schema s, SchemaFromYaml(found->schema_yaml, "schema of " + a.name));
    json cols = json::array();
    for (const auto& c : s.columns) {
      json jc{{"name", c.name}, {"type", ColumnTypeName(c.type)}, {"required", c.required},
              {"max_missing_fraction", c.max_missing_fraction}};
      if (c.min) jc["min"] = *c.min;
      if (c.max) jc["max"] = *c.max;
      if (!c.domain.empty()) jc["domain"] = c.domain;
      cols.push_back(jc);
    }
    ctx.out << json{{"dataset", s.dataset}, {"label", s.label}, {"columns", cols}}.dump(2) << "\n";
  } else {
    ctx.out << yaml;
  }
  return Status::OK();
}

struct ValidateArgs {
  std::string file, dataset, schema;
};

Status DataValidate(CliContext& ctx, const ValidateArgs& a) {
  Schema schema;
  if (!a.schema.empty()) {
    ASSIGN_OR_RETURN(std::string yaml, ctx.env->ReadFile(a.schema));
    ASSIGN_OR_RETURN(schema, SchemaFromYaml(yaml, a.schema));
  } else if (!a.dataset.empty()) {
    ASSIGN_OR_RETURN(DatasetRef ref, ParseDatasetRef(a.dataset));
    RETURN_IF_ERROR(ctx.OpenStores());
    DatasetCatalog catalog(ctx.meta(), ctx.objects(), ctx.env);
    if (ref.version == 0) {
      ASSIGN_OR_RETURN(schema, catalog.GetSchema(ref.name));
    } else {
      ASSIGN_OR_RETURN(DatasetVersionRecord v, catalog.Get(ref));
      ASSIGN_OR_RETURN(schema, catalog.GetSchemaOf(v));
    }
  } else {
    return InvalidArgument("give --dataset NAME[:V] or --schema FILE to validate against");
  }
  FileProgress progress(ctx, "validating " + a.file, a.file);
  ReadOptions read;
  read.on_progress = progress.Callback();
  ASSIGN_OR_RETURN(ValidationReport report, ValidateFile(a.file, schema, nullptr, nullptr, read));
  progress.progress->Finish();
  if (ctx.json) {
    ctx.out << ReportToJson(report, 2) << "\n";
  } else {
    ctx.out << a.file << ": " << Thousands(report.rows) << " rows checked against the schema of "
            << (schema.dataset.empty() ? a.schema : schema.dataset) << "\n";
    PrintAnomalies(ctx.out, report.anomalies);
  }
  ctx.printed_result = true;
  if (!report.valid()) {
    size_t n = report.anomalies.size();
    return FailedPrecondition(std::to_string(n) + (n == 1 ? " anomaly" : " anomalies") + " found in " + a.file);
  }
  return Status::OK();
}

struct ProfileArgs {
  std::string target, html;
};

Status DataProfile(CliContext& ctx, const ProfileArgs& a) {
  DatasetStats stats;
  std::string source = a.target;
  if (ctx.env->FileExists(a.target)) {
    FileProgress progress(ctx, "profiling " + a.target, a.target);
    ReadOptions read;
    read.on_progress = progress.Callback();
    ASSIGN_OR_RETURN(stats, ProfileFile(a.target, read));
  } else {
    auto ref = ParseDatasetRef(a.target);
    if (!ref.ok()) return NotFound("no such file or dataset: " + a.target);
    RETURN_IF_ERROR(ctx.OpenStores());
    DatasetCatalog catalog(ctx.meta(), ctx.objects(), ctx.env);
    auto v = catalog.Get(*ref);
    if (!v.ok()) return NotFound("no such file or dataset: " + a.target + " (" + v.status().message() + ")");
    source = v->dataset + ":" + std::to_string(v->version);
    ASSIGN_OR_RETURN(stats, StatsFromJson(v->stats_json));  // computed once, when it was added
  }
  if (!a.html.empty()) {
    ProfileHtmlOptions opts{"Profile of " + source, source, TimeText(ctx.env->NowMicros())};
    RETURN_IF_ERROR(WriteFileAtomic(ctx.env, a.html, RenderProfileHtml(stats, opts)));
  }
  if (ctx.json) {
    ctx.out << StatsToJson(stats, 2) << "\n";
    return Status::OK();
  }
  ctx.out << source << ": " << Thousands(stats.rows) << " rows, " << stats.columns.size() << " columns\n";
  PrintColumnSummary(ctx.out, stats);
  if (!a.html.empty()) ctx.out << "wrote " << a.html << "\n";
  return Status::OK();
}

struct GenerateArgs {
  std::string kind = "fraud", out;
  int64_t rows = 10000;
  uint64_t seed = 42;
  double drift = 0;
};

Status DataGenerate(CliContext& ctx, const GenerateArgs& a) {
  if (a.kind == "fraud") {
    FraudOptions o;
    o.rows = a.rows;
    o.seed = a.seed;
    o.drift = a.drift;
    RETURN_IF_ERROR(GenerateFraudCsv(o, a.out, ctx.env));
  } else if (a.kind == "demand") {
    DemandOptions o;
    o.rows = a.rows;
    o.seed = a.seed;
    o.drift = a.drift;
    RETURN_IF_ERROR(GenerateDemandCsv(o, a.out, ctx.env));
  } else {
    return InvalidArgument("--kind " + a.kind + ": the kinds are: fraud, demand");
  }
  ASSIGN_OR_RETURN(uint64_t size, ctx.env->FileSize(a.out));
  if (ctx.json) {
    ctx.out << json{{"out", a.out}, {"kind", a.kind}, {"rows", a.rows}, {"seed", a.seed}, {"drift", a.drift}, {"bytes", size}}.dump()
            << "\n";
  } else {
    ctx.out << "wrote " << a.out << ": " << Thousands(a.rows) << (a.kind == "fraud" ? " card transactions" : " daily store-item sales") << " (seed " << a.seed
            << ", drift " << a.drift << "), " << Bytes(size) << "\n";
  }
  return Status::OK();
}

}  // namespace

void AddDataCommands(CLI::App& app, CliContext& ctx, Action* action) {
  CLI::App* data = app.add_subcommand("data", "stage 1: version, validate and profile datasets");
  data->require_subcommand(1);
  data->fallthrough();

  auto add = std::make_shared<AddArgs>();
  CLI::App* c = data->add_subcommand("add", "store FILE as a new version of dataset NAME (the first infers the schema)");
  c->add_option("FILE", add->file, "CSV or JSON Lines file")->required()->check(CLI::ExistingFile);
  c->add_option("--name", add->name, "dataset name")->required();
  c->add_option("--label", add->label, "the target column (remembered by the schema)");
  c->add_flag("--strict", add->strict, "refuse the version when it has anomalies (exit 3)");
  c->callback([&ctx, action, add] { *action = [&ctx, add] { return DataAdd(ctx, *add); }; });

  c = data->add_subcommand("list", "datasets and their latest versions");
  c->callback([&ctx, action] { *action = [&ctx] { return DataList(ctx); }; });

  auto show = std::make_shared<std::string>();
  c = data->add_subcommand("show", "a dataset version: size, hash, source, column summary");
  c->add_option("REF", *show, "NAME or NAME:VERSION")->required();
  c->callback([&ctx, action, show] { *action = [&ctx, show] { return DataShow(ctx, *show); }; });

  auto schema = std::make_shared<SchemaArgs>();
  c = data->add_subcommand("schema", "print, save or replace a dataset's schema (YAML)");
  c->add_option("NAME", schema->name, "dataset name")->required();
  c->add_option("--out", schema->out, "write the YAML to this file");
  c->add_option("--update", schema->update, "replace the schema with this edited YAML file")->check(CLI::ExistingFile);
  c->callback([&ctx, action, schema] { *action = [&ctx, schema] { return DataSchema(ctx, *schema); }; });

  auto validate = std::make_shared<ValidateArgs>();
  c = data->add_subcommand("validate", "check FILE against a schema; exit 3 when anomalies are found");
  c->add_option("FILE", validate->file, "CSV or JSON Lines file")->required()->check(CLI::ExistingFile);
  c->add_option("--dataset", validate->dataset, "validate against this dataset's schema (NAME or NAME:V)");
  c->add_option("--schema", validate->schema, "validate against this schema YAML file")->check(CLI::ExistingFile);
  c->callback([&ctx, action, validate] { *action = [&ctx, validate] { return DataValidate(ctx, *validate); }; });

  auto profile = std::make_shared<ProfileArgs>();
  c = data->add_subcommand("profile", "statistics per column of a file or a dataset version");
  c->add_option("TARGET", profile->target, "a file, or NAME[:V]")->required();
  c->add_option("--html", profile->html, "also write a self-contained HTML report here");
  c->callback([&ctx, action, profile] { *action = [&ctx, profile] { return DataProfile(ctx, *profile); }; });

  auto gen = std::make_shared<GenerateArgs>();
  c = data->add_subcommand("generate", "write realistic sample data (deterministic for a seed)");
  c->add_option("--kind", gen->kind, "what to generate: fraud (card transactions) or demand (daily store-item sales)");
  c->add_option("--rows", gen->rows, "number of rows")->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  c->add_option("--seed", gen->seed, "random seed");
  c->add_option("--drift", gen->drift, "0 (reference) to 1: how far the world has moved")->check(CLI::Range(0.0, 1.0));
  c->add_option("--out", gen->out, "output CSV file")->required();
  c->callback([&ctx, action, gen] { *action = [&ctx, gen] { return DataGenerate(ctx, *gen); }; });
}

}  // namespace gyre
