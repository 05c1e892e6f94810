#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"

namespace RdKafka {
class Producer;
}

namespace infobus::kafka {

class DeliveryReporter;

// An idempotent librdkafka producer with acks=all: a message counts as sent only once every
// in-sync replica has it, and retries never duplicate or reorder it. Thread-safe; an internal
// thread serves delivery reports.
class Producer {
 public:
  // Runs exactly once per accepted message, on the producer's thread: OK when the broker
  // acknowledged it, UNAVAILABLE (with librdkafka's reason) when it could not be delivered.
  using DeliveryCallback = std::function<void(absl::Status)>;

  // `properties` are extra librdkafka settings (e.g. linger.ms), applied after the defaults;
  // settings that would weaken durability (acks, enable.idempotence) are refused.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const std::string& bootstrap_servers, const std::map<std::string, std::string>& properties);
  ~Producer();  // flushes for up to 10 s while a broker answers, then fails what is left
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `message`. On an error return (RESOURCE_EXHAUSTED when the local queue is full,
  // INVALID_ARGUMENT for a bad message) `done` is not called and nothing was sent.
  absl::Status ProduceAsync(const OutgoingMessage& message, DeliveryCallback done);

  // Produces all messages and waits for every delivery report; one status per message.
  std::vector<absl::Status> ProduceAll(const std::vector<OutgoingMessage>& messages);

  absl::Status Flush(absl::Duration timeout);

  // Asks the cluster for its metadata: OK when a broker answered within `timeout`. For health.
  absl::Status CheckBroker(absl::Duration timeout);

 private:
  Producer() = default;
  void PollLoop();

  std::unique_ptr<DeliveryReporter> reporter_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};
using ProducerPtr = std::unique_ptr<Producer>;

}  // namespace infobus::kafka
