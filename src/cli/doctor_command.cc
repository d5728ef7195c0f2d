// gyre doctor
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>

#include "cli/context.h"
#include "cli/format.h"
#include "store/doctor.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

Status Doctor(CliContext& ctx, bool clean) {
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(DoctorReport r, CheckHome(ctx.layout(), ctx.meta(), ctx.objects(), ctx.env, clean));
  size_t problems = 0;
  for (const auto& f : r.findings) problems += f.problem;
  if (ctx.json) {
    json list = json::array();
    for (const auto& f : r.findings) {
      list.push_back({{"kind", f.kind}, {"object", f.object}, {"detail", f.detail}, {"problem", f.problem}});
    }
    ctx.out << json{{"healthy", r.healthy()}, {"objects_checked", r.objects_checked},
                    {"references_checked", r.references_checked}, {"findings", list}}.dump(2) << "\n";
  } else {
    ctx.out << "checked " << Thousands(r.objects_checked) << " objects (every hash) and "
            << Thousands(r.references_checked) << " references, and the database\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : r.findings) rows.push_back({f.problem ? "PROBLEM" : "note", f.kind, f.object, f.detail});
    if (rows.empty()) ctx.out << "all consistent\n";
    else PrintTable(ctx.out, {"", "KIND", "OBJECT", "DETAIL"}, rows);
  }
  ctx.printed_result = true;
  if (problems > 0) {
    return FailedPrecondition(std::to_string(problems) + (problems == 1 ? " problem" : " problems") + " found in " +
                              ctx.layout().root);
  }
  return Status::OK();
}

}  // namespace

void AddDoctorCommand(CLI::App& app, CliContext& ctx, Action* action) {
  auto clean = std::make_shared<bool>(false);
  CLI::App* c = app.add_subcommand("doctor", "check every object hash and reference of the home; exit 3 on problems");
  c->add_flag("--clean", *clean, "also remove temporary files that interrupted writes left behind");
  c->callback([&ctx, action, clean] { *action = [&ctx, clean] { return Doctor(ctx, *clean); }; });
}

}  // namespace gyre
