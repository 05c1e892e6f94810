#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace infobus {

// What tells a watched file's versions apart cheaply: its modification time and size, as
// stat(2) gives them. A file that is not there has the default stamp. Compared by a source that
// re-reads its file only when it changed (the routing file, the rules file).
struct FileStamp {
  int64_t mtime_ns = -1;
  int64_t size = -1;
  bool operator==(const FileStamp& other) const {
    return mtime_ns == other.mtime_ns && size == other.size;
  }
  bool operator!=(const FileStamp& other) const { return !(*this == other); }
};

// The stamp of the file at `path` now.
FileStamp StampOf(const std::string& path);

// The whole of the file at `path`; NOT_FOUND "<what> <path>: cannot be read" when it cannot be
// opened.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path, const std::string& what);

}  // namespace infobus
