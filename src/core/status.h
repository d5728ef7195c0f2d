// Errors as values: Status and Result<T>, with where the problem is (file, line, column, field).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gyre {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // bad input: a file, a flag, a request
  kNotFound,            // a dataset, version, object or file that does not exist
  kAlreadyExists,       // a name that must be unique
  kFailedPrecondition,  // a check failed (anomalies, drift, a gate)
  kUnavailable,         // busy or unreachable; retrying may help
  kDataLoss,            // stored bytes do not match their hash, a torn record
  kIOError,             // the operating system refused
  kInternal,            // a bug in Gyre
};

const char* StatusCodeName(StatusCode code);
// The process exit code a CLI command returns for `code` (DESIGN.md: 0 ok, 1 error, 3 check).
int ExitCodeFor(StatusCode code);
// The HTTP status a server answers for `code`.
int HttpStatusFor(StatusCode code);

// Where in an input the problem is. Zero or empty means unknown.
struct Location {
  std::string file;
  int64_t line = 0;    // 1-based physical line
  int64_t column = 0;  // 1-based field index in a table, or byte column in a text file
  std::string field;   // the column or key name

  bool empty() const { return file.empty() && line == 0 && column == 0 && field.empty(); }
  std::string ToString() const;  // "data.csv: line 812, column 4 (amount)"
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, Location where = {})
      : code_(code), message_(std::move(message)), where_(std::move(where)) {}

  static Status OK() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const Location& where() const { return where_; }

  // "where: message", the form printed to users.
  std::string ToString() const;
  // Adds context on the way up: "reading x.csv: <message>".
  Status WithContext(const std::string& context) const;
  // Fills in the file of the location if it is not set yet.
  Status InFile(const std::string& file) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  Location where_;
};

Status InvalidArgument(std::string message, Location where = {});
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status FailedPrecondition(std::string message);
Status IOError(std::string message);
Status DataLoss(std::string message);
Status Internal(std::string message);
// An IOError from errno: "<what>: <strerror(errno)>".
Status ErrnoError(const std::string& what);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gyre

#define GYRE_CONCAT_INNER(a, b) a##b
#define GYRE_CONCAT(a, b) GYRE_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::gyre::Status _st = (expr);              \
    if (!_st.ok()) return _st;                \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(GYRE_CONCAT(_result_, __LINE__), lhs, expr)
