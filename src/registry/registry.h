// The model registry: named models, their numbered versions (each made by a run, holding a
// bundle object), aliases such as champion and challenger, and an audit log of every change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/metadata_store.h"

namespace gyre {

// NAME (the latest version), NAME:N, or NAME:ALIAS.
struct ModelRef {
  std::string name;
  int64_t version = 0;
  std::string alias;
  std::string ToString() const;
};
Result<ModelRef> ParseModelRef(std::string_view text);
// Model names: a letter or digit, then letters, digits, '_', '-', '.'; at most 100.
Status CheckModelName(std::string_view name);
// Aliases: a letter, then letters, digits, '_', '-'; at most 100 (so never a version number).
Status CheckAlias(std::string_view alias);

// Who is changing the registry: $GYRE_ACTOR, else user@host.
std::string DefaultActor();

class Registry {
 public:
  // `meta` and `env` must outlive the registry; `actor` is written to the audit log.
  Registry(MetadataStore* meta, Env* env, std::string actor)
      : meta_(meta), env_(env), actor_(std::move(actor)) {}

  Result<ModelRecord> CreateModel(const std::string& name, const std::string& description);
  // A new version of `name` (created if needed) from the artifact at `artifact_path` of a run.
  Result<ModelVersionRecord> Register(const std::string& run_id_or_prefix, const std::string& name,
                                      const std::string& artifact_path = "model",
                                      const std::string& signature_json = "{}");
  Result<ModelVersionRecord> Resolve(const ModelRef& ref);
  Status SetAlias(const std::string& name, int64_t version, const std::string& alias);
  Status DeleteAlias(const std::string& name, const std::string& alias);
  Status SetTag(const std::string& name, const std::string& key, const std::string& value);

 private:
  MetadataStore* meta_;
  Env* env_;
  std::string actor_;
};

}  // namespace gyre
