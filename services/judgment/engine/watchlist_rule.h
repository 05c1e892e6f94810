#pragma once

// Watchlist rules: a judgment for every watchlist entry of a subject the event names.

#include <cstddef>
#include <cstdint>
#include <optional>
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

// Looks each subject up once per event, however many watchlist rules the event matches. Keeps no
// state between events. Not thread-safe; `watchlist` and `judgments` must outlive it.
class WatchlistRules {
 public:
  WatchlistRules(const WatchlistLookup* watchlist, const JudgmentBuilder* judgments)
      : watchlist_(watchlist), judgments_(judgments) {}

  // Forgets the last event's lookups; call before Judge for an event with `subjects` subjects.
  void StartEvent(size_t subjects);
  // Appends the judgments of `rule` for `event` to `out`: one per watchlist entry of each subject
  // of a type the rule takes, at the higher of the rule's list severity and the entry's own.
  // Fails only when the watchlist lookup fails.
  absl::Status Judge(const Rule& rule, const infobus::common::v1::Event& event,
                     const EventSubjects& subjects, const EvidenceRef& evidence, int64_t time_ns,
                     std::vector<infobus::common::v1::Judgment>& out);

 private:
  const WatchlistLookup* const watchlist_;
  const JudgmentBuilder* const judgments_;
  std::vector<std::optional<std::vector<WatchlistEntry>>> found_;  // per subject, when looked up
};

}  // namespace infobus::judgment::engine
