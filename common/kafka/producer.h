#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"

namespace infobus::kafka {

// Where messages go: the Kafka producer (Create), or a fake in tests
// (tests/support/fake_producer.h). Thread-safe.
class Producer {
 public:
  // Runs exactly once per accepted message, on the producer's thread: OK when the broker
  // acknowledged it, UNAVAILABLE (with the reason) when it could not be delivered.
  using DeliveryCallback = std::function<void(absl::Status)>;

  // The Kafka one: an idempotent librdkafka producer with acks=all, so a message counts as sent
  // only once every in-sync replica has it, and retries never duplicate or reorder it; an
  // internal thread serves delivery reports. `properties` are extra librdkafka settings (e.g.
  // linger.ms), applied after the defaults; settings that would weaken durability (acks,
  // enable.idempotence) are refused. Its destructor flushes for up to 10 s while a broker
  // answers, then fails what is left.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const std::string& bootstrap_servers, const std::map<std::string, std::string>& properties);

  virtual ~Producer() = default;

  // Queues `message`. On an error return (RESOURCE_EXHAUSTED when the local queue is full,
  // INVALID_ARGUMENT for a bad message) `done` is not called and nothing was sent.
  virtual absl::Status ProduceAsync(const OutgoingMessage& message, DeliveryCallback done) = 0;

  // Produces all messages and waits for every delivery report; one status per message. A
  // message that cannot be queued fails it and every later one (none is sent past a gap).
  // Once `cancelled` (when given) is true the wait goes on for `grace` at most (checked every
  // kCancelCheck): each message not reported by then is CANCELLED, though it may still be
  // delivered (the caller must treat it as not kept, and offer its input again). For a loop
  // that stops while the broker is gone, which would otherwise wait out message.timeout.ms.
  static constexpr absl::Duration kCancelCheck = absl::Milliseconds(100);
  std::vector<absl::Status> ProduceAll(const std::vector<OutgoingMessage>& messages,
                                       const std::atomic<bool>* cancelled = nullptr,
                                       absl::Duration grace = absl::ZeroDuration());

  virtual absl::Status Flush(absl::Duration timeout) = 0;

  // Asks the cluster for its metadata: OK when a broker answered within `timeout`. For health.
  virtual absl::Status CheckBroker(absl::Duration timeout) = 0;
};
using ProducerPtr = std::unique_ptr<Producer>;

}  // namespace infobus::kafka
