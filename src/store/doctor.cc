#include "store/doctor.h"

#include <map>
#include <set>

namespace gyre {

bool DoctorReport::healthy() const {
  for (const auto& f : findings) {
    if (f.problem) return false;
  }
  return true;
}

Result<DoctorReport> CheckHome(const HomeLayout& layout, MetadataStore* meta, ObjectStore* objects, Env* env,
                               bool clean) {
  DoctorReport report;
  ASSIGN_OR_RETURN(auto db_problems, meta->CheckDatabase());
  for (const auto& p : db_problems) report.findings.push_back({"database", "gyre.db", p, true});

  ASSIGN_OR_RETURN(auto refs, meta->ListObjectReferences());
  std::map<std::string, std::vector<std::string>> owners;
  for (const auto& r : refs) owners[r.sha256].push_back(r.owner);
  report.references_checked = static_cast<int64_t>(refs.size());

  ASSIGN_OR_RETURN(auto stored, objects->List());
  std::set<std::string> present(stored.begin(), stored.end());
  for (const auto& sha : stored) {
    ++report.objects_checked;
    Status st = objects->Verify(sha);
    if (!st.ok()) {
      report.findings.push_back({"corrupt_object", sha, st.message(), true});
    } else if (owners.count(sha) == 0) {
      report.findings.push_back({"orphan_object", sha, "no metadata points at it (left by an interrupted add)", false});
    }
  }
  for (const auto& [sha, who] : owners) {
    if (present.count(sha) != 0) continue;
    std::string detail = "missing, but referenced by " + who[0];
    if (who.size() > 1) detail += " and " + std::to_string(who.size() - 1) + " more";
    report.findings.push_back({"missing_object", sha, detail, true});
  }
  // A temporary file is a write in progress or one a crash cut short; only files untouched for
  // ten minutes are taken for the latter (and removed with `clean`).
  const int64_t now = env->NowMicros();
  auto leftovers = env->ListDir(layout.TmpDir());
  for (const auto& name : leftovers.ok() ? *leftovers : std::vector<std::string>{}) {
    std::string path = layout.TmpDir() + "/" + name;
    auto modified = env->FileModifiedMicros(path);
    if (!modified.ok() || now - *modified < int64_t{600} * 1000000) continue;
    bool removed = clean && env->RemoveFile(path).ok();
    report.findings.push_back({"leftover_tmp", path,
                               removed ? "removed" : "a write that never finished (gyre doctor --clean removes it)",
                               false});
  }
  return report;
}

}  // namespace gyre
