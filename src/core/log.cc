#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace gyre {
namespace {

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_color_mt("gyre");
    l->set_pattern("%^%l%$: %v");
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return *logger;
}

}  // namespace

void SetLogLevel(LogLevel level) {
  static const spdlog::level::level_enum kMap[] = {spdlog::level::debug, spdlog::level::info,
                                                   spdlog::level::warn, spdlog::level::err,
                                                   spdlog::level::off};
  Logger().set_level(kMap[static_cast<int>(level)]);
}

void LogDebug(const std::string& message) { Logger().debug(message); }
void LogInfo(const std::string& message) { Logger().info(message); }
void LogWarn(const std::string& message) { Logger().warn(message); }
void LogError(const std::string& message) { Logger().error(message); }

}  // namespace gyre
