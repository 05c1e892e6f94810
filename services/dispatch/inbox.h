#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/store/store.h"
#include "common/util/clock.h"
#include "infobus/common/v1/delivery.pb.h"

namespace infobus::dispatch {

using infobus::common::v1::Delivery;
using infobus::common::v1::Judgment;

// Per-unit durable inboxes in RocksDB. Each unit's deliveries carry a sequence that starts at 1
// and has no gaps; a judgment enters a unit's inbox at most once, however often it is offered.
//
// Writes come in two kinds. New deliveries are staged into a caller's WriteBatch from one thread
// (the consumer loop) and become visible when the caller commits that batch and calls
// CommitStaged(). Sign-offs (Acknowledge) may come from any thread. Reads are thread-safe.
class Inbox {
 public:
  static constexpr char kDeliveriesFamily[] = "inbox";        // unit \n seq → Delivery
  static constexpr char kJudgmentIndexFamily[] = "inbox_judgments";  // unit \n judgment → seq
  static constexpr char kHeadFamily[] = "inbox_head";         // unit → last seq
  static std::vector<std::string> Families() {
    return {kDeliveriesFamily, kJudgmentIndexFamily, kHeadFamily};
  }

  struct AckResult {
    Delivery delivery;  // as stored after the sign-off
    bool already_acknowledged = false;
  };

  Inbox(Store* store, ClockPtr clock) : store_(store), clock_(std::move(clock)) {}

  // Stages delivery of `judgment` to `unit_id` into `batch`. Returns the new seq, or nullopt
  // when the unit already has this judgment (stored, or staged earlier in this batch).
  absl::StatusOr<std::optional<uint64_t>> Stage(const std::string& unit_id,
                                                const Judgment& judgment,
                                                rocksdb::WriteBatch* batch);
  // The batch holding the staged deliveries is durable / was dropped.
  void CommitStaged();
  void AbortStaged();

  // Up to `limit` deliveries of the unit with seq > after_seq, in order.
  absl::StatusOr<std::vector<Delivery>> ReadAfter(const std::string& unit_id, uint64_t after_seq,
                                                  size_t limit) const;
  // Signs off a delivery; NOT_FOUND when the unit has no such seq. Idempotent: a second
  // sign-off changes nothing and reports the first.
  absl::StatusOr<AckResult> Acknowledge(const std::string& unit_id, uint64_t seq,
                                        const std::string& acknowledged_by);
  // The unit's last committed seq (0 when its inbox is empty).
  absl::StatusOr<uint64_t> LastSeq(const std::string& unit_id);

 private:
  absl::StatusOr<uint64_t> CommittedHead(const std::string& unit_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  Store* const store_;
  const ClockPtr clock_;
  absl::Mutex mutex_;
  std::map<std::string, uint64_t> heads_ ABSL_GUARDED_BY(mutex_);  // committed, cached
  std::map<std::string, uint64_t> staged_heads_ ABSL_GUARDED_BY(mutex_);
  std::set<std::string> staged_judgments_ ABSL_GUARDED_BY(mutex_);
  absl::Mutex ack_mutex_;  // one sign-off at a time: read-modify-write of a delivery
};

std::string InboxKey(const std::string& unit_id, uint64_t seq);

}  // namespace infobus::dispatch
