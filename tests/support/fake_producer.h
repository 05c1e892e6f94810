#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/kafka/producer.h"

namespace infobus::testing {

// Kafka stood in for by memory: every message is kept (sent()), and its delivery report is
// what the test says — acknowledged, failed, or held until Release(). Reports run on a thread
// of the fake, as the real producer's do on its own. Thread-safe.
class FakeProducer final : public kafka::Producer {
 public:
  enum class Mode { kAcknowledge, kFail, kHold };
  explicit FakeProducer(Mode mode = Mode::kAcknowledge) : mode_(mode) {
    reporter_ = std::thread([this] { Report(); });
  }
  ~FakeProducer() override {
    Release();  // a report is due for every message taken, as the real one fails what is left
    {
      absl::MutexLock lock(&mutex_);
      stopping_ = true;
    }
    reporter_.join();
  }

  void set_mode(Mode mode) {
    absl::MutexLock lock(&mutex_);
    mode_ = mode;
  }
  // Reports the held messages as delivered.
  void Acknowledge() {
    absl::MutexLock lock(&mutex_);
    for (auto& done : held_) due_.push_back({std::move(done), absl::OkStatus()});
    held_.clear();
  }
  // Reports the held messages as failed ("the broker went away").
  void Release() {
    absl::MutexLock lock(&mutex_);
    for (auto& done : held_) due_.push_back({std::move(done), absl::UnavailableError("released")});
    held_.clear();
  }
  std::vector<kafka::OutgoingMessage> sent() const {
    absl::MutexLock lock(&mutex_);
    return sent_;
  }
  size_t held() const {
    absl::MutexLock lock(&mutex_);
    return held_.size();
  }
  void AwaitHeld(size_t count) const {
    absl::MutexLock lock(&mutex_);
    auto enough = [this, count]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return held_.size() >= count; };
    mutex_.Await(absl::Condition(&enough));
  }

  absl::Status ProduceAsync(const kafka::OutgoingMessage& message, DeliveryCallback done) override {
    absl::MutexLock lock(&mutex_);
    sent_.push_back(message);
    switch (mode_) {
      case Mode::kAcknowledge:
        due_.push_back({std::move(done), absl::OkStatus()});
        break;
      case Mode::kFail:
        due_.push_back({std::move(done), absl::UnavailableError("fake: not delivered")});
        break;
      case Mode::kHold:
        held_.push_back(std::move(done));
        break;
    }
    return absl::OkStatus();
  }
  absl::Status Flush(absl::Duration) override { return absl::OkStatus(); }
  absl::Status CheckBroker(absl::Duration) override { return absl::OkStatus(); }

 private:
  void Report() {
    while (true) {
      std::deque<std::pair<DeliveryCallback, absl::Status>> due;
      {
        absl::MutexLock lock(&mutex_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
          return stopping_ || !due_.empty();
        };
        mutex_.Await(absl::Condition(&ready));
        if (due_.empty() && stopping_) return;
        due.swap(due_);
      }
      for (auto& [done, status] : due) done(std::move(status));
    }
  }

  mutable absl::Mutex mutex_;
  Mode mode_ ABSL_GUARDED_BY(mutex_);
  std::vector<kafka::OutgoingMessage> sent_ ABSL_GUARDED_BY(mutex_);
  std::vector<DeliveryCallback> held_ ABSL_GUARDED_BY(mutex_);
  std::deque<std::pair<DeliveryCallback, absl::Status>> due_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread reporter_;
};

}  // namespace infobus::testing
