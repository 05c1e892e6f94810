#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/judgment/v1/judgment_state.pb.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/watchlist_lookup.h"

namespace infobus::judgment {

// One change to the engine's persistent state: put `value` at `key`, or delete `key` when
// `value` is empty. The service writes these into the WriteBatch that also holds the offsets.
struct StateChange {
  std::string key;
  std::optional<std::string> value;
};

struct EngineStats {
  int64_t events = 0;
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
// optionally in order). Time is event time: the stream time is the highest occurred_at seen.
//
// Judgment ids are deterministic: StableId(rule id, key, window) where the window is the
// hotspot window start or the first evidence time of a pattern; a watchlist hit's is
// (rule id, list, subject, source, event). So replaying events yields the same ids.
//
// State keys: "<scope>\x1f<rule id>\x1fW\x1f<group key>\x1f<window start>" for hotspot windows
// (scope "*": they count across partitions) and "<scope>\x1f\x1fS\x1f<subject key>" for the
// movement and correlation state of a subject, where scope is the input partition, so one
// partition's state is one key prefix. Not thread-safe: one thread drives an engine.
class Engine {
 public:
  static constexpr char kGlobalScope[] = "*";
  static constexpr char kMetaKey[] = "\x1fmeta";
  // Sightings kept per subject and rule; older ones are dropped first.
  static constexpr int kMaxSightings = 64;

  struct ReloadSummary {
    std::vector<std::string> added, changed, removed, kept;
  };

  Engine(const WatchlistLookup* watchlist, ClockPtr clock)
      : watchlist_(watchlist), clock_(std::move(clock)) {}

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

  // Judges one event. `scope` names where it came from ("<topic>/<partition>"); it prefixes
  // the keys of per-subject pattern state. Fails only when the watchlist lookup fails; then
  // the state may hold part of the event, so the caller must ClearState and Restore.
  absl::StatusOr<std::vector<infobus::common::v1::Judgment>> Process(
      const infobus::common::v1::Event& event, std::string_view scope);

  // The state changes since the last call, one per key.
  std::vector<StateChange> TakeStateChanges();

  absl::Time stream_time() const { return absl::FromUnixNanos(stream_time_ns_); }
  EngineStats stats() const;

 private:
  struct NormalizedSubject {
    infobus::common::v1::Subject subject;
    std::string key;
  };
  // One event's evidence, shared by every rule and state it feeds; serialised at most once.
  struct SharedEvidence {
    infobus::common::v1::Evidence proto;
    mutable std::string bytes;
    const std::string& Bytes() const {
      if (bytes.empty()) bytes = proto.SerializeAsString();
      return bytes;
    }
  };
  using EvidencePtr = std::shared_ptr<const SharedEvidence>;
  // In-memory forms of the state protos (judgment_state.proto): evidence is shared between
  // every rule an event feeds, and protos are built only when state is taken for storage.
  struct Window {
    std::string rule_id;
    std::string group_key;
    int64_t start_ns = 0, end_ns = 0, close_at_ns = 0;
    int64_t count = 0;
    bool fired = false;
    bool dirty = false;
    std::vector<EvidencePtr> evidence;
  };
  struct Sighting {
    int64_t time_ns;
    EvidencePtr evidence;
  };
  struct RulePattern {
    std::string rule_id;
    const Rule* rule = nullptr;       // rules_ entry with that id; re-pointed by SetRules
    std::vector<Sighting> sightings;  // sorted by time
    int64_t last_fired_ns = INT64_MIN;
  };
  // Every movement/correlation rule's state for one subject, so an event costs one lookup per
  // subject however many pattern rules it feeds.
  struct Pattern {
    const std::string* key = nullptr;  // its key in patterns_
    infobus::common::v1::Subject subject;
    std::vector<RulePattern> rules;
    int64_t expire_at_ns = INT64_MIN;
    bool dirty = false;
  };

  void RebuildIndex();
  absl::Status JudgeWatchlist(const Rule& rule, const infobus::common::v1::Event& event,
                              const infobus::common::v1::Evidence& evidence, int64_t time_ns,
                              const std::vector<NormalizedSubject>& subjects,
                              std::vector<std::optional<std::vector<WatchlistEntry>>>& found,
                              std::vector<infobus::common::v1::Judgment>& out);
  void JudgeHotspot(const Rule& rule, const infobus::common::v1::Event& event,
                    const EvidencePtr& evidence, int64_t time_ns,
                    std::vector<infobus::common::v1::Judgment>& out);
  Pattern& PatternFor(std::string_view scope, const NormalizedSubject& subject);
  void JudgePattern(const Rule& rule, const EvidencePtr& evidence, int64_t time_ns, Pattern& state,
                    const NormalizedSubject& subject,
                    std::vector<infobus::common::v1::Judgment>& out);
  void Expire();
  void MarkDirty(const std::string& key, bool& dirty);
  infobus::common::v1::Judgment MakeJudgment(
      const Rule& rule, std::string id, std::string group_key,
      const std::vector<const infobus::common::v1::Evidence*>& evidence, int64_t evidence_count,
      int64_t start_ns, int64_t end_ns, const infobus::common::v1::Subject* subject,
      std::vector<std::pair<std::string, std::string>> variables) const;

  const WatchlistLookup* watchlist_;
  const ClockPtr clock_;
  RuleSet rules_;
  absl::flat_hash_map<std::string, std::vector<const Rule*>> by_kind_;
  std::vector<const Rule*> any_kind_;

  int64_t stream_time_ns_ = INT64_MIN;
  bool meta_dirty_ = false;
  absl::flat_hash_map<std::string, Window> windows_;
  absl::node_hash_map<std::string, Pattern> patterns_;  // stable addresses within an event
  // (close or expire time, key), possibly stale: a pattern's expiry moves later as it is seen
  // again, and is re-queued when its old entry comes up.
  std::set<std::pair<int64_t, std::string>> expiry_;
  absl::flat_hash_set<std::string> dirty_;  // keys changed since TakeStateChanges
  std::string key_buffer_;
  infobus::judgment::v1::WindowState window_proto_;  // reused for serialising
  infobus::judgment::v1::SubjectPatterns pattern_proto_;
  EngineStats stats_;
};

}  // namespace infobus::judgment
