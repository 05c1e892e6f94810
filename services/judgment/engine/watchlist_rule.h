#pragma once

// Watchlist rules: a judgment for every watchlist entry of a subject the event names.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/engine/event_subjects.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/judgment_builder.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/watchlist_lookup.h"

namespace infobus::judgment::engine {

// Looks each subject up once per event, however many watchlist rules the event matches; nothing
// carries over from one event to the next. Not thread-safe; `watchlist` and `judgments` must
// outlive it.
class WatchlistRules {
 public:
  WatchlistRules(const WatchlistLookup* watchlist, const JudgmentBuilder* judgments)
      : watchlist_(watchlist), judgments_(judgments) {}

  // Starts an event: the lookups of the last one no longer count. Call once the event's subjects
  // are prepared, before Judge.
  void StartEvent() { ++event_; }
  // Appends the judgments of `rule` for `event` to `out`: one per watchlist entry of each subject
  // of a type the rule takes, at the higher of the rule's list severity and the entry's own.
  // Fails only when the watchlist lookup fails.
  absl::Status Judge(const Rule& rule, const infobus::common::v1::Event& event,
                     const EventSubjects& subjects, const EvidenceRef& evidence, int64_t time_ns,
                     std::vector<infobus::common::v1::Judgment>& out);

 private:
  const WatchlistLookup* const watchlist_;
  const JudgmentBuilder* const judgments_;
  // Per subject of the event, its entries once looked up (an older event's otherwise): tagged
  // rather than cleared, so an event costs nothing here until a watchlist rule matches it.
  struct Found {
    uint64_t event = 0;
    std::vector<WatchlistEntry> entries;
  };
  std::vector<Found> found_;
  uint64_t event_ = 0;
};

}  // namespace infobus::judgment::engine
