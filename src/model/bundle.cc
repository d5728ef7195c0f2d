#include "model/bundle.h"

#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

constexpr size_t kBlock = 512;

// A ustar header with fixed owner, mode and time, so that bundles are reproducible.
std::string TarHeader(const std::string& name, size_t size) {
  std::string h(kBlock, '\0');
  std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 99));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011lo", static_cast<unsigned long>(size));
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  std::memset(h.data() + 148, ' ', 8);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

void AppendFile(std::string* tar, const std::string& name, const std::string& bytes) {
  tar->append(TarHeader(name, bytes.size()));
  tar->append(bytes);
  tar->append((kBlock - bytes.size() % kBlock) % kBlock, '\0');
}

json SignatureJson(const Signature& s) {
  json features = json::array();
  for (const auto& f : s.features) {
    json j{{"name", f.name}, {"type", ColumnTypeName(f.type)}};
    if (f.type == ColumnType::kString) j["categories"] = f.categories;
    features.push_back(j);
  }
  return json{{"inputs", features}, {"label", s.label}, {"classes", s.classes}};
}

Result<Signature> SignatureFromJson(const json& j) {
  Signature s;
  for (const auto& f : j.at("inputs")) {
    FeatureSpec spec;
    spec.name = f.at("name").get<std::string>();
    auto type = ParseColumnType(f.at("type").get<std::string>());
    if (!type) return DataLoss("bundle: unknown input type for " + spec.name);
    spec.type = *type;
    if (f.contains("categories")) spec.categories = f["categories"].get<std::vector<std::string>>();
    s.features.push_back(std::move(spec));
  }
  s.label = j.at("label").get<std::string>();
  s.classes = j.at("classes").get<std::vector<std::string>>();
  return s;
}

}  // namespace

const char* TaskName(Task task) {
  switch (task) {
    case Task::kBinary: return "binary";
    case Task::kMulticlass: return "multiclass";
    case Task::kRegression: return "regression";
  }
  return "?";
}

Result<Task> ParseTask(const std::string& name) {
  for (Task t : {Task::kBinary, Task::kMulticlass, Task::kRegression}) {
    if (name == TaskName(t)) return t;
  }
  return InvalidArgument("unknown task \"" + name + "\": use binary, multiclass or regression");
}

std::string ModelBundle::ManifestJson() const {
  json j;
  j["format"] = "gyre-model/1";
  j["backend"] = backend;
  j["task"] = TaskName(task);
  j["signature"] = SignatureJson(signature);
  j["metrics"] = json::parse(metrics_json);
  j["dataset"] = dataset;
  j["run_id"] = run_id;
  j["params"] = json::parse(params_json);
  j["reference_statistics"] = json::parse(reference_stats_json);
  return j.dump(2);
}

std::string ModelBundle::Serialize() const {
  std::string tar;
  AppendFile(&tar, "gyre-model.json", ManifestJson());
  AppendFile(&tar, "model.ubj", model);
  if (!reference_summary.empty()) AppendFile(&tar, "reference.bin", reference_summary);
  if (!calibration_json.empty()) AppendFile(&tar, "calibration.json", calibration_json);
  tar.append(2 * kBlock, '\0');  // end of archive
  return tar;
}

Result<ModelBundle> ModelBundle::Parse(const std::string& bytes) {
  std::string manifest;
  ModelBundle b;
  bool have_model = false;
  for (size_t pos = 0; pos + kBlock <= bytes.size();) {
    const char* h = bytes.data() + pos;
    if (h[0] == '\0') break;
    std::string name(h, strnlen(h, 100));
    unsigned long size = std::strtoul(std::string(h + 124, 12).c_str(), nullptr, 8);
    pos += kBlock;
    if (pos + size > bytes.size()) return DataLoss("bundle: " + name + " is cut short");
    if (name == "gyre-model.json") manifest = bytes.substr(pos, size);
    if (name == "model.ubj") {
      b.model = bytes.substr(pos, size);
      have_model = true;
    }
    if (name == "reference.bin") b.reference_summary = bytes.substr(pos, size);
    if (name == "calibration.json") b.calibration_json = bytes.substr(pos, size);
    pos += (size + kBlock - 1) / kBlock * kBlock;
  }
  if (manifest.empty() || !have_model) return DataLoss("not a model bundle: gyre-model.json or model.ubj is missing");
  try {
    json j = json::parse(manifest);
    b.backend = j.at("backend").get<std::string>();
    ASSIGN_OR_RETURN(b.task, ParseTask(j.at("task").get<std::string>()));
    ASSIGN_OR_RETURN(b.signature, SignatureFromJson(j.at("signature")));
    b.metrics_json = j.at("metrics").dump();
    b.dataset = j.value("dataset", "");
    b.run_id = j.value("run_id", "");
    b.params_json = j.at("params").dump();
    b.reference_stats_json = j.at("reference_statistics").dump();
  } catch (const json::exception& e) {
    return DataLoss(std::string("bundle: gyre-model.json is unreadable: ") + e.what());
  }
  return b;
}

}  // namespace gyre
