#pragma once

#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace infobus {

// One thread of its own running posted tasks in order: where a thread that must stay quick
// (a consumer loop waking its subscribers) hands work it must not do itself (their reads).
// Destruction runs what is still queued, then joins. Thread-safe.
class SerialExecutor {
 public:
  explicit SerialExecutor(std::string name);
  ~SerialExecutor();
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  // Queues `task`; never waits.
  void Post(std::function<void()> task);
  const std::string& name() const { return name_; }

 private:
  void Run();

  const std::string name_;
  absl::Mutex mutex_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace infobus
