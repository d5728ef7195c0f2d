#include "tests/test_util.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli.h"

namespace gyre::testing {

GyreProcess::GyreProcess(std::vector<std::string> args) {
  int fds[2];
  if (pipe(fds) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  args.insert(args.begin(), GYRE_BINARY);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, GYRE_BINARY, &actions, nullptr, argv.data(), environ) == 0) pid_ = pid;
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  fd_ = fds[0];
}

GyreProcess::~GyreProcess() {
  if (pid_ > 0) Stop(SIGKILL);
  if (fd_ >= 0) close(fd_);
}

const std::string& GyreProcess::ReadUntil(const std::string& text) {
  char buf[512];
  while (out_.find(text) == std::string::npos) {
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    out_.append(buf, static_cast<size_t>(n));
  }
  return out_;
}

int GyreProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  ReadUntil(std::string(1, '\0'));  // to the end: a NUL never comes
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

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
