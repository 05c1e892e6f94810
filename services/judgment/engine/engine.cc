#include "services/judgment/engine/engine.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/util/time.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

Engine::Engine(const WatchlistLookup* watchlist, ClockPtr clock)
    : judgments_(std::move(clock)),
      watchlist_rules_(watchlist, &judgments_),
      hotspot_rules_(&states_, &judgments_),
      pattern_rules_(&states_, &judgments_),
      direct_rules_(&judgments_) {}

std::string Engine::MetaKey(std::string_view scope) { return engine::MetaKey(scope); }

Engine::ReloadSummary Engine::SetRules(RuleSet rules) {
  absl::flat_hash_set<std::string> dropped;
  ReloadSummary summary = engine::DiffRules(rules_, rules, dropped);
  if (!dropped.empty()) states_.DropRules(dropped);
  // Pattern states point at rules: re-point them at the new set's entries once it is in place.
  const RuleSet old = std::move(rules_);
  rules_ = std::move(rules);
  index_.Rebuild(rules_);
  states_.RepointRules(index_.Moved(old));
  return summary;
}

absl::Status Engine::Restore(std::string_view key, std::string_view value) {
  return engine::RestoreRecord(key, value, index_, codec_, states_);
}

void Engine::ClearState() { states_.Clear(); }

absl::StatusOr<std::vector<Judgment>> Engine::Process(const Event& event,
                                                      std::string_view scope_name,
                                                      std::vector<HotspotSighting>* sightings) {
  std::vector<Judgment> out;
  ++stats_.events;
  const int64_t time_ns = absl::ToUnixNanos(FromProtoTimestamp(event.occurred_at()));
  engine::Scope& scope = states_.ScopeFor(scope_name);
  scope.Advance(time_ns);
  const engine::RuleIndex::Candidates candidates = index_.For(event.kind());
  int pattern_rules = 0;  // what a new subject's pattern may come to hold
  for (const engine::RuleIndex::KindRules* list : candidates.lists) {
    if (list != nullptr) pattern_rules += list->pattern_rules;
  }

  // Evidence and subjects are made for the first rule that needs them, once per event.
  engine::EvidenceRef evidence;
  bool subjects_ready = false;
  for (const engine::RuleIndex::KindRules* list : candidates.lists) {
    if (list == nullptr) continue;
    for (const Rule* rule : list->rules) {
      if (!rule->filter.Matches(event)) continue;
      if (!evidence) evidence = codec_.EvidenceOf(event);
      // Hotspot and direct rules look at the event, not at its subjects one by one.
      if (!subjects_ready && rule->kind != RuleKind::kHotspot && rule->kind != RuleKind::kDirect) {
        subjects_.Prepare(event, scope_name, pattern_rules > 0);
        if (pattern_rules > 0) {
          // The lookups come after the other rules: start fetching their table slots now.
          for (size_t i = 0; i < subjects_.size(); ++i) {
            states_.PrefetchPattern(subjects_[i].pattern_key);
          }
        }
        watchlist_rules_.StartEvent();
        pattern_rules_.StartEvent();
        subjects_ready = true;
      }
      switch (rule->kind) {
        case RuleKind::kWatchlist:
          if (absl::Status status =
                  watchlist_rules_.Judge(*rule, event, subjects_, evidence, time_ns, out);
              !status.ok()) {
            return status;
          }
          break;
        case RuleKind::kHotspot:
          engine::GroupKeyInto(*rule, event, group_buffer_);
          if (sightings != nullptr) {
            HotspotSighting& sighting = sightings->emplace_back();
            sighting.set_rule_id(rule->id);
            sighting.set_group_key(group_buffer_);
            sighting.set_time_ns(time_ns);
            sighting.set_evidence(evidence->data(), evidence->size());
            sighting.set_origin(scope_name.data(), scope_name.size());
          } else {
            hotspot_rules_.Count(*rule, group_buffer_, evidence, time_ns, scope, out);
          }
          break;
        case RuleKind::kMovement:
        case RuleKind::kCorrelation:
          for (size_t i = 0; i < subjects_.size(); ++i) {
            if (!rule->filter.MatchesSubject(subjects_[i].subject.type())) continue;
            pattern_rules_.Judge(*rule, evidence, time_ns, subjects_, i, pattern_rules, scope, out);
          }
          break;
        case RuleKind::kDirect:
          direct_rules_.Judge(*rule, event, evidence, time_ns, out);
          break;
      }
    }
  }
  states_.Expire(scope);
  stats_.judgments += static_cast<int64_t>(out.size());
  return out;
}

absl::StatusOr<std::vector<Judgment>> Engine::CountSighting(const HotspotSighting& sighting,
                                                            std::string_view scope_name) {
  std::vector<Judgment> out;
  const Rule* rule = index_.Find(sighting.rule_id());
  if (rule == nullptr || rule->kind != RuleKind::kHotspot) return out;
  engine::EvidenceRef evidence = codec_.EvidenceFromBytes(sighting.evidence());
  if (!evidence) return absl::InvalidArgumentError("the sighting's evidence does not parse");
  engine::Scope& scope = states_.ScopeFor(scope_name);
  if (!sighting.origin().empty()) {
    auto [mark, added] = scope.marks.try_emplace(
        absl::StrCat(sighting.rule_id(), "\x1f", sighting.origin()), sighting.origin_offset());
    if (!added) {
      if (sighting.origin_offset() <= mark->second) {
        ++stats_.sightings_duplicate;
        return out;
      }
      mark->second = sighting.origin_offset();
    }
    scope.dirty = true;
  }
  ++stats_.sightings;
  scope.Advance(sighting.time_ns());
  hotspot_rules_.Count(*rule, sighting.group_key(), evidence, sighting.time_ns(), scope, out);
  states_.Expire(scope);
  stats_.judgments += static_cast<int64_t>(out.size());
  return out;
}

std::vector<StateChange> Engine::TakeStateChanges() { return states_.TakeChanges(codec_); }

absl::Time Engine::stream_time(std::string_view scope) const {
  const engine::Scope* found = states_.FindScope(scope);
  if (found == nullptr || found->stream_time_ns == INT64_MIN) return absl::InfinitePast();
  return absl::FromUnixNanos(found->stream_time_ns);
}

EngineStats Engine::stats() const {
  EngineStats stats = stats_;
  stats.events_repeated = hotspot_rules_.events_repeated();
  stats.late_dropped = hotspot_rules_.late_dropped() + pattern_rules_.late_dropped();
  stats.windows_open = static_cast<int64_t>(states_.window_count());
  stats.subjects_tracked = static_cast<int64_t>(states_.pattern_count());
  return stats;
}

}  // namespace infobus::judgment
