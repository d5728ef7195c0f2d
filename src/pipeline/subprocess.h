// Running a `run:` step's command: /bin/sh -c in a given folder, stdout and stderr into one log
// file, extra environment variables, an optional timeout. Internal to pipeline/.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gyre {

struct CommandSpec {
  std::string command;
  std::string cwd;
  std::string log_path;  // created (truncated); stdout and stderr both go here
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) the parent's
  double timeout_seconds = 0;  // 0: none; on expiry the command's process group is killed
};

struct CommandResult {
  int exit_code = 0;  // 128 + N when killed by signal N
  bool timed_out = false;
};

// IOError when the command cannot be started at all; its failures are in the result.
Result<CommandResult> RunCommand(const CommandSpec& spec);

}  // namespace gyre
