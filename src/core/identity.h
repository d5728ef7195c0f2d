// Who and where: the user and host recorded with runs and registry changes.
#pragma once

#include <string>

namespace gyre {

std::string UserName();  // $USER, else the password database, else "unknown"
std::string HostName();  // gethostname, else "unknown"

}  // namespace gyre
