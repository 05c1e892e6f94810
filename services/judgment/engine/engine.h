#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/judgment/v1/hotspot_sighting.pb.h"
#include "services/judgment/engine/direct_rule.h"
#include "services/judgment/engine/event_subjects.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/hotspot_rule.h"
#include "services/judgment/engine/judgment_builder.h"
#include "services/judgment/engine/pattern_rules.h"
#include "services/judgment/engine/rule_index.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/state.h"
#include "services/judgment/engine/state_records.h"
#include "services/judgment/engine/watchlist_lookup.h"
#include "services/judgment/engine/watchlist_rule.h"
#include "services/judgment/engine/wire_codec.h"

namespace infobus::judgment {

// StateChange (state.h): one change to the engine's persistent state, a put or a deletion, as
// TakeStateChanges returns them.

// One event's contribution to a hotspot rule's count, for counting where its group key is owned
// (see Engine::Process), in the form the sightings topic carries (hotspot_sighting.proto). The
// counter skips a sighting of a (rule, origin) at or below the last origin offset it counted, so
// the event consumer redoing a batch after a crash does not count an event twice; an empty
// origin is not deduplicated.
using infobus::judgment::v1::HotspotSighting;

struct EngineStats {
  int64_t events = 0;
  int64_t sightings = 0;            // hotspot sightings counted (CountSighting)
  int64_t sightings_duplicate = 0;  // skipped as already counted
  int64_t events_repeated = 0;      // (event, window) pairs skipped: the event counted there before
  int64_t judgments = 0;
  int64_t late_dropped = 0;  // (event, window or pattern) pairs refused as later than the grace
  int64_t windows_open = 0;
  int64_t subjects_tracked = 0;  // subjects with movement or correlation state
};

// The research-and-judgment engine: pure logic, no I/O. Takes events (and the time for
// created_at from a clock), returns judgments, and records the state changes that make it
// resumable: the caller persists TakeStateChanges() together with the input offsets, and on
// start-up (or after an aborted batch) feeds every stored record back through Restore().
//
// Rule kinds (rules.h): watchlist hits; hotspots (count per group key in tumbling or hopping
// event-time windows, one judgment per window and key, fired as soon as the threshold is
// crossed, late events accepted until window end + grace); movement (a subject in N or more
// counties within T); correlation (a subject in every one of a list of kinds within T,
// optionally in order); direct (every event of the named kinds is a judgment of its own). Time
// is event time, and each scope keeps its own stream time (the
// highest occurred_at seen there), as a Kafka Streams task does: a partition's windows close by
// its own events, so they close the same wherever the partition is processed.
//
// Scopes. Every state belongs to the scope (input partition, "<topic>/<partition>") that fed it,
// and its key starts with that scope, so one partition's state is one key prefix and can be moved
// with the partition. Events are keyed by subject, so a subject's pattern state is whole in its
// events partition. A hotspot's group key (e.g. kind and jurisdiction) is spread over all events
// partitions, so with `sightings` given, Process does not count hotspots itself: it returns one
// HotspotSighting per (hotspot rule, event), which the service sends through a topic keyed by
// (rule, group key) and counts with CountSighting in that topic's partition's scope. Without
// `sightings` (tests, the benchmark, a single-partition bus) hotspots count inline, in the
// event's scope.
//
// Judgment ids are deterministic: StableId(rule id, key, window) where the window is the
// hotspot window start or the first evidence time of a pattern; a watchlist hit's is
// (rule id, list, subject, source, event), a direct rule's (rule id, source, event). So replaying
// events yields the same ids.
//
// State keys: "<scope>\x1f<rule id>\x1fW\x1f<group key>\x1f<window start>" for hotspot windows,
// "<scope>\x1f\x1fS\x1f<subject key>" for the movement and correlation state of a subject, and
// "<scope>\x1f\x1fM\x1f" for the scope's stream time and sighting marks (state_keys.h); each
// value is a judgment_state.proto message (written by wire_codec.h, read by state_records.h).
//
// Lifecycle: SetRules, then Restore every stored record, then Process and CountSighting, taking
// the state changes after each batch. Not thread-safe: one thread drives an engine.
class Engine {
 public:
  // Written before state was scoped: one stream time for all, and hotspot windows in scope "*".
  // Restore drops them (staging their deletion); those windows start again from zero.
  static constexpr const char* kLegacyGlobalScope = engine::kLegacyGlobalScope;
  static constexpr const char* kLegacyMetaKey = engine::kLegacyMetaKey;
  // The key of a scope's meta record (EngineMeta).
  static std::string MetaKey(std::string_view scope);
  // Sightings kept per subject and rule; older ones are dropped first.
  static constexpr int kMaxSightings = engine::kMaxSightings;

  using ReloadSummary = engine::ReloadSummary;

  // `watchlist` must outlive the engine.
  Engine(const WatchlistLookup* watchlist, ClockPtr clock);
  ~Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Replaces the rules. Rules whose id and definition are unchanged keep their state; the state
  // of changed and removed rules is dropped (deletions staged).
  ReloadSummary SetRules(RuleSet rules);
  const RuleSet& rules() const { return rules_; }

  // Restores one stored state record (call after SetRules). Records of rules that are gone or
  // changed kind are dropped (a deletion is staged). A record that does not parse is
  // DATA_LOSS.
  absl::Status Restore(std::string_view key, std::string_view value);
  // Forgets all state (before restoring it again, e.g. after an aborted batch).
  void ClearState();

  // Judges one event. `scope` names where it came from ("<topic>/<partition>"). With
  // `sightings`, hotspot rules append a sighting there (origin `scope`, offset unset) instead of
  // counting. Fails only when the watchlist lookup fails; then the state may hold part of the
  // event, so the caller must ClearState and Restore.
  absl::StatusOr<std::vector<infobus::common::v1::Judgment>> Process(
      const infobus::common::v1::Event& event, std::string_view scope,
      std::vector<HotspotSighting>* sightings = nullptr);

  // Counts a sighting in `scope` (the partition of the sightings topic it came from). A sighting
  // of a rule that is gone or no longer a hotspot is ignored; one whose evidence does not parse
  // is INVALID_ARGUMENT (nothing changes).
  absl::StatusOr<std::vector<infobus::common::v1::Judgment>> CountSighting(
      const HotspotSighting& sighting, std::string_view scope);

  // The state changes since the last call, one per key.
  std::vector<StateChange> TakeStateChanges();

  // The stream time of `scope` (InfinitePast when it has seen nothing).
  absl::Time stream_time(std::string_view scope) const;
  EngineStats stats() const;

 private:
  // The layers (each header says its part): rule kinds -> state -> evidence, and the records
  // (wire_codec, state_records) over state; this class only routes events and reloads through
  // them.
  RuleSet rules_;
  engine::RuleIndex index_;
  engine::JudgmentBuilder judgments_;
  engine::WireCodec codec_;
  engine::StateTable states_;
  engine::EventSubjects subjects_;
  engine::WatchlistRules watchlist_rules_;
  engine::HotspotRules hotspot_rules_;
  engine::PatternRules pattern_rules_;
  engine::DirectRules direct_rules_;
  std::string group_buffer_;  // Process scratch
  EngineStats stats_;
};

}  // namespace infobus::judgment
