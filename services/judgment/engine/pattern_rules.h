#pragma once

// Movement and correlation rules share one state per subject (Pattern): each rule's recent
// sightings of it. This keeps those sightings and looks in them for the span a rule asks for;
// movement_rule.h and correlation_rule.h say what matches.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "infobus/common/v1/judgment.pb.h"
#include "services/judgment/engine/event_subjects.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/judgment_builder.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/state.h"

namespace infobus::judgment::engine {

// Sightings kept per subject and rule; older ones are dropped first.
inline constexpr int kMaxSightings = 64;

// Not thread-safe; `states` and `judgments` must outlive it.
class PatternRules {
 public:
  PatternRules(StateTable* states, const JudgmentBuilder* judgments)
      : states_(states), judgments_(judgments) {}

  // Starts an event: the patterns found for the last one no longer count. Call once the event's
  // subjects are prepared, before Judge.
  void StartEvent() { ++event_; }

  // Records that `subjects[i]` was seen at `time_ns` (the event of `evidence`) for movement or
  // correlation `rule`, in `scope`, and appends the judgment if that completes a match of
  // sightings within `within` of each other, none used by an earlier judgment of the rule for
  // the subject. Dropped as late (nothing recorded) when older than the scope's stream time minus
  // within + grace; the same event again is ignored. The subject's pattern is made on first use
  // with room for `expected_rules`, and marked dirty once per event.
  void Judge(const Rule& rule, const EvidenceRef& evidence, int64_t time_ns,
             const EventSubjects& subjects, size_t i, int expected_rules, Scope& scope,
             std::vector<infobus::common::v1::Judgment>& out);

  int64_t late_dropped() const { return late_dropped_; }  // (event, rule) pairs

 private:
  // The pattern of `subject`, found or made, marked dirty; its sightings start fetching.
  Pattern& PatternFor(const NormalizedSubject& subject, int expected_rules, Scope& scope);

  StateTable* const states_;
  const JudgmentBuilder* const judgments_;
  // Per subject of the event, its pattern once found (an older event's otherwise, which may be
  // freed by now): tagged rather than cleared.
  struct Found {
    uint64_t event = 0;
    Pattern* pattern = nullptr;
  };
  std::vector<Found> found_;
  uint64_t event_ = 0;
  int64_t late_dropped_ = 0;
};

}  // namespace infobus::judgment::engine
