#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"

namespace infobus::judgment {

using infobus::judgment::v1::WatchlistEntry;

// Read side of a watchlist: every entry (on any list) for one normalised subject. The engine
// calls it from one thread; implementations say whether they are thread-safe.
class WatchlistLookup {
 public:
  virtual ~WatchlistLookup() = default;
  virtual absl::StatusOr<std::vector<WatchlistEntry>> Find(
      const infobus::common::v1::Subject& subject) const = 0;
  // The same, for a caller that has the subject's key (domain::SubjectKey) at hand already.
  virtual absl::StatusOr<std::vector<WatchlistEntry>> FindByKey(
      const infobus::common::v1::Subject& subject, std::string_view key) const {
    (void)key;
    return Find(subject);
  }
};

// A watchlist held in memory, keyed by subject key: for tests and the benchmark. Not
// thread-safe for writes.
class InMemoryWatchlist final : public WatchlistLookup {
 public:
  void Add(const WatchlistEntry& entry);
  void Reserve(size_t count) { entries_.reserve(count); }
  size_t size() const { return entries_.size(); }

  // WatchlistLookup
  absl::StatusOr<std::vector<WatchlistEntry>> Find(
      const infobus::common::v1::Subject& subject) const override;
  // One hash lookup, no allocation unless the subject is listed.
  absl::StatusOr<std::vector<WatchlistEntry>> FindByKey(const infobus::common::v1::Subject& subject,
                                                        std::string_view key) const override;

 private:
  absl::flat_hash_map<std::string, std::vector<WatchlistEntry>> entries_;
};

}  // namespace infobus::judgment
