#include "services/dispatch/inbox_notifier.h"

namespace infobus::dispatch {

uint64_t InboxNotifier::Listen(const std::string& unit_id, Listener listener) {
  absl::MutexLock lock(&mutex_);
  const uint64_t token = next_token_++;
  listeners_.emplace(unit_id, std::make_pair(token, std::move(listener)));
  return token;
}

void InboxNotifier::Unlisten(uint64_t token) {
  absl::MutexLock lock(&mutex_);
  for (auto it = listeners_.begin(); it != listeners_.end(); ++it) {
    if (it->second.first == token) {
      listeners_.erase(it);
      return;
    }
  }
}

void InboxNotifier::Notify(const std::vector<std::string>& unit_ids) {
  absl::MutexLock lock(&mutex_);
  for (const std::string& unit : unit_ids) {
    auto [begin, end] = listeners_.equal_range(unit);
    for (auto it = begin; it != end; ++it) it->second.second();
  }
}

}  // namespace infobus::dispatch
