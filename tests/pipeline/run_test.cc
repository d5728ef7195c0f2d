// Running pipelines of `run:` steps: order and parallelism, the cache (hits, misses, restored
// outputs, --force), failures that stop only their dependants, timeouts, and lineage.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "pipeline/pipeline.h"
#include "store/layout.h"
#include "store/metadata_store.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

class PipelineRunTest : public ::testing::Test {
 protected:
  PipelineRunReport Run(const std::string& yaml, bool force = false, std::vector<std::pair<std::string, std::string>> params = {}) {
    const std::string file = dir_.Write("pipeline.yaml", yaml);
    auto spec = LoadPipeline(file);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    PipelineRunOptions o;
    o.home = dir_.File("home");
    o.force = force;
    o.params = std::move(params);
    o.parallel = 4;
    o.gyre_binary = GYRE_BINARY;
    auto r = RunPipeline(*spec, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PipelineRunReport{};
  }
  std::map<std::string, std::string> Statuses(const PipelineRunReport& r) {
    std::map<std::string, std::string> out;
    for (const auto& s : r.steps) out[s.id] = s.status;
    return out;
  }
  const StepReport& Step(const PipelineRunReport& r, const std::string& id) {
    for (const auto& s : r.steps) {
      if (s.id == id) return s;
    }
    static StepReport none;
    return none;
  }
  testing::TempDir dir_;
};

// a -> b -> d, a -> c -> d; b and c read different inputs.
const char kDiamond[] = R"(name: diamond
params: {greeting: hello}
steps:
  a:
    run: echo ${params.greeting} > ${outputs.out}
    outputs: {out: out/a.txt}
  b:
    run: cat ${inputs.a} ${inputs.extra} > ${outputs.out}
    inputs: {a: out/a.txt, extra: b_input.txt}
    outputs: {out: out/b.txt}
  c:
    run: cat ${inputs.a} ${inputs.extra} > ${outputs.out}
    inputs: {a: out/a.txt, extra: c_input.txt}
    outputs: {out: out/c.txt}
  d:
    run: cat ${inputs.b} ${inputs.c} > ${outputs.out}
    inputs: {b: out/b.txt, c: out/c.txt}
    outputs: {out: out/d.txt}
)";

TEST_F(PipelineRunTest, RunsInDependencyOrderThenCachesEverything) {
  dir_.Write("b_input.txt", "B\n");
  dir_.Write("c_input.txt", "C\n");
  PipelineRunReport first = Run(kDiamond);
  EXPECT_EQ(first.status, "FINISHED");
  for (const auto& [id, status] : Statuses(first)) EXPECT_EQ(status, "ran") << id;
  EXPECT_EQ(testing::ReadAll(dir_.File("out/d.txt")), "hello\nB\nhello\nC\n");

  PipelineRunReport second = Run(kDiamond);
  for (const auto& [id, status] : Statuses(second)) EXPECT_EQ(status, "cached") << id;
  EXPECT_NE(first.run_id, second.run_id);
}

TEST_F(PipelineRunTest, ChangingOneInputRerunsOnlyItsDependants) {
  dir_.Write("b_input.txt", "B\n");
  dir_.Write("c_input.txt", "C\n");
  Run(kDiamond);
  dir_.Write("c_input.txt", "C2\n");
  PipelineRunReport r = Run(kDiamond);
  EXPECT_EQ(Statuses(r), (std::map<std::string, std::string>{{"a", "cached"}, {"b", "cached"}, {"c", "ran"}, {"d", "ran"}}));
  EXPECT_EQ(testing::ReadAll(dir_.File("out/d.txt")), "hello\nB\nhello\nC2\n");
  // A parameter is part of the spec: changing it reruns everything that uses it downstream.
  r = Run(kDiamond, false, {{"greeting", "bye"}});
  for (const auto& [id, status] : Statuses(r)) EXPECT_EQ(status, "ran") << id;
  // --force reruns what is unchanged.
  r = Run(kDiamond, true, {{"greeting", "bye"}});
  for (const auto& [id, status] : Statuses(r)) EXPECT_EQ(status, "ran") << id;
}

TEST_F(PipelineRunTest, ACachedStepPutsBackOutputsThatWereDeletedOrChanged) {
  dir_.Write("b_input.txt", "B\n");
  dir_.Write("c_input.txt", "C\n");
  Run(kDiamond);
  std::filesystem::remove(dir_.File("out/d.txt"));
  dir_.Write("out/b.txt", "tampered\n");
  PipelineRunReport r = Run(kDiamond);
  for (const auto& [id, status] : Statuses(r)) EXPECT_EQ(status, "cached") << id;
  EXPECT_EQ(testing::ReadAll(dir_.File("out/b.txt")), "hello\nB\n");
  EXPECT_EQ(testing::ReadAll(dir_.File("out/d.txt")), "hello\nB\nhello\nC\n");
}

TEST_F(PipelineRunTest, IndependentStepsRunAtTheSameTime) {
  // Each step waits (up to 20 s) for the other's marker: run one after the other, the first
  // would give up and fail.
  const char yaml[] = R"(name: parallel
steps:
  left:
    run: touch left.started; for i in $(seq 400); do [ -f right.started ] && exit 0; sleep 0.05; done; exit 1
  right:
    run: touch right.started; for i in $(seq 400); do [ -f left.started ] && exit 0; sleep 0.05; done; exit 1
)";
  PipelineRunReport r = Run(yaml);
  EXPECT_EQ(r.status, "FINISHED");
  EXPECT_EQ(Statuses(r), (std::map<std::string, std::string>{{"left", "ran"}, {"right", "ran"}}));
}

TEST_F(PipelineRunTest, AFailedStepStopsItsDependantsOnly) {
  const char yaml[] = R"(name: failing
steps:
  broken:
    run: echo "reading the ledger"; echo "ledger.csv is locked" >&2; exit 7
  after:
    run: 'true'
    needs: [broken]
  after-after:
    run: 'true'
    needs: [after]
  fine:
    run: echo ok > ${outputs.out}
    outputs: {out: out/fine.txt}
)";
  PipelineRunReport r = Run(yaml);
  EXPECT_EQ(r.status, "FAILED");
  const StepReport& broken = Step(r, "broken");
  EXPECT_EQ(broken.status, "failed");
  EXPECT_EQ(broken.exit_code, 7);
  EXPECT_NE(broken.error.find("exited with code 7"), std::string::npos) << broken.error;
  EXPECT_NE(broken.log_tail.find("ledger.csv is locked"), std::string::npos) << broken.log_tail;
  EXPECT_EQ(Step(r, "after").status, "skipped");
  EXPECT_NE(Step(r, "after").error.find("step broken failed"), std::string::npos);
  EXPECT_EQ(Step(r, "after-after").status, "skipped");
  EXPECT_EQ(Step(r, "fine").status, "ran");
  EXPECT_EQ(testing::ReadAll(dir_.File("out/fine.txt")), "ok\n");

  // The failure is on record with the command's output and exit code; the failed step is not
  // cached, so it runs again next time while the fine one is reused.
  testing::TestHome home(dir_.File("home"));
  auto steps = home.meta->ListStepExecutions(r.run_id);
  ASSERT_OK(steps.status());
  ASSERT_EQ(steps->size(), 4u);
  const StepExecutionRecord* rec = nullptr;
  for (const auto& s : *steps) {
    if (s.step == "broken") rec = &s;
  }
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->exit_code, 7);
  auto log = home.objects->Get(rec->log_sha256);
  ASSERT_OK(log.status());
  EXPECT_NE(log->find("reading the ledger"), std::string::npos);
  PipelineRunReport again = Run(yaml);
  EXPECT_EQ(Step(again, "broken").status, "failed");
  EXPECT_EQ(Step(again, "fine").status, "cached");
}

TEST_F(PipelineRunTest, AnOldOutputDoesNotPassForNewWork) {
  const char yaml[] = R"(name: stale
params: {write: "yes"}
steps:
  maybe:
    run: '[ ${params.write} = yes ] && echo fresh > ${outputs.out}; true'
    outputs: {out: out/result.txt}
)";
  EXPECT_EQ(Step(Run(yaml), "maybe").status, "ran");
  PipelineRunReport r = Run(yaml, false, {{"write", "no"}});  // exits 0 but writes nothing
  EXPECT_EQ(Step(r, "maybe").status, "failed");
  EXPECT_NE(Step(r, "maybe").error.find("did not write its declared output out"), std::string::npos);
}

TEST_F(PipelineRunTest, MissingOutputsAndTimeoutsFailTheStep) {
  const char yaml[] = R"(name: strict
steps:
  lazy:
    run: 'true'
    outputs: {out: out/never.txt}
  slow:
    run: sleep 30
    timeout: 0.3s
)";
  PipelineRunReport r = Run(yaml);
  EXPECT_EQ(Step(r, "lazy").status, "failed");
  EXPECT_NE(Step(r, "lazy").error.find("did not write its declared output out"), std::string::npos);
  EXPECT_EQ(Step(r, "slow").status, "failed");
  EXPECT_NE(Step(r, "slow").error.find("timeout"), std::string::npos);
}

TEST_F(PipelineRunTest, StepsInOtherLanguagesAndGyreItself) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 here";
  const char yaml[] = R"yaml(name: languages
params: {rows: "300"}
steps:
  data:
    run: $GYRE data generate --kind fraud --rows ${params.rows} --seed 5 --out ${outputs.csv}
    outputs: {csv: out/tx.csv}
  rate:
    run: /usr/bin/python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(len(r))" ${inputs.csv} > ${outputs.n}
    inputs: {csv: out/tx.csv}
    outputs: {n: out/n.txt}
)yaml";
  PipelineRunReport r = Run(yaml);
  EXPECT_EQ(r.status, "FINISHED") << Step(r, "data").error << Step(r, "rate").error;
  EXPECT_EQ(testing::ReadAll(dir_.File("out/n.txt")), "300\n");
}

TEST_F(PipelineRunTest, TheRunRecordsThePipelineAndItsLineage) {
  dir_.Write("b_input.txt", "B\n");
  dir_.Write("c_input.txt", "C\n");
  PipelineRunReport r = Run(kDiamond);
  testing::TestHome home(dir_.File("home"));
  auto run = home.meta->GetRun(r.run_id);
  ASSERT_OK(run.status());
  EXPECT_EQ(run->experiment, "diamond");
  EXPECT_EQ(run->status, "FINISHED");
  auto tags = home.meta->GetTags(r.run_id);
  ASSERT_OK(tags.status());
  std::map<std::string, std::string> t(tags->begin(), tags->end());
  EXPECT_EQ(t["gyre.pipeline.sha256"].size(), 64u);
  EXPECT_EQ(t["gyre.outcome"], "succeeded");
  auto steps = home.meta->ListStepExecutions(r.run_id);
  ASSERT_OK(steps.status());
  for (const auto& s : *steps) {
    if (s.step != "b") continue;
    json in = json::parse(s.inputs_json), out = json::parse(s.outputs_json);
    EXPECT_EQ(in["extra"]["sha256"].get<std::string>(), Sha256Hex("B\n"));
    EXPECT_EQ(in["extra"]["path"].get<std::string>(), dir_.File("b_input.txt"));
    EXPECT_EQ(out["files"]["out"]["sha256"].get<std::string>().size(), 64u);
  }
}

TEST_F(PipelineRunTest, ASpecWithProblemsRunsNothing) {
  const std::string file = dir_.Write("pipeline.yaml", "name: p\nsteps:\n  a: {run: 'true', needs: [ghost]}\n");
  auto spec = LoadPipeline(file);
  ASSERT_OK(spec.status());
  PipelineRunOptions o;
  o.home = dir_.File("home");
  auto r = RunPipeline(*spec, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("pipeline.yaml:3:"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("ghost"), std::string::npos);
}

}  // namespace
}  // namespace gyre
