#pragma once

// Hotspot rules: events counted per group key in tumbling or hopping event-time windows, one
// judgment per window and key as soon as the count reaches the threshold; late events count
// until the window's end + grace.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/judgment_builder.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/state.h"

namespace infobus::judgment::engine {

// The group key of `event` for hotspot `rule` ("|" between the group_by parts), into `key`.
void GroupKeyInto(const Rule& rule, const infobus::common::v1::Event& event, std::string& key);

// Counts into the windows of a StateTable. Not thread-safe; `states` and `judgments` must
// outlive it.
class HotspotRules {
 public:
  HotspotRules(StateTable* states, const JudgmentBuilder* judgments)
      : states_(states), judgments_(judgments) {}

  // Counts the event of `evidence` at `time_ns` in every window of `rule` and `group` that holds
  // it, in `scope` (whose stream time says which are closed: the event is dropped as late from
  // those), once per window however often it comes; appends the judgments of windows that reach
  // the threshold to `out`. Windows are made on first count and queued to close at end + grace.
  void Count(const Rule& rule, std::string_view group, const EvidenceRef& evidence, int64_t time_ns,
             Scope& scope, std::vector<infobus::common::v1::Judgment>& out);

  int64_t late_dropped() const { return late_dropped_; }        // (event, window) pairs
  int64_t events_repeated() const { return events_repeated_; }  // (event, window) pairs

 private:
  StateTable* const states_;
  const JudgmentBuilder* const judgments_;
  std::string key_buffer_;  // reused from call to call
  int64_t late_dropped_ = 0;
  int64_t events_repeated_ = 0;
};

}  // namespace infobus::judgment::engine
