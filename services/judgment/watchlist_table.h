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
  // One page of the topic and its offsets into the store, in one batch.
  absl::Status Apply(std::vector<kafka::Record> page, stream::GlobalTable::OffsetEntries offsets);
  // Sends `value` for `key` (nullptr: a tombstone) and waits until this instance applied it.
  absl::Status Publish(const std::string& key, const std::string* value, absl::Duration timeout);

  std::string topic_;
  DeadLetters dead_letters_;
  Store* store_ = nullptr;
  StoredWatchlist* watchlist_ = nullptr;
  kafka::Producer* producer_ = nullptr;
  std::unique_ptr<stream::GlobalTable> table_;  // last: its reader thread calls Apply
};

}  // namespace infobus::judgment
