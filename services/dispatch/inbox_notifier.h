#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace infobus::dispatch {

// Tells live subscribers that their unit's inbox grew. A listener runs with the notifier's lock
// held, so it must be quick and must not call back into the notifier; once Unlisten() returns,
// the listener is not running and will not run again. Thread-safe.
class InboxNotifier {
 public:
  using Listener = std::function<void()>;

  uint64_t Listen(const std::string& unit_id, Listener listener);
  void Unlisten(uint64_t token);
  void Notify(const std::vector<std::string>& unit_ids);

 private:
  absl::Mutex mutex_;
  uint64_t next_token_ ABSL_GUARDED_BY(mutex_) = 1;
  std::multimap<std::string, std::pair<uint64_t, Listener>> listeners_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace infobus::dispatch
