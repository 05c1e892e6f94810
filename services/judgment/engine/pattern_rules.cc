#include "services/judgment/engine/pattern_rules.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/util/ids.h"
#include "services/judgment/engine/correlation_rule.h"
#include "services/judgment/engine/movement_rule.h"
#include "services/judgment/engine/string_view.h"

namespace infobus::judgment::engine {

using infobus::common::v1::Judgment;

Pattern& PatternRules::PatternFor(const NormalizedSubject& subject, int expected_rules,
                                  Scope& scope) {
  Pattern* pattern = states_->FindPattern(subject.pattern_key);
  if (pattern == nullptr) {
    pattern = states_->AddPattern(subject.pattern_key, subject.subject.SerializeAsString(), scope);
    pattern->rules.reserve(static_cast<size_t>(std::max(expected_rules, 1)));
  }
  states_->MarkDirty(pattern);
  // Judge reads the sightings of most of its rules next: start fetching them all now rather
  // than one rule after another.
  for (const RulePattern& rule : pattern->rules) {
    const size_t n = rule.sightings.size();
    if (n == 0) continue;
    __builtin_prefetch(rule.sightings.data());
    __builtin_prefetch(rule.sightings.data() + n - 1);
  }
  return *pattern;
}

void PatternRules::Judge(const Rule& rule, const EvidenceRef& evidence, int64_t time_ns,
                         const EventSubjects& subjects, size_t i, int expected_rules, Scope& scope,
                         std::vector<Judgment>& out) {
  const NormalizedSubject& subject = subjects[i];
  if (found_.size() <= i) found_.resize(subjects.size());
  Found& subject_pattern = found_[i];
  if (subject_pattern.event != event_) {
    subject_pattern.pattern = &PatternFor(subject, expected_rules, scope);
    subject_pattern.event = event_;
  }
  Pattern& pattern = *subject_pattern.pattern;
  const int64_t within = absl::ToInt64Nanoseconds(rule.within);
  const int64_t grace = absl::ToInt64Nanoseconds(rule.grace);
  const int64_t horizon = scope.stream_time_ns - within - grace;
  if (time_ns < horizon) {
    ++late_dropped_;
    return;
  }
  RulePattern* found = nullptr;
  for (RulePattern& candidate : pattern.rules) {
    if (candidate.rule == &rule) found = &candidate;
  }
  if (found == nullptr) {
    found = &pattern.rules.emplace_back();
    found->rule = &rule;
    found->sightings.reserve(4);
  }
  RulePattern& state = *found;
  std::vector<Sighting>& sightings = state.sightings;
  for (const Sighting& sighting : sightings) {
    if (sighting.time_ns == time_ns && sighting.evidence->event_id == evidence->event_id &&
        sighting.evidence->source_id == evidence->source_id) {
      return;  // the same event again: nothing new
    }
  }
  // Insert in time order, after sightings of the same time (arrival order breaks ties).
  auto position = std::upper_bound(
      sightings.begin(), sightings.end(), time_ns,
      [](int64_t time, const Sighting& sighting) { return time < sighting.time_ns; });
  sightings.insert(position, Sighting{time_ns, evidence});
  // Forget what is past the horizon, and the oldest beyond the cap.
  size_t drop = 0;
  while (drop < sightings.size() && sightings[drop].time_ns < horizon) ++drop;
  if (sightings.size() > static_cast<size_t>(kMaxSightings)) {
    drop = std::max(drop, sightings.size() - static_cast<size_t>(kMaxSightings));
  }
  if (drop > 0) sightings.erase(sightings.begin(), sightings.begin() + static_cast<long>(drop));
  if (sightings.empty()) return;
  const int64_t expire_at = sightings.back().time_ns + within + grace;
  pattern.expire_at_ns = std::max(pattern.expire_at_ns, expire_at);
  if (!pattern.queued) states_->Queue(&pattern, expire_at);

  // Look for evidence in a span of at most `within` that holds the new event and uses no
  // sighting already used by an earlier judgment of this rule for this subject. A span starts
  // at one of sightings[begin, end) and stays within sightings[begin, reach).
  const size_t n = sightings.size();
  size_t begin = 0;
  while (begin < n && (sightings[begin].time_ns <= state.last_fired_ns ||
                       sightings[begin].time_ns < time_ns - within)) {
    ++begin;
  }
  size_t end = begin;
  while (end < n && sightings[end].time_ns <= time_ns) ++end;
  if (begin == end) return;
  const int64_t last_end = sightings[end - 1].time_ns + within;
  size_t reach = end;
  while (reach < n && sightings[reach].time_ns <= last_end) ++reach;
  // No span can match unless they all together do: most events stop here.
  const bool movement = rule.kind == RuleKind::kMovement;
  const Sighting* const candidates = sightings.data();
  if (movement ? !MovementCouldMatch(rule, candidates + begin, candidates + reach)
               : !CorrelationCouldMatch(rule, candidates + begin, candidates + reach)) {
    return;
  }

  std::vector<const Sighting*> matched;
  for (size_t first = 0; first < n && matched.empty(); ++first) {
    const Sighting& start = sightings[first];
    if (start.time_ns <= state.last_fired_ns) continue;
    if (start.time_ns > time_ns) break;
    if (start.time_ns < time_ns - within) continue;
    const int64_t end_ns = start.time_ns + within;
    matched = movement ? MovementMatch(rule, sightings, first, end_ns)
                       : CorrelationMatch(rule, sightings, first, end_ns);
  }
  if (matched.empty()) return;

  const int64_t first_ns = matched.front()->time_ns;
  int64_t last_ns = first_ns;
  std::vector<const SharedEvidence*> items;
  std::vector<absl::string_view> counties, kinds;
  for (const Sighting* sighting : matched) {
    last_ns = std::max(last_ns, sighting->time_ns);
    if (static_cast<int>(items.size()) < rule.max_evidence) {
      items.push_back(sighting->evidence.get());
    }
    counties.push_back(View(sighting->evidence->county_code));
    kinds.push_back(View(sighting->evidence->kind));
  }
  JudgmentParts parts;
  parts.id = StableId({rule.id, subject.key, absl::StrCat(first_ns)});
  parts.group_key = subject.key;
  parts.evidence = items;
  parts.evidence_count = static_cast<int64_t>(matched.size());
  parts.start_ns = first_ns;
  parts.end_ns = last_ns;
  parts.subject = &subject.subject;
  parts.variables = {{"{subject}", subject.key},
                     {"{count}", absl::StrCat(matched.size())},
                     {"{counties}", absl::StrJoin(counties, ", ")},
                     {"{kinds}", absl::StrJoin(kinds, " → ")},
                     {"{within}", absl::FormatDuration(rule.within)},
                     {"{window_start}", FormatNanos(first_ns)},
                     {"{window_end}", FormatNanos(last_ns)}};
  Judgment judgment = judgments_->Build(rule, std::move(parts));
  judgment.set_summary(
      absl::StrCat(subject.key, " seen in ",
                   movement ? absl::StrJoin(counties, ", ") : absl::StrJoin(kinds, ", "),
                   " between ", FormatNanos(first_ns), " and ", FormatNanos(last_ns)));
  state.last_fired_ns = last_ns;
  out.push_back(std::move(judgment));
}

}  // namespace infobus::judgment::engine
