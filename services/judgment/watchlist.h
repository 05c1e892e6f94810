#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/store.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"
#include "services/judgment/engine/watchlist_lookup.h"

namespace infobus::judgment {

// The watchlist kept in RocksDB (family "watchlist"), keyed "<subject key>\n<list id>" so all
// lists' entries for a subject sit together and one prefix scan finds them. Entries must be
// normalised before Add. Thread-safe.
class StoredWatchlist final : public WatchlistLookup {
 public:
  static constexpr char kFamily[] = "watchlist";

  explicit StoredWatchlist(Store* store) : store_(store) {}

  // "<subject key>\n<list id>": the store key, and the Kafka key on the watchlist topic.
  static std::string Key(const std::string& list_id, const infobus::common::v1::Subject& subject);

  // Adds or replaces the entry for (list, subject); returns whether one existed.
  absl::StatusOr<bool> Add(const WatchlistEntry& entry);
  // Returns whether there was such an entry.
  absl::StatusOr<bool> Remove(const std::string& list_id,
                              const infobus::common::v1::Subject& subject);

  // WatchlistLookup
  absl::StatusOr<std::vector<WatchlistEntry>> Find(
      const infobus::common::v1::Subject& subject) const override;

 private:
  Store* store_;
};

}  // namespace infobus::judgment
