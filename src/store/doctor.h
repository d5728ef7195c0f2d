// `gyre doctor`: checks that a home is consistent. Every object the metadata points at must
// exist and hash to its name, and the database must pass its own checks.
#pragma once

#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/layout.h"
#include "store/metadata_store.h"
#include "store/object_store.h"

namespace gyre {

struct DoctorFinding {
  std::string kind;    // missing_object, corrupt_object, database (problems); orphan_object, leftover_tmp (notes)
  std::string object;  // an object name or a path, when there is one
  std::string detail;
  bool problem = true;  // false for harmless notes
};

struct DoctorReport {
  int64_t objects_checked = 0;
  int64_t references_checked = 0;
  std::vector<DoctorFinding> findings;
  bool healthy() const;
};

// Reads every object once (hash check) and every reference. With `clean`, removes temporary
// files untouched for ten minutes (which only a crash during a write leaves).
Result<DoctorReport> CheckHome(const HomeLayout& layout, MetadataStore* meta, ObjectStore* objects, Env* env,
                               bool clean);

}  // namespace gyre
