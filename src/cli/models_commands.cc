// gyre models list | show | alias | register, and gyre audit
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>

#include "cli/context.h"
#include "cli/format.h"
#include "registry/registry.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

json VersionJson(const ModelVersionRecord& v) {
  return json{{"model", v.model},     {"version", v.version},           {"run_id", v.run_id},
              {"bundle_sha256", v.bundle_sha256}, {"status", v.status}, {"created", TimeText(v.created_us)},
              {"aliases", v.aliases}};
}

json AuditJson(const AuditRecord& a) {
  auto parse = [](const std::string& s) { return json::parse(s, nullptr, false); };
  return json{{"id", a.id},         {"time", TimeText(a.time_us)}, {"actor", a.actor}, {"action", a.action},
              {"object", a.object}, {"before", parse(a.before)},  {"after", parse(a.after)}};
}

void PrintAudit(std::ostream& out, const std::vector<AuditRecord>& entries) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : entries) rows.push_back({TimeText(a.time_us), a.actor, a.action, a.object, a.before, a.after});
  PrintTable(out, {"TIME", "ACTOR", "ACTION", "OBJECT", "BEFORE", "AFTER"}, rows);
}

std::string Aliases(const ModelVersionRecord& v) {
  std::string s;
  for (const auto& a : v.aliases) s += (s.empty() ? "" : ", ") + a;
  return s.empty() ? "-" : s;
}

Status ModelsList(CliContext& ctx) {
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(auto models, ctx.meta()->ListModels());
  json list = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : models) {
    ASSIGN_OR_RETURN(auto versions, ctx.meta()->ListModelVersions(m.name));
    std::string aliases;
    for (const auto& v : versions) {
      for (const auto& a : v.aliases) aliases += (aliases.empty() ? "" : ", ") + a + "=" + std::to_string(v.version);
    }
    list.push_back({{"name", m.name}, {"latest_version", m.latest_version}, {"description", m.description},
                    {"updated", TimeText(m.updated_us)}});
    rows.push_back({m.name, std::to_string(m.latest_version), aliases.empty() ? "-" : aliases, TimeText(m.updated_us)});
  }
  if (ctx.json) ctx.out << json{{"models", list}}.dump(2) << "\n";
  else if (rows.empty()) ctx.out << "no registered models yet; register one: gyre models register RUN --name NAME\n";
  else PrintTable(ctx.out, {"NAME", "LATEST", "ALIASES", "UPDATED"}, rows);
  return Status::OK();
}

Status ModelsShow(CliContext& ctx, const std::string& text) {
  ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(text));
  RETURN_IF_ERROR(ctx.OpenStores());
  Registry registry(ctx.meta(), ctx.env, DefaultActor());
  if (ref.version != 0 || !ref.alias.empty()) {
    ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Resolve(ref));
    ASSIGN_OR_RETURN(auto audit, ctx.meta()->ListAudit(v.model + ":" + std::to_string(v.version), 20));
    // Lineage, upstream: the run that made it, the data and code that run used.
    ASSIGN_OR_RETURN(RunRecord run, ctx.meta()->GetRun(v.run_id));
    ASSIGN_OR_RETURN(auto inputs, ctx.meta()->ListRunInputs(v.run_id));
    json lineage{{"run_id", run.run_id}, {"experiment", run.experiment}, {"git_commit", run.git_commit},
                 {"git_dirty", run.git_dirty}, {"inputs", json::array()}};
    for (const auto& i : inputs) lineage["inputs"].push_back(i.dataset + ":" + std::to_string(i.version));
    if (ctx.json) {
      json j = VersionJson(v);
      j["lineage"] = lineage;
      j["signature"] = json::parse(v.signature_json, nullptr, false);
      json au = json::array();
      for (const auto& a : audit) au.push_back(AuditJson(a));
      j["audit"] = au;
      ctx.out << j.dump(2) << "\n";
      return Status::OK();
    }
    ctx.out << v.model << ":" << v.version << "\n  aliases  " << Aliases(v) << "\n  run      " << v.run_id
            << "\n  bundle   " << v.bundle_sha256 << "\n  status   " << v.status << "\n  created  "
            << TimeText(v.created_us) << "\n  code     " << (run.git_commit.empty() ? "-" : run.git_commit)
            << (run.git_dirty ? " (uncommitted changes)" : "") << "\n  data     ";
    for (size_t i = 0; i < inputs.size(); ++i) ctx.out << (i ? ", " : "") << inputs[i].dataset << ":" << inputs[i].version;
    ctx.out << (inputs.empty() ? "-" : "") << "\n\nhistory:\n";
    PrintAudit(ctx.out, audit);
    return Status::OK();
  }
  ASSIGN_OR_RETURN(auto found, ctx.meta()->FindModel(ref.name));
  if (!found) return NotFound("no registered model named " + ref.name + " (see: gyre models list)");
  ASSIGN_OR_RETURN(auto versions, ctx.meta()->ListModelVersions(ref.name));
  ASSIGN_OR_RETURN(auto tags, ctx.meta()->GetModelTags(ref.name));
  ASSIGN_OR_RETURN(auto audit, ctx.meta()->ListAudit(ref.name, 20));
  if (ctx.json) {
    json vs = json::array(), au = json::array(), tj = json::object();
    for (const auto& v : versions) vs.push_back(VersionJson(v));
    for (const auto& a : audit) au.push_back(AuditJson(a));
    for (const auto& [k, v] : tags) tj[k] = v;
    ctx.out << json{{"name", found->name}, {"description", found->description}, {"tags", tj},
                    {"versions", vs}, {"audit", au}}.dump(2) << "\n";
    return Status::OK();
  }
  ctx.out << found->name << (found->description.empty() ? "" : ": " + found->description) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : versions) {
    rows.push_back({std::to_string(v.version), Aliases(v), ShortSha(v.run_id), ShortSha(v.bundle_sha256), TimeText(v.created_us)});
  }
  PrintTable(ctx.out, {"VERSION", "ALIASES", "RUN", "BUNDLE", "CREATED"}, rows);
  if (!audit.empty()) {
    ctx.out << "\nrecent changes:\n";
    PrintAudit(ctx.out, audit);
  }
  return Status::OK();
}

struct AliasArgs {
  std::string name, alias;
  int64_t version = 0;
  bool remove = false;
};

Status ModelsAlias(CliContext& ctx, const AliasArgs& a) {
  RETURN_IF_ERROR(ctx.OpenStores());
  Registry registry(ctx.meta(), ctx.env, DefaultActor());
  if (a.remove) {
    RETURN_IF_ERROR(registry.DeleteAlias(a.name, a.alias));
  } else {
    RETURN_IF_ERROR(registry.SetAlias(a.name, a.version, a.alias));
  }
  if (ctx.json) {
    ctx.out << json{{"model", a.name}, {"alias", a.alias}, {"version", a.remove ? json(nullptr) : json(a.version)}}.dump()
            << "\n";
  } else if (a.remove) {
    ctx.out << "removed alias " << a.alias << " of " << a.name << "\n";
  } else {
    ctx.out << a.name << "@" << a.alias << " -> version " << a.version << "\n";
  }
  return Status::OK();
}

struct RegisterArgs {
  std::string run, name, artifact = "model";
};

Status ModelsRegister(CliContext& ctx, const RegisterArgs& a) {
  RETURN_IF_ERROR(ctx.OpenStores());
  Registry registry(ctx.meta(), ctx.env, DefaultActor());
  ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Register(a.run, a.name, a.artifact));
  if (ctx.json) ctx.out << VersionJson(v).dump(2) << "\n";
  else ctx.out << "registered " << v.model << ":" << v.version << " from run " << v.run_id << "\n";
  return Status::OK();
}

Status AuditCommand(CliContext& ctx, const std::string& object, int64_t limit) {
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(auto entries, ctx.meta()->ListAudit(object, limit));
  if (ctx.json) {
    json list = json::array();
    for (const auto& a : entries) list.push_back(AuditJson(a));
    ctx.out << json{{"audit", list}}.dump(2) << "\n";
  } else if (entries.empty()) {
    ctx.out << "no registry changes yet\n";
  } else {
    PrintAudit(ctx.out, entries);
  }
  return Status::OK();
}

}  // namespace

void AddModelsCommands(CLI::App& app, CliContext& ctx, Action* action) {
  CLI::App* models = app.add_subcommand("models", "the model registry: versions, aliases, their history");
  models->require_subcommand(1);
  models->fallthrough();

  CLI::App* c = models->add_subcommand("list", "registered models");
  c->callback([&ctx, action] { *action = [&ctx] { return ModelsList(ctx); }; });

  auto ref = std::make_shared<std::string>();
  c = models->add_subcommand("show", "a model (versions, aliases, recent changes) or one version");
  c->add_option("REF", *ref, "NAME, NAME:VERSION or NAME:ALIAS")->required();
  c->callback([&ctx, action, ref] { *action = [&ctx, ref] { return ModelsShow(ctx, *ref); }; });

  auto alias = std::make_shared<AliasArgs>();
  c = models->add_subcommand("alias", "point ALIAS (e.g. champion) at VERSION of model NAME, moving it if needed");
  c->add_option("NAME", alias->name, "model name")->required();
  c->add_option("VERSION", alias->version, "version number")->required();
  c->add_option("ALIAS", alias->alias, "alias")->required();
  c->add_flag("--delete", alias->remove, "remove the alias instead (VERSION is ignored)");
  c->callback([&ctx, action, alias] { *action = [&ctx, alias] { return ModelsAlias(ctx, *alias); }; });

  auto reg = std::make_shared<RegisterArgs>();
  c = models->add_subcommand("register", "make a new model version from a run's model artifact");
  c->add_option("RUN", reg->run, "run id (or a unique prefix)")->required();
  c->add_option("--name", reg->name, "model name (created if new)")->required();
  c->add_option("--artifact", reg->artifact, "the run's artifact holding the bundle");
  c->callback([&ctx, action, reg] { *action = [&ctx, reg] { return ModelsRegister(ctx, *reg); }; });

  auto object = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(50);
  c = app.add_subcommand("audit", "the registry's audit log, newest first");
  c->add_option("--model", *object, "only changes of this model");
  c->add_option("--limit", *limit, "at most this many entries (0: all)");
  c->callback([&ctx, action, object, limit] { *action = [&ctx, object, limit] { return AuditCommand(ctx, *object, *limit); }; });
}

}  // namespace gyre
