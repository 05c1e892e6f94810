#pragma once

#include <vector>

#include "services/judgment/engine/watchlist_lookup.h"

namespace infobus::testing {

// A watchlist with nothing on it, for tests of what is around the engine.
class NoWatchlist final : public judgment::WatchlistLookup {
 public:
  absl::StatusOr<std::vector<judgment::WatchlistEntry>> Find(
      const infobus::common::v1::Subject& /*subject*/) const override {
    return std::vector<judgment::WatchlistEntry>();
  }
};

}  // namespace infobus::testing
