#include "store/doctor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "data/dataset.h"
#include "registry/registry.h"
#include "tests/test_util.h"
#include "track/tracker.h"

namespace gyre {
namespace {

int Count(const DoctorReport& r, const std::string& kind) {
  int n = 0;
  for (const auto& f : r.findings) n += f.kind == kind;
  return n;
}

class DoctorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::make_unique<testing::TestHome>(dir_.File("home"));
    DatasetCatalog catalog(home_->meta.get(), home_->objects.get(), Env::Default());
    auto added = catalog.Add(testing::DatasetPath("iris.csv"), {"iris", "species"});
    ASSERT_TRUE(added.ok());
    data_sha_ = added->version.sha256;
    Tracker tracker(home_->meta.get(), home_->objects.get(), Env::Default());
    run_ = *tracker.StartRun({});
    ASSERT_OK(tracker.LogArtifactBytes(run_, "model", "a bundle"));
    Registry registry(home_->meta.get(), Env::Default(), "test");
    ASSERT_OK(registry.Register(run_, "flowers").status());
  }
  DoctorReport Check(bool clean = false) {
    auto r = CheckHome(home_->layout, home_->meta.get(), home_->objects.get(), Env::Default(), clean);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : DoctorReport{};
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestHome> home_;
  std::string data_sha_, run_;
};

TEST_F(DoctorTest, HealthyHomeHasNoProblemsAndOrphansAreOnlyNotes) {
  DoctorReport r = Check();
  EXPECT_TRUE(r.healthy());
  EXPECT_EQ(r.objects_checked, 3);     // data, schema, bundle
  EXPECT_EQ(r.references_checked, 4);  // the bundle is both an artifact and a model version
  ASSERT_OK(home_->objects->PutBytes("nobody points here").status());
  r = Check();
  EXPECT_TRUE(r.healthy());
  EXPECT_EQ(Count(r, "orphan_object"), 1);
}

TEST_F(DoctorTest, CorruptAndMissingObjectsAreProblems) {
  std::string path = home_->objects->PathOf(data_sha_);
  ::chmod(path.c_str(), 0644);
  std::ofstream(path, std::ios::app) << "one more byte";
  DoctorReport r = Check();
  EXPECT_FALSE(r.healthy());
  EXPECT_EQ(Count(r, "corrupt_object"), 1);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  r = Check();
  EXPECT_EQ(Count(r, "missing_object"), 1);
  EXPECT_NE(r.findings.back().detail.find("dataset iris:1 (data)"), std::string::npos) << r.findings.back().detail;

  std::string out, err;
  EXPECT_EQ(testing::RunGyre(dir_.File("home"), {"doctor"}, &out, &err), 3) << out << err;
  EXPECT_NE(out.find("missing_object"), std::string::npos) << out;
}

TEST_F(DoctorTest, OldTemporaryFilesAreReportedAndCleaned) {
  std::string tmp = home_->layout.TmpDir() + "/object.1.2.3";
  std::ofstream(tmp) << "half";
  struct utimbuf old {1000000000, 1000000000};
  ASSERT_EQ(::utime(tmp.c_str(), &old), 0);
  std::string fresh = home_->layout.TmpDir() + "/object.4.5.6";
  std::ofstream(fresh) << "being written right now";
  DoctorReport r = Check();
  EXPECT_TRUE(r.healthy());
  EXPECT_EQ(Count(r, "leftover_tmp"), 1) << "a fresh file may be a write in progress";
  Check(/*clean=*/true);
  EXPECT_FALSE(Env::Default()->FileExists(tmp));
  EXPECT_TRUE(Env::Default()->FileExists(fresh));
}

// A writer killed (SIGKILL) at random moments, many times: afterwards the home always opens and
// `doctor` finds no problem (orphans and temporary files are allowed: they are harmless).
TEST(CrashTest, KilledWritersLeaveAConsistentHome) {
  testing::TempDir dir;
  const std::string root = dir.File("home");
  { testing::TestHome init(root); }
  std::mt19937 rng(7);
  for (int round = 0; round < 25; ++round) {
    pid_t pid = ::fork();
    if (pid == 0) {
      testing::TestHome home(root);
      DatasetCatalog catalog(home.meta.get(), home.objects.get(), Env::Default());
      Tracker tracker(home.meta.get(), home.objects.get(), Env::Default());
      Registry registry(home.meta.get(), Env::Default(), "crash");
      for (int i = 0;; ++i) {
        std::string csv = dir.File("in." + std::to_string(::getpid()) + ".csv");
        std::ofstream(csv) << "x,y\n" << i << "," << round << "\n" << i + 1 << ",2\n";
        (void)catalog.Add(csv, {"d", "y"});
        auto run = tracker.StartRun({});
        if (!run.ok()) continue;
        std::vector<MetricPoint> points;
        for (int k = 0; k < 200; ++k) points.push_back({"loss", 1.0 / (k + 1), k, 0});
        (void)tracker.LogBatch(*run, {{"i", std::to_string(i)}}, points, {});
        (void)tracker.LogArtifactBytes(*run, "model", "bundle " + std::to_string(round) + "." + std::to_string(i));
        auto v = registry.Register(*run, "m");
        if (v.ok()) (void)registry.SetAlias("m", v->version, "champion");
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 60));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    testing::TestHome home(root);
    ASSERT_NE(home.meta, nullptr) << "round " << round;
    auto r = CheckHome(home.layout, home.meta.get(), home.objects.get(), Env::Default(), false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& f : r->findings) EXPECT_FALSE(f.problem) << "round " << round << ": " << f.kind << " " << f.detail;
  }
  testing::TestHome home(root);
  auto versions = home.meta->ListDatasetVersions("d");
  ASSERT_TRUE(versions.ok());
  EXPECT_GT(versions->size(), 0u) << "the writers got some work done between kills";
}

}  // namespace
}  // namespace gyre
