#pragma once

#include <functional>
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
#include "common/stream/global_table.h"
#include "services/judgment/watchlist.h"

namespace infobus::judgment {

// The watchlist as a global table (stream::GlobalTable): every entry lives on the compacted
// watchlist topic (key
// "<subject key>\n<list id>", value a WatchlistEntry; a tombstone removes the entry), and
// every judgment instance reads the whole topic (all partitions assigned, no consumer group)
// into its store (family "watchlist", via StoredWatchlist's keys), with the offsets it has
// applied written in the same WriteBatch (family "watchlist_offsets"). So all instances agree,
// and an entry added on any instance reaches every instance within moments. A record that is
// not a valid entry or removal (codec::DecodeWatchlistRecord) is dead-lettered, produced before
// the offsets past it are stored, and changes nothing here.
//
// Lifecycle: Create (starts the reader thread), destroy to stop (what is still waiting for the
// reader is answered UNAVAILABLE). Put/Remove/WaitForCatchUp are thread-safe.
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

  // Writes the entry to the topic; `done` runs once this instance has applied it, with whether
  // an entry for (list, subject) existed here before, or why it could not be written. `done`
  // runs on the producer's or the reader's thread (or at once, for a local failure) and must
  // be quick; nothing here waits, so a gRPC callback may call these.
  using Done = std::function<void(absl::StatusOr<bool>)>;
  void Put(const WatchlistEntry& entry, Done done);
  // Removes the entry; `done` as for Put, with whether there was one (none: nothing is sent).
  void Remove(const std::string& list_id, const infobus::common::v1::Subject& subject, Done done);
  // Waits until everything on the topic now has been applied here.
  absl::Status WaitForCatchUp(absl::Duration timeout);

 private:
  WatchlistTable() = default;
  // One page of the topic and its offsets into the store, in one batch.
  absl::Status Apply(std::vector<kafka::Record> page, stream::GlobalTable::OffsetEntries offsets);
  // Sends `value` for `key` (nullptr: a tombstone); `done` once this instance applied it.
  void Publish(const std::string& key, const std::string* value,
               std::function<void(absl::Status)> done);
  // Answers `done` once the table has caught up and the store holds the entry (`present`) or
  // not, looking again after each catch-up up to `checks_left` times (reader thread).
  static constexpr int kVisibilityChecks = 100;
  void AnswerWhenApplied(std::string key, bool present,
                         std::shared_ptr<std::function<void(absl::Status)>> done, int checks_left);

  std::string topic_;
  DeadLetters dead_letters_;
  Store* store_ = nullptr;
  StoredWatchlist* watchlist_ = nullptr;
  kafka::Producer* producer_ = nullptr;
  absl::Mutex mutex_;
  int unreported_ ABSL_GUARDED_BY(mutex_) = 0;  // messages Publish sent, not yet reported
  std::unique_ptr<stream::GlobalTable> table_;  // last: its reader thread calls Apply
};

}  // namespace infobus::judgment
