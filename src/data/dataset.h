// Dataset versions: files stored by content in the ObjectStore, described in the
// MetadataStore (number, sha256, rows, columns, schema, statistics, source, time), and
// validated against the dataset's schema when added.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/status.h"
#include "data/schema.h"
#include "data/validate.h"
#include "store/metadata_store.h"
#include "store/object_store.h"

namespace gyre {

// NAME or NAME:VERSION; version 0 means the latest.
struct DatasetRef {
  std::string name;
  int64_t version = 0;
  std::string ToString() const { return version ? name + ":" + std::to_string(version) : name; }
};
Result<DatasetRef> ParseDatasetRef(std::string_view text);
// Dataset names: a letter or digit, then letters, digits, '_', '-', '.'; at most 100.
Status CheckDatasetName(std::string_view name);

struct AddOptions {
  std::string name;
  std::string label;    // the target column; remembered by the schema of the first version
  bool strict = false;  // anomalies refuse the version (FailedPrecondition)
  std::function<void(uint64_t bytes_read)> on_progress;
};

struct AddOutcome {
  DatasetVersionRecord version;
  bool created = false;          // false: identical content was already a version
  bool schema_inferred = false;  // true for the first version
  ValidationReport report;
};

class DatasetCatalog {
 public:
  // The stores must outlive the catalog.
  DatasetCatalog(MetadataStore* meta, ObjectStore* objects, Env* env)
      : meta_(meta), objects_(objects), env_(env) {}

  // Reads the file once (statistics and validation), then stores it. Rejected input stores
  // nothing.
  Result<AddOutcome> Add(const std::string& path, const AddOptions& options);
  Result<DatasetVersionRecord> Get(const DatasetRef& ref);
  // The dataset's current schema.
  Result<Schema> GetSchema(const std::string& name);
  // The schema a version was validated against when it was added.
  Result<Schema> GetSchemaOf(const DatasetVersionRecord& v);
  // Replaces a dataset's schema with an edited one (checked first).
  Status SetSchema(const std::string& name, const std::string& yaml, const std::string& source_name);
  // Where the bytes of a version are, and how to read them.
  std::string PathOf(const DatasetVersionRecord& v) const { return objects_->PathOf(v.sha256); }
  static ReadOptions ReadOptionsFor(const DatasetVersionRecord& v);

 private:
  MetadataStore* meta_;
  ObjectStore* objects_;
  Env* env_;
};

}  // namespace gyre
