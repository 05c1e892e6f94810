#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"
#include "common/kafka/producer.h"
#include "common/store/store.h"
#include "common/stream/transaction.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace infobus::stream {

// The logic behind a consumer loop. Called from the loop's thread only.
class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  // Turns `records` into staged state changes and messages in `transaction`. It may read the
  // store, but must not change anything outside the transaction: one that does not commit is
  // offered again. Work kept staged outside it is settled through Transaction::Enlist.
  virtual void HandleBatch(const std::vector<kafka::Record>& records, Transaction& transaction) = 0;
  // Called on every turn of the loop (at least every poll_timeout), after HandleBatch when there
  // were records, in the same transaction: time-driven work (deadlines, window closes) stages
  // its changes here. Default: nothing.
  virtual void OnTick(Transaction& /*transaction*/) {}
  // Partitions are being assigned, before their stored offsets are read: a handler may bring
  // its state (and the offsets it reflects) for them up to date, e.g. from a changelog written
  // by their last owner. `kept` are those this loop owned until the rebalance began (its store
  // is current for them). Runs inside the rebalance, between batches. Default: nothing.
  virtual void OnAssigned(const std::vector<std::pair<std::string, int32_t>>& /*assigned*/,
                          const std::set<std::pair<std::string, int32_t>>& /*kept*/) {}
  // Partitions are taken away (inside the rebalance, between batches). Default: nothing.
  virtual void OnRevoked(const std::vector<std::pair<std::string, int32_t>>& /*revoked*/) {}
};

// Consumes topics in a consumer group and runs each turn (a batch of records and a tick) through
// a RecordHandler as one Transaction, with these guarantees: a turn's output messages are
// acknowledged by Kafka (acks=all) before its state; its state and the offsets it reflects are
// written in one RocksDB WriteBatch; on assignment, partitions resume from the offsets in the store
// (the committed Kafka offsets serve only a partition the store has never seen, and lag monitoring;
// a stored offset that cannot be read refuses the assignment, and the loop retries with a new
// consumer). After a crash, work since the last committed batch is redone, so output may repeat but
// is never lost; handlers make it idempotent (deterministic ids, dedupe). The transaction's
// participants then learn how the turn ended: committed once its state is stored (or at once, for a
// turn that staged nothing), aborted when any step failed.
//
// Lifecycle: Create, Start (spawns the loop thread), Stop (joins; safe to call twice). A stop
// finishes the turn in hand; one whose output the broker has not acknowledged kStopGrace after
// the stop began is given up, uncommitted (a broker that is gone would hold it for
// message.timeout.ms, 15 s, past compose's 10 s stop grace).
class ConsumerLoop {
 public:
  struct Options {
    std::string bootstrap_servers;
    std::string group_id;
    // Static membership (KIP-345): a restarted instance takes its partitions back at once
    // instead of waiting for the dead member's session to expire. Empty: dynamic membership.
    std::string group_instance_id;
    std::vector<std::string> topics;
    std::string dead_letter_topic;
    int max_batch = 500;
    absl::Duration poll_timeout = absl::Milliseconds(100);
    absl::Duration session_timeout = absl::Seconds(10);
    std::map<std::string, std::string> properties;  // extra librdkafka consumer settings
    // How often the store's offsets are copied to Kafka's committed offsets (and the lag gauge
    // refreshed) while batches keep coming. Each commit is a write on the broker; per batch, at
    // small batches, it was a large part of the broker's work. They only serve lag monitoring
    // and a fresh store, so they may trail: a new owner without our store redoes at most this
    // much. A turn that finds no records commits (and refreshes the gauge) at once, so both
    // are current within poll_timeout once input stops.
    absl::Duration kafka_commit_interval = absl::Seconds(1);
  };

  static constexpr char kOffsetsFamily[] = "offsets";
  static constexpr absl::Duration kStopGrace = absl::Seconds(2);

  // `store` must have been opened with the kOffsetsFamily column family. `store`, `producer` and
  // `handler` must outlive the loop.
  static absl::StatusOr<std::unique_ptr<ConsumerLoop>> Create(Options options, Store* store,
                                                              kafka::Producer* producer,
                                                              RecordHandler* handler);
  ~ConsumerLoop();

  void Start();
  void Stop();

  // The next offset to consume per "topic/partition", as stored. For tests and supervision.
  std::map<std::string, int64_t> StoredOffsets() const;

  // Whether the loop is doing its job: OK while it turns and commits; UNAVAILABLE with the
  // reason when its last turn is older than `stall_after` (stuck in a handler or in librdkafka)
  // or its batches have kept failing since then (a consumer that cannot be replaced after a
  // fatal error counts as failing). Thread-safe.
  absl::Status Health(absl::Duration stall_after) const;

 private:
  class Rebalancer;
  ConsumerLoop() = default;

  // Creates the consumer and subscribes.
  absl::Status Connect();
  // When the consumer has hit a fatal error: gives up its partitions and closes it (the loop
  // then connects anew). Returns whether it did.
  bool ReplaceIfFatal();
  // Gives up the partitions (handlers treat them as lost) and closes the consumer; the loop
  // connects anew on its next turn.
  void Replace();
  void BackOff(absl::Duration& backoff);
  void Run();
  std::vector<kafka::Record> PollBatch();
  bool ProcessBatch(const std::vector<kafka::Record>& records);
  void Rewind(const std::vector<kafka::Record>& records);
  void UpdateLag();
  // Copies the offsets committed to the store since the last time to Kafka: kDue once the
  // interval has passed; kIdle at once, on a turn that found no records (input has stopped,
  // so no later batch would share the commit; it does not start the interval); kNow at once (a
  // revocation: asynchronous, as it runs inside the rebalance callback); kNowAndWait at once
  // and waits for the answer (closing).
  enum class CommitWhen { kDue, kIdle, kNow, kNowAndWait };
  void CommitToKafka(CommitWhen when);
  // Removes the lag series of partitions no longer ours: their next owner reports them, and a
  // series left behind would show its last lag for good.
  void ForgetLag(const std::vector<std::pair<std::string, int32_t>>& partitions);

  Options options_;
  Store* store_ = nullptr;
  kafka::Producer* producer_ = nullptr;
  RecordHandler* handler_ = nullptr;
  std::unique_ptr<Rebalancer> rebalancer_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  // Owned by the loop thread (touched by the rebalance callback, which runs inside consume()).
  std::set<std::pair<std::string, int32_t>> assigned_;
  // What the last revocation took away: partitions assigned straight back were not processed
  // by anyone else in between.
  std::set<std::pair<std::string, int32_t>> revoked_;
  bool assignment_changed_ = false;
  bool closing_fatal_ = false;
  // Set by the rebalance callback when it refused an assignment whose stored offsets it could
  // not read; the loop then replaces the consumer. Owned by the loop thread.
  absl::Status unresumable_;
  std::atomic<bool> stopping_{false};
  // Unix nanos of the last turn of the loop, and of the last turn that did not fail.
  std::atomic<int64_t> last_turn_ns_{0};
  std::atomic<int64_t> last_success_ns_{0};
  // Offsets in the store but not yet committed to Kafka; owned by the loop thread.
  std::map<std::pair<std::string, int32_t>, int64_t> kafka_pending_;
  absl::Time last_kafka_commit_ = absl::InfinitePast();
  std::thread thread_;
};
using ConsumerLoopPtr = std::unique_ptr<ConsumerLoop>;

std::string OffsetKey(const std::string& topic, int32_t partition);

}  // namespace infobus::stream
