#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ostream>

#include "cli/cli.h"
#include "cli/context.h"
#include "core/log.h"

namespace gyre {

HomeLayout CliContext::layout() const { return HomeLayout(ResolveHome(home_flag)); }

Status CliContext::OpenStores() {
  if (meta_) return Status::OK();
  HomeLayout l = layout();
  ASSIGN_OR_RETURN(objects_, ObjectStore::Open(l, env));
  ASSIGN_OR_RETURN(meta_, MetadataStore::Open(l, env));
  return Status::OK();
}

namespace {

void PrintError(CliContext& ctx, const Status& st) {
  ctx.err << "error: " << st.ToString() << "\n";
  if (!ctx.json || ctx.printed_result) return;
  nlohmann::ordered_json j;
  j["error"] = {{"code", StatusCodeName(st.code())}, {"message", st.message()}};
  const Location& w = st.where();
  if (!w.file.empty()) j["error"]["file"] = w.file;
  if (w.line > 0) j["error"]["line"] = w.line;
  if (w.column > 0) j["error"]["column"] = w.column;
  if (!w.field.empty()) j["error"]["field"] = w.field;
  ctx.out << j.dump() << "\n";
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CliContext ctx{out, err};
  for (size_t i = 0; i < args.size(); ++i) ctx.command_line += (i ? " " : "") + args[i];
  CLI::App app("Gyre: the whole MLOps loop in one native program.", "gyre");
  app.set_version_flag("--version", std::string("gyre ") + GYRE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.add_option("--home", ctx.home_flag, "home folder (default: $GYRE_HOME or ./.gyre)");
  app.add_flag("--json", ctx.json, "print one JSON document on stdout");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log what happens");
  Action action;
  AddDataCommands(app, ctx, &action);
  AddRunsCommands(app, ctx, &action);
  AddModelsCommands(app, ctx, &action);
  AddDoctorCommand(app, ctx, &action);
  AddTrainCommands(app, ctx, &action);
  AddMonitorCommands(app, ctx, &action);
  AddFeedbackCommands(app, ctx, &action);
  AddServeCommand(app, ctx, &action);
  AddPipelineCommands(app, ctx, &action);
  AddDemoCommand(app, ctx, &action);

  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    // Help for the innermost subcommand that was named.
    err << "usage error: " << e.what() << "\n";
    CLI::App* sub = &app;
    while (!sub->get_subcommands().empty()) sub = sub->get_subcommands().front();
    err << "run: " << sub->get_name() << " --help" << "\n";
    return 2;
  }
  SetLogLevel(verbose ? LogLevel::kDebug : LogLevel::kWarn);
  if (!action) {
    err << "usage error: name a command; see gyre --help\n";
    return 2;
  }
  Status st;
  try {
    st = action();
  } catch (const std::exception& e) {
    st = Internal(std::string("unexpected failure: ") + e.what());
  }
  if (!st.ok()) {
    PrintError(ctx, st);
    return ExitCodeFor(st.code());
  }
  return 0;
}

}  // namespace gyre
