#include "common/service/health_monitor.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace infobus {

HealthMonitor::HealthMonitor(std::vector<std::pair<std::string, Check>> checks, Report report,
                             absl::Duration interval)
    : checks_(std::move(checks)), report_(std::move(report)), interval_(interval) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void HealthMonitor::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::Status HealthMonitor::RunChecks() const {
  for (const auto& [name, check] : checks_) {
    absl::Status status = check();
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat(name, ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status HealthMonitor::Current() const {
  absl::MutexLock lock(&mutex_);
  return current_;
}

void HealthMonitor::Loop() {
  do {
    absl::Status status = RunChecks();
    bool changed;
    {
      absl::MutexLock lock(&mutex_);
      changed = status.ok() != current_.ok();
      current_ = status;
    }
    if (changed) {
      if (status.ok()) {
        INFOBUS_LOG(Info) << "health: SERVING again";
      } else {
        INFOBUS_LOG(Warning) << "health: NOT_SERVING: " << status.message();
      }
    }
    report_(status.ok());
  } while (!stop_.WaitForNotificationWithTimeout(interval_));
}

}  // namespace infobus
