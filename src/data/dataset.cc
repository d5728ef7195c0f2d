#include "data/dataset.h"

#include <charconv>
#include <filesystem>

#include "core/log.h"
#include "core/names.h"
#include "core/sha256.h"

namespace gyre {

Status CheckDatasetName(std::string_view name) { return CheckName("dataset", name); }

Result<DatasetRef> ParseDatasetRef(std::string_view text) {
  DatasetRef ref;
  auto colon = text.rfind(':');
  ref.name = std::string(text.substr(0, colon));
  RETURN_IF_ERROR(CheckDatasetName(ref.name));
  if (colon != std::string_view::npos) {
    std::string_view v = text.substr(colon + 1);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ref.version);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size() || ref.version < 1) {
      return InvalidArgument("invalid version \"" + std::string(v) + "\" in " + std::string(text) +
                             ": expected NAME or NAME:N with N >= 1");
    }
  }
  return ref;
}

ReadOptions DatasetCatalog::ReadOptionsFor(const DatasetVersionRecord& v) {
  ReadOptions o;
  o.format = v.format == "jsonl" ? FileFormat::kJsonl : FileFormat::kCsv;
  return o;
}

Result<AddOutcome> DatasetCatalog::Add(const std::string& path, const AddOptions& options) {
  RETURN_IF_ERROR(CheckDatasetName(options.name));
  ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(path));
  AddOutcome out;
  ASSIGN_OR_RETURN(auto existing, meta_->FindDataset(options.name));
  if (existing) {
    ASSIGN_OR_RETURN(auto same, meta_->FindVersionBySha(options.name, sha));
    if (same) {
      out.version = *same;
      return out;
    }
  }
  // One pass over the file: statistics, and validation when there is a schema to check.
  Schema schema;
  DatasetStats stats;
  ReadOptions read;
  read.on_progress = options.on_progress;
  ScanSummary summary;
  if (existing) {
    ASSIGN_OR_RETURN(schema, SchemaFromYaml(existing->schema_yaml, "schema of " + options.name));
    ASSIGN_OR_RETURN(out.report, ValidateFile(path, schema, &stats, &summary, read));
  } else {
    ASSIGN_OR_RETURN(stats, ProfileFile(path, read, {}, &summary));
    if (!options.label.empty() && stats.Find(options.label) == nullptr) {
      std::string names;
      for (const auto& c : stats.columns) names += (names.empty() ? "" : ", ") + c.name;
      return InvalidArgument("--label " + options.label + ": no such column in " + path + " (columns: " + names + ")");
    }
    schema = InferSchema(stats, options.name, options.label);
    out.schema_inferred = true;
    out.report.rows = summary.rows;
  }
  LogDebug("read " + path + ": " + std::to_string(summary.rows) + " rows, " + std::to_string(summary.columns.size()) +
           " columns, " + FileFormatName(summary.format) + ", " + std::to_string(summary.passes) + " pass(es); " +
           std::to_string(out.report.anomalies.size()) + " anomalies");
  if (options.strict && !out.report.valid()) {
    size_t n = out.report.anomalies.size();
    return FailedPrecondition(std::to_string(n) + (n == 1 ? " anomaly" : " anomalies") + " against the schema of " +
                              options.name + "; --strict refuses the version (nothing was stored)");
  }
  ASSIGN_OR_RETURN(std::string stored, objects_->PutFile(path));
  if (stored != sha) return Status(StatusCode::kUnavailable, path + " changed while it was being added; try again");
  std::string schema_yaml = existing ? existing->schema_yaml : SchemaToYaml(schema);
  NewDatasetVersion request;
  DatasetVersionRecord& v = request.version;
  v.dataset = options.name;
  v.sha256 = sha;
  v.format = FileFormatName(summary.format);
  v.rows = summary.rows;
  v.columns = static_cast<int64_t>(summary.columns.size());
  v.bytes = static_cast<int64_t>(summary.bytes);
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  v.source = ec ? path : abs.string();
  v.stats_json = StatsToJson(stats);
  v.anomalies_json = AnomaliesToJson(out.report.anomalies);
  ASSIGN_OR_RETURN(v.schema_sha256, objects_->PutBytes(schema_yaml));
  v.created_us = env_->NowMicros();
  request.label = options.label;
  request.schema_yaml = schema_yaml;
  ASSIGN_OR_RETURN(out.version, meta_->AddDatasetVersion(request, &out.created));
  LogDebug("stored object " + sha + (out.created ? "; recorded " : "; already recorded as ") + options.name + ":" +
           std::to_string(out.version.version));
  if (!out.created) out.schema_inferred = false;
  return out;
}

Result<DatasetVersionRecord> DatasetCatalog::Get(const DatasetRef& ref) {
  return meta_->GetDatasetVersion(ref.name, ref.version);
}

Result<Schema> DatasetCatalog::GetSchema(const std::string& name) {
  ASSIGN_OR_RETURN(auto found, meta_->FindDataset(name));
  if (!found) return NotFound("no dataset named " + name + " (see: gyre data list)");
  return SchemaFromYaml(found->schema_yaml, "schema of " + name);
}

Result<Schema> DatasetCatalog::GetSchemaOf(const DatasetVersionRecord& v) {
  ASSIGN_OR_RETURN(std::string yaml, objects_->Get(v.schema_sha256));
  return SchemaFromYaml(yaml, "schema of " + v.dataset + ":" + std::to_string(v.version));
}

Status DatasetCatalog::SetSchema(const std::string& name, const std::string& yaml, const std::string& source_name) {
  ASSIGN_OR_RETURN(Schema schema, SchemaFromYaml(yaml, source_name));
  if (!schema.dataset.empty() && schema.dataset != name) {
    return InvalidArgument(source_name + " is the schema of dataset " + schema.dataset + ", not " + name);
  }
  return meta_->UpdateSchema(name, yaml);
}

}  // namespace gyre
