#pragma once

#include <ostream>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace infobus::faults {

// Progress lines ("[faults] hh:mm:ss text") to one stream from several threads.
class LineLog {
 public:
  explicit LineLog(std::ostream& out) : out_(out) {}
  void operator()(const std::string& text) {
    absl::MutexLock lock(&mutex_);
    out_ << "[faults] " << absl::FormatTime("%H:%M:%S", absl::Now(), absl::LocalTimeZone()) << " "
         << text << std::endl;
  }

 private:
  absl::Mutex mutex_;
  std::ostream& out_;
};

}  // namespace infobus::faults
