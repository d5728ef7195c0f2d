#include "tests/test_util.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli.h"

namespace gyre::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "gyre-test-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  path_ = made ? made : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  // Objects are read-only; make them writable so they can be removed.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::filesystem::permissions(it->path(), std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add, ec);
  }
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string p = File(name);
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

TestHome::TestHome(const std::string& root) : layout(root) {
  auto o = ObjectStore::Open(layout, Env::Default());
  auto m = MetadataStore::Open(layout, Env::Default());
  if (!o.ok() || !m.ok()) {
    ADD_FAILURE() << "cannot open a home at " << root << ": " << o.status().ToString() << m.status().ToString();
    return;
  }
  objects = std::move(o).value();
  meta = std::move(m).value();
}

int RunGyre(const std::string& home, std::vector<std::string> args, std::string* out, std::string* err) {
  args.insert(args.begin(), {"gyre", "--home", home});
  std::ostringstream o, e;
  int code = RunCli(args, o, e);
  *out = o.str();
  if (err != nullptr) *err = e.str();
  return code;
}

CliRun Gyre(const std::string& home, std::vector<std::string> args) {
  CliRun r;
  r.code = RunGyre(home, std::move(args), &r.out, &r.err);
  return r;
}

void HomeTest::SetUp() {
  home_ = std::make_unique<TestHome>(dir_.File("home"));
  objects_ = home_->objects.get();
  meta_ = home_->meta.get();
  tracker_ = std::make_unique<Tracker>(meta_, objects_, Env::Default());
}

std::string HomeTest::TrainedRun(const std::string& bundle) {
  auto id = tracker_->StartRun({});
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  if (!id.ok()) return "";
  EXPECT_TRUE(tracker_->LogArtifactBytes(*id, "model", bundle).ok());
  EXPECT_TRUE(tracker_->EndRun(*id, RunStatus::kFinished).ok());
  return *id;
}

int HomeTest::Gyre(std::vector<std::string> args, std::string* out, std::string* err) {
  return RunGyre(dir_.File("home"), std::move(args), out, err);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string DatasetPath(const std::string& name) { return std::string(GYRE_DATASETS_DIR) + "/" + name; }
std::string TestDataPath(const std::string& rel) { return std::string(GYRE_TESTDATA_DIR) + "/" + rel; }
std::string GoldenPath(const std::string& rel) { return std::string(GYRE_GOLDEN_DIR) + "/" + rel; }

}  // namespace gyre::testing
