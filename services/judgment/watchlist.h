#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/store/store.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"
#include "services/judgment/engine/watchlist_lookup.h"

namespace infobus::judgment {

// The watchlist kept in RocksDB (family "watchlist"), keyed "<subject key>\n<list id>" so all
// lists' entries for a subject sit together and one prefix scan finds them. Entries must be
// normalised before Add. Thread-safe.
//
// Nearly every subject looked up is on no list, and a RocksDB iterator per subject was a fifth
// of judgment's CPU. So the subject keys that may be listed are also kept in memory, and a
// subject not among them is answered at once. The set only grows while running (a removal
// leaves its subject in it, which costs one RocksDB lookup, never a wrong answer); it is
// rebuilt from the store at start. Whoever writes an entry into the family calls MayList first.
class StoredWatchlist final : public WatchlistLookup {
 public:
  static constexpr char kFamily[] = "watchlist";

  // Reads the subject keys of every stored entry. Should that fail, every lookup goes to
  // RocksDB (logged), as before the index existed.
  explicit StoredWatchlist(Store* store);

  // "<subject key>\n<list id>": the store key, and the Kafka key on the watchlist topic.
  static std::string Key(const std::string& list_id, const infobus::common::v1::Subject& subject);

  // Notes that an entry with this store key is about to be written, by Add or by another writer
  // of the family (the watchlist topic reader). Must come before the write.
  void MayList(std::string_view store_key);

  // Adds or replaces the entry for (list, subject); returns whether one existed.
  absl::StatusOr<bool> Add(const WatchlistEntry& entry);
  // Returns whether there was such an entry.
  absl::StatusOr<bool> Remove(const std::string& list_id,
                              const infobus::common::v1::Subject& subject);

  // WatchlistLookup
  absl::StatusOr<std::vector<WatchlistEntry>> Find(
      const infobus::common::v1::Subject& subject) const override;
  absl::StatusOr<std::vector<WatchlistEntry>> FindByKey(const infobus::common::v1::Subject& subject,
                                                        std::string_view key) const override;

 private:
  Store* store_;
  mutable absl::Mutex mutex_;
  bool index_complete_ ABSL_GUARDED_BY(mutex_) = false;
  absl::flat_hash_set<std::string> listed_ ABSL_GUARDED_BY(mutex_);  // subject keys
};

}  // namespace infobus::judgment
