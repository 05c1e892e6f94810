#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/util/file.h"
#include "services/judgment/engine/rules.h"

namespace infobus::judgment {

// The rules file on disk. Changed() is a cheap stat (modification time and size) to decide
// whether to Read() again. Not thread-safe: one thread (the consumer loop) uses it.
class RulesSource {
 public:
  using Stamp = FileStamp;
  struct Loaded {
    RuleSet rules;
    Stamp stamp;
  };

  // Empty path: the built-in rules (one watchlist rule, "watchlist-hit", every list, the
  // entries' own severity), which never change.
  explicit RulesSource(std::string path) : path_(std::move(path)) {}

  // Reads and parses the file now. INVALID_ARGUMENT names the field; NOT_FOUND/UNAVAILABLE
  // when it cannot be read.
  absl::StatusOr<Loaded> Read() const;
  // The file's current stamp (a missing file has the default stamp).
  Stamp Current() const;
  const std::string& path() const { return path_; }

  static RuleSet BuiltIn();

 private:
  std::string path_;
};

}  // namespace infobus::judgment
