// What every command gets: the global flags, the output streams and the stores, opened on
// first use. Internal to cli/.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "core/env.h"
#include "core/progress.h"
#include "core/status.h"
#include "store/layout.h"
#include "store/metadata_store.h"
#include "store/object_store.h"

namespace CLI {
class App;
}

namespace gyre {

struct CliContext {
  CliContext(std::ostream& o, std::ostream& e) : out(o), err(e) {}
  std::ostream& out;
  std::ostream& err;
  Env* env = Env::Default();
  std::string home_flag;
  bool json = false;
  bool quiet = false;
  // Set once a command has written its result to `out`: a failed check (exit 3) then adds no
  // second JSON document.
  bool printed_result = false;
  std::string command_line;  // as typed, for the runs a command records

  // Opens the home's stores (creating the home if needed).
  Status OpenStores();
  HomeLayout layout() const;
  MetadataStore* meta() { return meta_.get(); }
  ObjectStore* objects() { return objects_.get(); }

 private:
  std::unique_ptr<MetadataStore> meta_;
  std::unique_ptr<ObjectStore> objects_;
};

// A progress display for reading one file (shown on a terminal only, and not with --quiet).
struct FileProgress {
  std::unique_ptr<Progress> progress;
  FileProgress(CliContext& ctx, const std::string& label, const std::string& path) {
    auto size = ctx.env->FileSize(path);
    progress = std::make_unique<Progress>(label, size.ok() ? *size : 0, !ctx.quiet);
  }
  std::function<void(uint64_t)> Callback() {
    Progress* p = progress.get();
    return [p](uint64_t done) { p->Update(done); };
  }
};

// Each module's commands register themselves on `app`; the one the user picked stores its
// body in `*action`, which RunCli runs after parsing (its Status becomes the exit code).
using Action = std::function<Status()>;
void AddDataCommands(CLI::App& app, CliContext& ctx, Action* action);
void AddRunsCommands(CLI::App& app, CliContext& ctx, Action* action);
void AddModelsCommands(CLI::App& app, CliContext& ctx, Action* action);
void AddDoctorCommand(CLI::App& app, CliContext& ctx, Action* action);
void AddTrainCommands(CLI::App& app, CliContext& ctx, Action* action);
void AddMonitorCommands(CLI::App& app, CliContext& ctx, Action* action);
void AddFeedbackCommands(CLI::App& app, CliContext& ctx, Action* action);
void AddServeCommand(CLI::App& app, CliContext& ctx, Action* action);
void AddPipelineCommands(CLI::App& app, CliContext& ctx, Action* action);
void AddDemoCommand(CLI::App& app, CliContext& ctx, Action* action);

}  // namespace gyre
