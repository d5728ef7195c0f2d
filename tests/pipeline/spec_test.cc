// Pipeline specs: parsing keeps positions, and the checker finds every kind of mistake a
// person makes in one, with its line and column.
#include <gtest/gtest.h>

#include "pipeline/loop.h"
#include "pipeline/refs.h"
#include "pipeline/spec.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

const char kGood[] = R"(name: p
params: {rows: "10"}
steps:
  make:
    run: echo ${params.rows} > ${outputs.data}
    outputs: {data: out/data.csv}
  count:
    run: wc -l ${inputs.data} > ${outputs.n}
    inputs: {data: out/data.csv}
    outputs: {n: out/n.txt}
  train:
    uses: train
    with: {data: "${steps.make.outputs.data}", label: y}
  gate:
    uses: gate
    with:
      model: m
      challenger: ${steps.train.outputs.run}
      require: ["roc_auc >= 0.8"]
      better_than_champion: {log_loss: 0.01}
)";

std::vector<SpecProblem> Problems(const std::string& yaml) {
  auto spec = ParsePipeline(yaml, "p.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? CheckPipeline(*spec) : std::vector<SpecProblem>{};
}

// The one problem of `yaml`, which must mention `words` and sit on `line`.
void ExpectProblem(const std::string& yaml, const std::string& words, int64_t line) {
  auto problems = Problems(yaml);
  ASSERT_EQ(problems.size(), 1u) << (problems.empty() ? "none" : problems[0].message + " / " + problems[1].message);
  EXPECT_NE(problems[0].message.find(words), std::string::npos) << problems[0].message;
  EXPECT_EQ(problems[0].pos.line, line) << problems[0].message;
}

TEST(PipelineSpec, AGoodSpecHasNoProblemsAndKeepsItsShape) {
  auto spec = ParsePipeline(kGood, "dir/p.yaml");
  ASSERT_OK(spec.status());
  EXPECT_EQ(spec->name, "p");
  EXPECT_EQ(spec->dir, "dir");
  ASSERT_EQ(spec->steps.size(), 4u);
  EXPECT_EQ(spec->steps[0].kind, "run");
  EXPECT_EQ(spec->steps[2].kind, "train");
  EXPECT_EQ(spec->steps[1].pos.line, 7);
  EXPECT_EQ(spec->steps[1].inputs[0].path, "out/data.csv");
  EXPECT_EQ(spec->steps[3].with.Get("require")->items.size(), 1u);
  EXPECT_TRUE(CheckPipeline(*spec).empty());
}

TEST(PipelineSpec, YamlSyntaxErrorsNameLineAndColumn) {
  auto spec = ParsePipeline("name: p\nsteps:\n  a: [unclosed\n", "p.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().where().file, "p.yaml");
  EXPECT_GE(spec.status().where().line, 3);
}

TEST(PipelineSpec, UnknownKeysAndKinds) {
  ExpectProblem("name: p\nstesp: {}\nsteps:\n  a: {run: 'true'}\n", "unknown key stesp", 2);
  ExpectProblem("name: p\nsteps:\n  a:\n    run: 'true'\n    output: {x: y}\n", "unknown key output", 5);
  ExpectProblem("name: p\nsteps:\n  a: {uses: trian}\n", "unknown step kind trian", 3);
  ExpectProblem("name: p\nsteps:\n  a: {uses: ingest, with: {file: f, dataset: d, lable: y}}\n",
                "no argument lable", 3);
  ExpectProblem("name: p\nsteps:\n  a: {uses: ingest, with: {file: f}}\n", "needs with.dataset", 3);
  ExpectProblem("name: p\nsteps:\n  a: {description: nothing}\n", "give run:", 3);
}

TEST(PipelineSpec, TheNameIsSafeAsAFileName) {
  ExpectProblem("name: ../escape\nsteps:\n  a: {run: 'true'}\n", "must use letters", 1);
  ExpectProblem("name: a b\nsteps:\n  a: {run: 'true'}\n", "must use letters", 1);
  EXPECT_TRUE(Problems("name: fraud-v2.1\nsteps:\n  a: {run: 'true'}\n").empty());
}

TEST(PipelineSpec, ReferencesToNothing) {
  ExpectProblem("name: p\nsteps:\n  a: {run: 'echo ${params.nope}'}\n", "no such parameter", 3);
  ExpectProblem("name: p\nsteps:\n  a: {run: 'true', needs: [b]}\n", "no such step", 3);
  ExpectProblem("name: p\nsteps:\n  a: {run: 'true'}\n  b: {uses: register, with: {run: '${steps.a.outputs.x}', model: m}}\n",
                "declares no output x", 4);
  ExpectProblem("name: p\nsteps:\n  t: {uses: train, with: {data: d, label: y}}\n"
                "  b: {uses: register, with: {run: '${steps.t.outputs.model}', model: m}}\n",
                "has no output model", 4);
  ExpectProblem("name: p\nsteps:\n  a: {run: 'cat ${inputs.x}'}\n", "declares no such input", 3);
  ExpectProblem("name: p\nsteps:\n  a: {run: 'echo ${oops'}\n", "unterminated", 3);
}

TEST(PipelineSpec, CyclesMissingInputsAndDoubleOutputs) {
  auto cycle = Problems("name: p\nsteps:\n  a: {run: 'true', needs: [c]}\n  b: {run: 'true', needs: [a]}\n"
                        "  c: {run: 'true', needs: [b]}\n");
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_NE(cycle[0].message.find("cycle: a -> c -> b -> a"), std::string::npos) << cycle[0].message;
  ExpectProblem("name: p\nsteps:\n  a:\n    run: 'true'\n    inputs: {x: /no/such/file}\n", "does not exist and no step makes it", 5);
  ExpectProblem("name: p\nsteps:\n  a: {run: 'true', outputs: {x: o.txt}}\n  b: {run: 'true', outputs: {y: ./o.txt}}\n",
                "already written by step a", 4);
}

TEST(PipelineSpec, AnOutputNeverHoldsThePipelinesFolder) {
  ExpectProblem("name: p\nsteps:\n  a: {run: 'true', outputs: {all: .}}\n", "holds the pipeline's own folder", 3);
  ExpectProblem("name: p\nsteps:\n  a: {run: 'true', outputs: {up: ..}}\n", "holds the pipeline's own folder", 3);
  ExpectProblem("name: p\nsteps:\n  a: {run: 'true', outputs: {root: /}}\n", "holds the pipeline's own folder", 3);
  EXPECT_TRUE(Problems("name: p\nsteps:\n  a: {run: 'true', outputs: {o: out}}\n").empty());
}

TEST(PipelineSpec, GateConditionsAreChecked) {
  ExpectProblem("name: p\nsteps:\n  g:\n    uses: gate\n    with: {model: m, challenger: r, require: ['auc >= 0.8']}\n",
                "unknown metric auc", 5);
  ExpectProblem("name: p\nsteps:\n  g:\n    uses: gate\n    with: {model: m, challenger: r, require: ['roc_auc >= high']}\n",
                "expected a number", 5);
  ExpectProblem("name: p\nsteps:\n  g:\n    uses: gate\n    with: {model: m, challenger: r, better_than_champion: {rmse: x}}\n",
                "expected a number", 5);
}

TEST(PipelineSpec, TriggersNeedTheirParameter) {
  ExpectProblem("name: p\ntriggers:\n  watch: {folder: in}\nsteps:\n  a: {run: 'true'}\n", "params does not declare", 3);
  ExpectProblem("name: p\ntriggers: {every: soon}\nsteps:\n  a: {run: 'true'}\n", "expected a duration", 2);
  auto spec = ParsePipeline("name: p\nparams: {file: x}\ntriggers: {every: 6h, alerts: {model: m}, watch: {folder: in}}\n"
                            "steps:\n  a: {run: 'true'}\n", "p.yaml");
  ASSERT_OK(spec.status());
  EXPECT_EQ(spec->triggers.every_seconds, 6 * 3600);
  EXPECT_EQ(spec->triggers.alert_model, "m");
  EXPECT_TRUE(CheckPipeline(*spec).empty());
}

TEST(PipelineRefs, SubstituteEscapesAndQuotes) {
  auto out = Substitute("a ${params.x} $HOME $${literal}", [](const SpecRef& r) -> Result<std::string> {
    return r.scope + ":" + r.key;
  });
  ASSERT_OK(out.status());
  EXPECT_EQ(*out, "a params:x $HOME ${literal}");
  auto refs = FindRefs("${steps.train.outputs.metrics.roc_auc}");
  ASSERT_OK(refs.status());
  EXPECT_EQ((*refs)[0].step, "train");
  EXPECT_EQ((*refs)[0].key, "metrics.roc_auc");
  EXPECT_FALSE(FindRefs("${steps.train.run}").ok());
  EXPECT_EQ(ShellQuote("out/a.csv"), "out/a.csv");
  EXPECT_EQ(ShellQuote("it's here"), "'it'\\''s here'");
}

TEST(PipelineLoop, GlobMatch) {
  EXPECT_TRUE(GlobMatch("*.csv", "2026-12.csv"));
  EXPECT_FALSE(GlobMatch("*.csv", "2026-12.csv.tmp"));
  EXPECT_TRUE(GlobMatch("day-??.csv", "day-07.csv"));
  EXPECT_FALSE(GlobMatch("day-??.csv", "day-7.csv"));
  EXPECT_TRUE(GlobMatch("*", ".hidden"));
}

}  // namespace
}  // namespace gyre
