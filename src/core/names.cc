#include "core/names.h"

#include <cctype>
#include <string>

namespace gyre {

Status CheckName(std::string_view what, std::string_view name) {
  bool ok = !name.empty() && name.size() <= 100 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  if (!ok) {
    return InvalidArgument("invalid " + std::string(what) + " name \"" + std::string(name) +
                           "\": use letters, digits, '_', '-' and '.', starting with a letter or digit");
  }
  return Status::OK();
}

}  // namespace gyre
