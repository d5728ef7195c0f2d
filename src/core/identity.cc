#include "core/identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace gyre {

std::string UserName() {
  if (const char* u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
  if (passwd* pw = ::getpwuid(::getuid()); pw != nullptr) return pw->pw_name;
  return "unknown";
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown";
  return buf;
}

}  // namespace gyre
