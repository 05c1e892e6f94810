#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/watchlist.h"

namespace infobus::judgment {

// The watchlist-hit rule: every subject of an event that is on a list yields one judgment,
// with the severity of the list entry, the event as evidence, and a deterministic id
// (list, subject, source, event), so that judging the same event again yields the same id.
// Pure apart from the lookup it is given.
class WatchlistJudge {
 public:
  static constexpr char kRuleId[] = "watchlist-hit";
  static constexpr int kRuleVersion = 1;

  explicit WatchlistJudge(const WatchlistLookup* watchlist) : watchlist_(watchlist) {}

  absl::StatusOr<std::vector<infobus::common::v1::Judgment>> Judge(
      const infobus::common::v1::Event& event, absl::Time now) const;

 private:
  const WatchlistLookup* watchlist_;
};

}  // namespace infobus::judgment
