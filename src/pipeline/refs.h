// `${...}` references inside a spec's strings: `${params.NAME}`, `${steps.ID.outputs.KEY}`, and
// in a `run:` command `${inputs.NAME}` / `${outputs.NAME}`. `$${` is a literal `${`; a lone
// `$` is left for the shell. Internal to pipeline/.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gyre {

struct SpecRef {
  std::string scope;  // params, steps, inputs, outputs
  std::string step;   // for steps
  std::string key;
  size_t offset = 0;  // where `${` starts in the text
  std::string ToString() const;
};

// Every reference in `text`; InvalidArgument (with the offset in the message) when one is
// unterminated or not of a known shape.
Result<std::vector<SpecRef>> FindRefs(std::string_view text);

using RefLookup = std::function<Result<std::string>(const SpecRef&)>;
// `text` with every reference replaced by what `lookup` gives (its error stops it).
Result<std::string> Substitute(std::string_view text, const RefLookup& lookup);

// Quotes a value for /bin/sh when it holds anything but safe characters.
std::string ShellQuote(const std::string& value);

}  // namespace gyre
