#include "core/status.h"

#include <cerrno>
#include <cstring>

namespace gyre {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kDataLoss: return "DataLoss";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

int ExitCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 0;
    case StatusCode::kFailedPrecondition: return 3;
    default: return 1;
  }
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 412;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

std::string Location::ToString() const {
  std::string out = file;
  auto sep = [&out]() {
    if (!out.empty()) out += out.back() == ':' ? " " : ": ";
  };
  if (line > 0) {
    sep();
    out += "line " + std::to_string(line);
  }
  if (column > 0) {
    out += line > 0 ? ", " : (sep(), "");
    out += "column " + std::to_string(column);
  }
  if (!field.empty()) {
    if (line > 0 || column > 0) {
      out += " (" + field + ")";
    } else {
      sep();
      out += "field " + field;
    }
  }
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string where = where_.ToString();
  return where.empty() ? message_ : where + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_, where_);
}

Status Status::InFile(const std::string& file) const {
  if (ok() || !where_.file.empty()) return *this;
  Location where = where_;
  where.file = file;
  return Status(code_, message_, where);
}

Status InvalidArgument(std::string message, Location where) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(where));
}
Status NotFound(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
Status AlreadyExists(std::string message) {
  return Status(StatusCode::kAlreadyExists, std::move(message));
}
Status FailedPrecondition(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
Status IOError(std::string message) { return Status(StatusCode::kIOError, std::move(message)); }
Status DataLoss(std::string message) { return Status(StatusCode::kDataLoss, std::move(message)); }
Status Internal(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }
Status ErrnoError(const std::string& what) {
  return IOError(what + ": " + std::strerror(errno));
}

}  // namespace gyre
