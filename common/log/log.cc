#include "common/log/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace infobus::log {
namespace {

std::atomic<Level> min_level{Level::kInfo};
std::mutex component_mutex;
std::string& Component() {
  static auto* component = new std::string("infobus");
  return *component;
}

char LevelLetter(Level level) {
  switch (level) {
    case Level::kDebug:
      return 'D';
    case Level::kInfo:
      return 'I';
    case Level::kWarning:
      return 'W';
    case Level::kError:
      return 'E';
  }
  return '?';
}

std::string_view Basename(const char* path) {
  std::string_view view(path);
  auto slash = view.rfind('/');
  return slash == std::string_view::npos ? view : view.substr(slash + 1);
}

}  // namespace

void SetMinLevel(Level level) { min_level.store(level); }
Level MinLevel() { return min_level.load(std::memory_order_relaxed); }

absl::StatusOr<Level> ParseLevel(std::string_view name) {
  std::string lower = absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warning" || lower == "warn") return Level::kWarning;
  if (lower == "error") return Level::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log level '", lower, "' (debug, info, warning, error)"));
}

void SetComponent(std::string_view component) {
  std::lock_guard<std::mutex> lock(component_mutex);
  Component() = std::string(component);
}

LogLine::LogLine(Level level, const char* file, int line) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc;
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  std::string component;
  {
    std::lock_guard<std::mutex> lock(component_mutex);
    component = Component();
  }
  char ms[8];
  std::snprintf(ms, sizeof(ms), ".%03dZ", static_cast<int>(millis));
  stream_ << stamp << ms << ' ' << LevelLetter(level) << ' ' << component << ' ' << Basename(file)
          << ':' << line << "] ";
}

LogLine::~LogLine() {
  stream_ << '\n';
  const std::string text = stream_.str();
  // One write: lines from concurrent threads stay whole.
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

}  // namespace infobus::log
