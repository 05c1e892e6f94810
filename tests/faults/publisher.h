#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"

namespace infobus::faults {

// What Publish answered, over all calls.
struct PublishFigures {
  int64_t calls = 0;
  int64_t accepted = 0;           // events answered ACCEPTED
  int64_t duplicate = 0;          // events answered DUPLICATE (accepted by an earlier call)
  int64_t retry = 0;              // events answered RETRY (sent again)
  int64_t rejected = 0;           // events answered REJECTED (the plan is wrong)
  int64_t call_errors = 0;        // calls that failed as a whole (sent again)
  int64_t deadline_exceeded = 0;  // of which the caller's deadline passed without an answer
  absl::Duration longest_call;    // the slowest call, answered or not
};

// Publishes batches the way county systems that must not lose anything would: each source of a
// batch sends its own events, as itself (its certificate), and every event that is not
// answered ACCEPTED or DUPLICATE (RETRY, a failed call, no answer in time) is sent again, with
// the same ids, until it is, or until a deadline. Calls run one at a time, each with
// `call_deadline`. Thread-compatible: one thread publishes, any thread may read figures().
class RetryingPublisher {
 public:
  // Called once per event, when it was first answered ACCEPTED (`duplicate` false) or
  // DUPLICATE (true: an earlier call got it into Kafka, though its answer was lost or RETRY).
  using AcceptedFn = std::function<void(const infobus::common::v1::Event& event,
                                        absl::Time answered_at, bool duplicate)>;

  RetryingPublisher(const std::string& collection_address, absl::Duration call_deadline);

  // OK once every event of `batch` was accepted; DEADLINE_EXCEEDED when `give_up` came first;
  // INVALID_ARGUMENT when one was REJECTED (it is not sent again); PERMISSION_DENIED when the
  // source may not publish them. One source after another, each source's events in their order.
  absl::Status Publish(std::vector<infobus::common::v1::Event> batch, absl::Time give_up,
                       const AcceptedFn& accepted);

  PublishFigures figures() const;

 private:
  using Stub = infobus::collection::v1::CollectionService::Stub;
  // The events of one source, until accepted.
  absl::Status PublishAs(Stub& stub, std::vector<infobus::common::v1::Event> batch,
                         absl::Time give_up, const AcceptedFn& accepted);
  Stub& SourceStub(const std::string& source_id);

  const std::string address_;
  std::map<std::string, std::unique_ptr<Stub>> stubs_;  // by source; the publishing thread's
  absl::Duration call_deadline_;
  mutable absl::Mutex mutex_;
  PublishFigures figures_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace infobus::faults
