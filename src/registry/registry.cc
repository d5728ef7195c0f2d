#include "registry/registry.h"

#include "core/identity.h"
#include "core/names.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace gyre {
std::string ModelRef::ToString() const {
  if (!alias.empty()) return name + ":" + alias;
  return version ? name + ":" + std::to_string(version) : name;
}

Status CheckModelName(std::string_view name) { return CheckName("model", name); }

Status CheckAlias(std::string_view alias) {
  bool ok = !alias.empty() && alias.size() <= 100 && std::isalpha(static_cast<unsigned char>(alias[0]));
  for (char c : alias) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok) {
    return InvalidArgument("invalid alias \"" + std::string(alias) +
                           "\": use letters, digits, '_' and '-', starting with a letter (e.g. champion)");
  }
  return Status::OK();
}

Result<ModelRef> ParseModelRef(std::string_view text) {
  ModelRef ref;
  auto colon = text.find(':');
  ref.name = std::string(text.substr(0, colon));
  RETURN_IF_ERROR(CheckModelName(ref.name));
  if (colon == std::string_view::npos) return ref;
  std::string_view rest = text.substr(colon + 1);
  if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0]))) {
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), ref.version);
    if (ec != std::errc() || p != rest.data() + rest.size() || ref.version < 1) {
      return InvalidArgument("invalid version \"" + std::string(rest) + "\" in " + std::string(text) +
                             ": expected NAME, NAME:N (N >= 1) or NAME:ALIAS");
    }
    return ref;
  }
  RETURN_IF_ERROR(CheckAlias(rest));
  ref.alias = std::string(rest);
  return ref;
}

std::string DefaultActor() {
  if (const char* a = std::getenv("GYRE_ACTOR"); a != nullptr && *a != '\0') return a;
  return UserName() + "@" + HostName();
}

Result<ModelRecord> Registry::CreateModel(const std::string& name, const std::string& description) {
  RETURN_IF_ERROR(CheckModelName(name));
  return meta_->CreateModel(name, description, actor_, env_->NowMicros());
}

Result<ModelVersionRecord> Registry::Register(const std::string& run_id_or_prefix, const std::string& name,
                                              const std::string& artifact_path, const std::string& signature_json) {
  RETURN_IF_ERROR(CheckModelName(name));
  ASSIGN_OR_RETURN(std::string run_id, meta_->ResolveRunId(run_id_or_prefix));
  ASSIGN_OR_RETURN(auto artifacts, meta_->ListArtifacts(run_id));
  for (const auto& a : artifacts) {
    if (a.path != artifact_path) continue;
    ModelVersionRecord v;
    v.model = name;
    v.run_id = run_id;
    v.bundle_sha256 = a.sha256;
    v.signature_json = signature_json;
    return meta_->CreateModelVersion(v, actor_, env_->NowMicros());
  }
  return NotFound("run " + run_id + " has no artifact \"" + artifact_path +
                            "\" to register (a run made by gyre train has one)");
}

Result<ModelVersionRecord> Registry::Resolve(const ModelRef& ref) {
  if (!ref.alias.empty()) return meta_->GetModelVersionByAlias(ref.name, ref.alias);
  return meta_->GetModelVersion(ref.name, ref.version);
}

Status Registry::SetAlias(const std::string& name, int64_t version, const std::string& alias) {
  RETURN_IF_ERROR(CheckModelName(name));
  RETURN_IF_ERROR(CheckAlias(alias));
  if (version < 1) return InvalidArgument("a version number is 1 or more");
  return meta_->SetAlias(name, alias, version, actor_, env_->NowMicros());
}

Status Registry::DeleteAlias(const std::string& name, const std::string& alias) {
  RETURN_IF_ERROR(CheckAlias(alias));
  return meta_->DeleteAlias(name, alias, actor_, env_->NowMicros());
}

Status Registry::SetTag(const std::string& name, const std::string& key, const std::string& value) {
  if (key.empty() || key.size() > 250) return InvalidArgument("a model tag needs a key of 1 to 250 characters");
  return meta_->SetModelTag(name, key, value, actor_, env_->NowMicros());
}

}  // namespace gyre
