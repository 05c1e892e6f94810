#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/kafka/producer.h"
#include "common/store/store.h"
#include "services/judgment/watchlist.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace infobus::judgment {

// The watchlist as a global table: every entry lives on the compacted watchlist topic (key
// "<subject key>\n<list id>", value a WatchlistEntry; a tombstone removes the entry), and
// every judgment instance reads the whole topic (all partitions assigned, no consumer group)
// into its store (family "watchlist", via StoredWatchlist's keys), with the offsets it has
// applied written in the same WriteBatch (family "watchlist_offsets"). So all instances agree,
// and an entry added on any instance reaches every instance within moments. A record that is
// not a valid entry or removal (codec::DecodeWatchlistRecord) is dead-lettered, produced before
// the offsets past it are stored, and changes nothing here.
//
// Lifecycle: Create (starts the reader thread), destroy to stop. Put/Remove/WaitForCatchUp are
// thread-safe.
class WatchlistTable {
 public:
  static constexpr char kOffsetsFamily[] = "watchlist_offsets";

  // Where undecodable records go, and the consumer named in their DeadLetter (the service's
  // consumer group: the reader has none of its own).
  struct DeadLetters {
    std::string topic;
    std::string consumer;
  };

  // `store` must have the StoredWatchlist::kFamily and kOffsetsFamily families, and `watchlist`
  // read that store; `store`, `watchlist` and `producer` must outlive the table.
  static absl::StatusOr<std::unique_ptr<WatchlistTable>> Create(
      const std::string& bootstrap_servers, std::string topic, DeadLetters dead_letters,
      Store* store, StoredWatchlist* watchlist, kafka::Producer* producer);
  ~WatchlistTable();

  // Writes the entry to the topic and waits until this instance has applied it. Returns
  // whether an entry for (list, subject) existed here before.
  absl::StatusOr<bool> Put(const WatchlistEntry& entry, absl::Duration timeout);
  absl::StatusOr<bool> Remove(const std::string& list_id,
                              const infobus::common::v1::Subject& subject, absl::Duration timeout);
  // Waits until everything on the topic now has been applied here.
  absl::Status WaitForCatchUp(absl::Duration timeout);

 private:
  WatchlistTable() = default;
  void Run();
  // Sends `value` for `key` (nullptr: a tombstone) and waits until this instance applied it.
  absl::Status Publish(const std::string& key, const std::string* value, absl::Duration timeout);

  std::string topic_;
  DeadLetters dead_letters_;
  Store* store_ = nullptr;
  StoredWatchlist* watchlist_ = nullptr;
  kafka::Producer* producer_ = nullptr;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;        // the reader thread's
  std::unique_ptr<RdKafka::KafkaConsumer> offsets_client_;  // watermark queries only
  std::vector<int32_t> partitions_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  mutable absl::Mutex mutex_;
  std::map<int32_t, int64_t> applied_ ABSL_GUARDED_BY(mutex_);  // next offset per partition
};

}  // namespace infobus::judgment
