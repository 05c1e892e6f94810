#pragma once

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace infobus::testing {

// Counts the returns of a gRPC callback method (a test's subclass of the service calls
// Returned() after the real method), so a test can tell a callback that handed its work on
// from one still waiting inside. Thread-safe.
class CallbackReturns {
 public:
  void Returned() {
    absl::MutexLock lock(&mutex_);
    ++returned_;
  }
  // Whether a call has returned within `timeout`.
  bool Within(absl::Duration timeout) {
    absl::MutexLock lock(&mutex_);
    auto returned = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return returned_ > 0; };
    return mutex_.AwaitWithTimeout(absl::Condition(&returned), timeout);
  }

 private:
  absl::Mutex mutex_;
  int returned_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace infobus::testing
