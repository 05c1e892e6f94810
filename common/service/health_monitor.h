#pragma once

#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace infobus {

// Decides every `interval` whether the service can do its job — Kafka reachable, store healthy,
// consumer turning — and reports it through `report` (grpc.health.v1 SERVING / NOT_SERVING).
// Health that says SERVING while the pipeline fails is worse than none, so every check is of
// the real dependency, not of the process being alive. Transitions are logged with the reason.
// Start once, Stop once (or let the destructor); Current() is thread-safe.
class HealthMonitor {
 public:
  using Check = std::function<absl::Status()>;
  using Report = std::function<void(bool serving)>;

  HealthMonitor(std::vector<std::pair<std::string, Check>> checks, Report report,
                absl::Duration interval);
  ~HealthMonitor();

  void Start();
  void Stop();
  // Runs every check now; the first failure, prefixed with its name, or OK.
  absl::Status RunChecks() const;
  absl::Status Current() const;

 private:
  void Loop();

  const std::vector<std::pair<std::string, Check>> checks_;
  const Report report_;
  const absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
  mutable absl::Mutex mutex_;
  absl::Status current_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace infobus
