// Every path inside a Gyre home, built in one place (docs/formats/home.md describes them).
#pragma once

#include <string>

namespace gyre {

struct HomeLayout {
  explicit HomeLayout(std::string root) : root(std::move(root)) {}

  std::string root;
  std::string Database() const { return root + "/gyre.db"; }
  std::string ObjectsDir() const { return root + "/objects"; }
  std::string TmpDir() const { return root + "/tmp"; }
  std::string LogsDir() const { return root + "/logs"; }
  // What `gyre loop` has handled for a pipeline (pipeline/loop.h); `name` is a checked
  // pipeline name.
  std::string LoopStateFile(const std::string& name) const { return root + "/loops/" + name + ".json"; }
  // A model's prediction log segments (monitor/prediction_log.h).
  std::string ModelLogDir(const std::string& model) const { return LogsDir() + "/" + model; }
  // objects/ab/cdef... for the SHA-256 hex digest `sha`.
  std::string ObjectPath(const std::string& sha) const {
    return ObjectsDir() + "/" + sha.substr(0, 2) + "/" + sha.substr(2);
  }
};

// The home folder to use: `flag` if given, else $GYRE_HOME, else ./.gyre.
std::string ResolveHome(const std::string& flag);

}  // namespace gyre
