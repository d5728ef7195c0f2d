// The metadata store: what Gyre knows about datasets (and, later, runs and models), behind one
// interface. The embedded backend is SQLite (store/sqlite/); SQL stays inside backends.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/layout.h"

namespace gyre {

struct DatasetRecord {
  std::string name;
  std::string label;
  std::string schema_yaml;  // the current schema
  int64_t created_us = 0;
  int64_t latest_version = 0;
};

struct DatasetVersionRecord {
  std::string dataset;
  int64_t version = 0;
  std::string sha256;  // the object holding the file's bytes
  std::string format;  // csv, jsonl
  int64_t rows = 0;
  int64_t columns = 0;
  int64_t bytes = 0;
  std::string source;         // where the file came from (absolute path)
  std::string stats_json;     // DatasetStats as JSON
  std::string anomalies_json; // anomalies found against the schema when added
  std::string schema_sha256;  // sha256 of the schema YAML it was validated against
  int64_t created_us = 0;
};

// What a caller knows when adding a version; the store assigns the number.
struct NewDatasetVersion {
  DatasetVersionRecord version;  // version number ignored
  std::string label;             // used when the dataset is new
  std::string schema_yaml;       // used when the dataset is new
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;
  // Opens (creating if needed) the SQLite store of a home and applies pending migrations.
  static Result<std::unique_ptr<MetadataStore>> Open(const HomeLayout& layout, Env* env);

  virtual Result<std::optional<DatasetRecord>> FindDataset(const std::string& name) = 0;
  virtual Result<std::vector<DatasetRecord>> ListDatasets() = 0;
  // In one transaction: creates the dataset if new, then records the next version. When the
  // dataset already has a version with the same sha256, nothing is written and that version
  // is returned with `*created` false.
  virtual Result<DatasetVersionRecord> AddDatasetVersion(const NewDatasetVersion& request, bool* created) = 0;
  virtual Result<std::optional<DatasetVersionRecord>> FindVersionBySha(const std::string& dataset,
                                                                       const std::string& sha256) = 0;
  // `version` 0 means the latest.
  virtual Result<DatasetVersionRecord> GetDatasetVersion(const std::string& dataset, int64_t version) = 0;
  virtual Result<std::vector<DatasetVersionRecord>> ListDatasetVersions(const std::string& dataset) = 0;
  virtual Status UpdateSchema(const std::string& dataset, const std::string& schema_yaml) = 0;
  // The schema version of the database (number of migrations applied).
  virtual Result<int64_t> SchemaVersion() = 0;
};

}  // namespace gyre
