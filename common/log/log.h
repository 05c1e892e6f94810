#pragma once

#include <sstream>
#include <string_view>

#include "absl/status/statusor.h"

// Minimal line logger: one line per call, written to stderr with a single write so lines from
// several threads never interleave. Thread-safe.
namespace infobus::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetMinLevel(Level level);
Level MinLevel();
absl::StatusOr<Level> ParseLevel(std::string_view name);  // debug, info, warning, error

// Prefix for every line of this process, e.g. the service name.
void SetComponent(std::string_view component);

class LogLine {
 public:
  LogLine(Level level, const char* file, int line);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  template <typename T>
  LogLine& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

}  // namespace infobus::log

#define INFOBUS_LOG(severity)                                            \
  if (::infobus::log::Level::k##severity < ::infobus::log::MinLevel()) { \
  } else                                                                 \
    ::infobus::log::LogLine(::infobus::log::Level::k##severity, __FILE__, __LINE__)
