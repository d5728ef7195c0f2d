#include "pipeline/refs.h"

namespace gyre {
namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

std::vector<std::string> SplitDots(std::string_view body, size_t max_parts) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    size_t dot = body.find('.', start);
    if (dot == std::string_view::npos) break;
    parts.emplace_back(body.substr(start, dot - start));
    start = dot + 1;
  }
  parts.emplace_back(body.substr(start));
  return parts;
}

Result<SpecRef> ParseRef(std::string_view body, size_t offset) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("${" + std::string(body) + "} at character " + std::to_string(offset + 1) + ": " + why);
  };
  for (char c : body) {
    if (!NameChar(c)) return bad("use letters, digits, '_', '-' and '.' only");
  }
  SpecRef r;
  r.offset = offset;
  std::vector<std::string> p = SplitDots(body, 2);
  r.scope = p[0];
  if (r.scope == "params" || r.scope == "inputs" || r.scope == "outputs") {
    if (p.size() < 2 || p[1].empty()) return bad("name the " + r.scope.substr(0, r.scope.size() - 1));
    r.key = p[1];
    return r;
  }
  if (r.scope == "steps") {
    // steps.ID.outputs.KEY, where KEY may itself hold dots (metrics.roc_auc).
    std::vector<std::string> s = SplitDots(body, 4);
    if (s.size() < 4 || s[1].empty() || s[2] != "outputs" || s[3].empty()) {
      return bad("expected ${steps.STEP.outputs.KEY}");
    }
    r.step = s[1];
    r.key = s[3];
    return r;
  }
  return bad("expected ${params.NAME}, ${steps.STEP.outputs.KEY}, ${inputs.NAME} or ${outputs.NAME}");
}

// Walks `text`, calling `on_text` for literal pieces and `on_ref` for references.
Status Walk(std::string_view text, const std::function<void(std::string_view)>& on_text,
            const std::function<Status(const SpecRef&)>& on_ref) {
  size_t i = 0;
  while (i < text.size()) {
    size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) break;
    on_text(text.substr(i, dollar - i));
    if (text.compare(dollar, 3, "$${") == 0) {
      on_text("${");
      i = dollar + 3;
      continue;
    }
    if (text.compare(dollar, 2, "${") != 0) {
      on_text("$");
      i = dollar + 1;
      continue;
    }
    size_t close = text.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("unterminated ${ at character " + std::to_string(dollar + 1));
    }
    ASSIGN_OR_RETURN(SpecRef ref, ParseRef(text.substr(dollar + 2, close - dollar - 2), dollar));
    RETURN_IF_ERROR(on_ref(ref));
    i = close + 1;
  }
  if (i < text.size()) on_text(text.substr(i));
  return Status::OK();
}

}  // namespace

std::string SpecRef::ToString() const {
  if (scope == "steps") return "${steps." + step + ".outputs." + key + "}";
  return "${" + scope + "." + key + "}";
}

Result<std::vector<SpecRef>> FindRefs(std::string_view text) {
  std::vector<SpecRef> refs;
  RETURN_IF_ERROR(Walk(text, [](std::string_view) {}, [&](const SpecRef& r) {
    refs.push_back(r);
    return Status::OK();
  }));
  return refs;
}

Result<std::string> Substitute(std::string_view text, const RefLookup& lookup) {
  std::string out;
  RETURN_IF_ERROR(Walk(text, [&](std::string_view piece) { out += piece; }, [&](const SpecRef& r) -> Status {
    ASSIGN_OR_RETURN(std::string value, lookup(r));
    out += value;
    return Status::OK();
  }));
  return out;
}

std::string ShellQuote(const std::string& value) {
  bool safe = !value.empty();
  for (char c : value) {
    if (!(NameChar(c) || c == '/' || c == ':' || c == '=' || c == ',' || c == '+' || c == '@')) safe = false;
  }
  if (safe) return value;
  std::string q = "'";
  for (char c : value) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

}  // namespace gyre
