#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/security/key_set.h"
#include "common/util/clock.h"

namespace infobus::security {

// The KeySet of a JWKS file, followed as it changes so that rotating the signing key needs no
// restart: publish the new key next to the old one (replace the file, ideally by rename), and
// drop the old one once its tokens have expired.
//
// Current() checks the file at most once per `check_interval` (a stat on the caller's thread, no
// background thread) and reloads it when its modification time, size or inode changed. A file
// that is gone or does not parse keeps the keys loaded last and is logged once, until it changes
// again. Start() must succeed before Current() is called. Thread-safe after Start().
class KeySetFile {
 public:
  KeySetFile(std::string path, ClockPtr clock, absl::Duration check_interval = absl::Seconds(1));
  KeySetFile(const KeySetFile&) = delete;
  KeySetFile& operator=(const KeySetFile&) = delete;

  // The first load; an error names the file and what is wrong with it.
  absl::Status Start();

  // The keys in force; never null after a successful Start(). Callers may keep the pointer for
  // one verification; a later call may return a newer set.
  std::shared_ptr<const KeySet> Current();

  const std::string& path() const { return path_; }

 private:
  // What a stat says about the file: a change in any of these means it was rewritten.
  struct Version {
    bool exists = false;
    ino_t inode = 0;
    off_t size = 0;
    int64_t modified_ns = 0;
    bool operator==(const Version& other) const {
      return exists == other.exists && inode == other.inode && size == other.size &&
             modified_ns == other.modified_ns;
    }
  };

  Version Stat() const;
  // Reads and parses the file; on success the new keys are in force.
  absl::Status Load(const Version& version) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string path_;
  const ClockPtr clock_;
  const absl::Duration check_interval_;

  absl::Mutex mutex_;
  std::shared_ptr<const KeySet> keys_ ABSL_GUARDED_BY(mutex_);
  Version seen_ ABSL_GUARDED_BY(mutex_);  // last version tried, loaded or not
  absl::Time next_check_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
};

}  // namespace infobus::security
