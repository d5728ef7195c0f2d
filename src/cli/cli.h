// The `gyre` command as library code: tests run it in-process with captured streams.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace gyre {

// Runs one command line (args[0] is the program name) and returns the exit code of DESIGN.md:
// 0 ok, 1 error, 2 usage error, 3 a check failed.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace gyre
