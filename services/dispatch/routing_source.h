#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/util/file.h"
#include "services/dispatch/routing_table.h"

namespace infobus::dispatch {

// The routing in force, read from the routing file and re-read when the file changes (its
// modification time or size) or when Reload() is called. A file that fails to parse or validate
// is refused and the previous table stays in force. Readers take an immutable snapshot, so a
// reload never changes a table under them. Thread-safe.
class RoutingSource {
 public:
  struct ReloadResult {
    bool changed = false;
    RoutingTablePtr table;
  };

  // Reads `path`; an error here is a startup misconfiguration.
  static absl::StatusOr<std::unique_ptr<RoutingSource>> Open(const std::string& path);
  // A fixed table that never reloads (tests).
  explicit RoutingSource(RoutingTablePtr table) : table_(std::move(table)) {}

  RoutingTablePtr Current() const;
  // Re-reads the file now, whether or not it looks changed.
  absl::StatusOr<ReloadResult> Reload();
  // Re-reads the file when its mtime or size changed and at least `interval` has passed since
  // the last look; logs a refused file once per change. Cheap to call often.
  void ReloadIfChanged(absl::Duration interval);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  mutable absl::Mutex mutex_;
  RoutingTablePtr table_ ABSL_GUARDED_BY(mutex_);
  absl::Mutex reload_mutex_;  // one reload at a time
  FileStamp stamp_ ABSL_GUARDED_BY(reload_mutex_);
  absl::Time last_look_ ABSL_GUARDED_BY(reload_mutex_) = absl::InfinitePast();
};

}  // namespace infobus::dispatch
