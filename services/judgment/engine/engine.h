#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/judgment/v1/hotspot_sighting.pb.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/watchlist_lookup.h"

namespace infobus::judgment {

// One change to the engine's persistent state: put `value` at `key`, or delete `key` when
// `value` is empty. The service writes these into the WriteBatch that also holds the offsets.
struct StateChange {
  std::string key;
  std::optional<std::string> value;
};

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
// optionally in order). Time is event time, and each scope keeps its own stream time (the
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
// (rule id, list, subject, source, event). So replaying events yields the same ids.
//
// State keys: "<scope>\x1f<rule id>\x1fW\x1f<group key>\x1f<window start>" for hotspot windows,
// "<scope>\x1f\x1fS\x1f<subject key>" for the movement and correlation state of a subject, and
// "<scope>\x1f\x1fM\x1f" for the scope's stream time and sighting marks. Not thread-safe: one
// thread drives an engine.
class Engine {
 public:
  // Written before state was scoped: one stream time for all, and hotspot windows in scope "*".
  // Restore drops them (staging their deletion); those windows start again from zero.
  static constexpr char kLegacyGlobalScope[] = "*";
  static constexpr char kLegacyMetaKey[] = "\x1fmeta";
  // The key of a scope's meta record (EngineMeta).
  static std::string MetaKey(std::string_view scope);
  // Sightings kept per subject and rule; older ones are dropped first.
  static constexpr int kMaxSightings = 64;

  struct ReloadSummary {
    std::vector<std::string> added, changed, removed, kept;
  };

  Engine(const WatchlistLookup* watchlist, ClockPtr clock)
      : watchlist_(watchlist), clock_(std::move(clock)) {}
  ~Engine();
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
  struct NormalizedSubject {
    infobus::common::v1::Subject subject;
    std::string key;          // domain::SubjectKey
    std::string pattern_key;  // its pattern's state key (when the event feeds pattern rules)
  };
  // One event's evidence, shared by every rule and state it feeds: the serialised
  // infobus.common.v1.Evidence (written once, as stored), with views of the fields the rules
  // compare. The Evidence proto is only built for a judgment.
  struct SharedEvidence {
    int64_t refs = 0;     // EvidenceRefs to it (one thread: not atomic)
    uint64_t serial = 0;  // SerializePattern: the record it was last put in,
    uint32_t index = 0;   // and its index there
    uint32_t size = 0;    // of the bytes, which follow this header in the same allocation
    std::string_view event_id, source_id, kind, county_code, jurisdiction_code;
    // StableHash64(source_id, event_id), computed on first use (Identity()).
    uint64_t identity = 0;
    bool has_identity = false;
    uint64_t Identity();
    // Only for stored bytes the wire reader does not take (unknown fields): the views point in.
    std::unique_ptr<infobus::common::v1::Evidence> parsed;

    std::string_view bytes() const { return {data(), size}; }
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
    char* data() { return reinterpret_cast<char*>(this + 1); }
    static SharedEvidence* New(size_t size);  // with room for `size` bytes
    static void Delete(SharedEvidence* evidence);
  };
  class EvidenceRef {
   public:
    EvidenceRef() = default;
    explicit EvidenceRef(SharedEvidence* evidence) : evidence_(evidence) { Acquire(); }
    EvidenceRef(const EvidenceRef& other) : evidence_(other.evidence_) { Acquire(); }
    EvidenceRef(EvidenceRef&& other) noexcept : evidence_(other.evidence_) {
      other.evidence_ = nullptr;
    }
    EvidenceRef& operator=(const EvidenceRef& other) {
      if (this != &other) {
        Release();
        evidence_ = other.evidence_;
        Acquire();
      }
      return *this;
    }
    EvidenceRef& operator=(EvidenceRef&& other) noexcept {
      if (this != &other) {
        Release();
        evidence_ = other.evidence_;
        other.evidence_ = nullptr;
      }
      return *this;
    }
    ~EvidenceRef() { Release(); }
    SharedEvidence* get() const { return evidence_; }
    SharedEvidence* operator->() const { return evidence_; }
    explicit operator bool() const { return evidence_ != nullptr; }

   private:
    void Acquire() {
      if (evidence_ != nullptr) ++evidence_->refs;
    }
    void Release() {
      if (evidence_ != nullptr && --evidence_->refs == 0) SharedEvidence::Delete(evidence_);
    }
    SharedEvidence* evidence_ = nullptr;
  };
  // In-memory forms of the state protos (judgment_state.proto), defined in engine.cc. Each is
  // its own allocation, so the maps, the expiry queue and the dirty list hold pointers to it
  // (no key copies). A state that leaves its map is "dead" and freed once neither the expiry
  // queue nor the dirty list refers to it.
  struct Tracked;
  struct Window;
  struct Pattern;
  struct RulePattern;
  // patterns_ holds the patterns themselves, found by key (stored in the same allocation), so a
  // lookup reads the table and then one pattern.
  struct PatternHash {
    using is_transparent = void;
    size_t operator()(absl::string_view key) const;
    size_t operator()(const Pattern* pattern) const;
  };
  struct PatternEq {
    using is_transparent = void;
    bool operator()(const Pattern* a, const Pattern* b) const { return a == b; }
    bool operator()(const Pattern* a, absl::string_view b) const;
    bool operator()(absl::string_view a, const Pattern* b) const { return (*this)(b, a); }
  };
  struct Expiry {
    int64_t time_ns;
    Tracked* state;
  };
  // One input partition's clock: its stream time, the expiry heap of its states (a min-heap on
  // time of (close or expire time, state), each state at most once; a pattern's entry may be
  // older than its expiry, which moves later as it is seen again: it is re-queued when its old
  // entry comes up), and the last origin offset counted per "<rule id>\x1f<origin>".
  struct Scope {
    std::string name;
    int64_t stream_time_ns = INT64_MIN;
    std::vector<Expiry> expiry;
    absl::flat_hash_map<std::string, int64_t> marks;
    bool dirty = false;  // its meta record is to be written
  };
  struct KindRules {
    std::vector<const Rule*> rules;
    int pattern_rules = 0;  // movement and correlation rules among them
  };

  void RebuildIndex();
  SharedEvidence* NewEvidence(const infobus::common::v1::Event& event);
  // Evidence restored from stored bytes; nullptr when they do not parse.
  SharedEvidence* StoredEvidence(const std::string& bytes);
  void PrepareSubjects(const infobus::common::v1::Event& event, std::string_view scope,
                       bool patterns);
  absl::Status JudgeWatchlist(const Rule& rule, const infobus::common::v1::Event& event,
                              const EvidenceRef& evidence, int64_t time_ns,
                              std::vector<infobus::common::v1::Judgment>& out);
  void JudgeHotspot(const Rule& rule, const std::string& group, const EvidenceRef& evidence,
                    int64_t time_ns, Scope& scope, std::vector<infobus::common::v1::Judgment>& out);
  Pattern& PatternFor(const NormalizedSubject& subject, int expected_rules, Scope& scope);
  void JudgePattern(const Rule& rule, const EvidenceRef& evidence, int64_t time_ns, Pattern& state,
                    const NormalizedSubject& subject, int64_t stream_time_ns,
                    std::vector<infobus::common::v1::Judgment>& out);
  Scope& ScopeFor(std::string_view name);
  // Moves the stream time of `scope` to `time_ns` if that is later.
  static void Advance(Scope& scope, int64_t time_ns);
  void Expire(Scope& scope);
  void Queue(Tracked* state, int64_t time_ns);
  void MarkDirty(Tracked* state);
  // Takes `state` out of its map (its key gets a deletion unless `dirty` is false).
  void Drop(Tracked* state, bool dirty);
  void MaybeFree(Tracked* state);
  void FreeAll();
  Tracked* FindLive(std::string_view key) const;
  // The record of `state` (a deletion when a pattern has nothing left, which is then dropped).
  StateChange Take(Tracked* state);
  // Starts fetching what Take(state) reads, one level of indirection per `level` (0 to 3).
  static void Prefetch(const Tracked* state, int level);
  // A new state with its key (and, for a pattern, its subject) in the same allocation.
  static Window* NewWindow(std::string_view key);
  static Pattern* NewPattern(std::string_view key, std::string_view subject);
  static void FreeState(Tracked* state);
  std::optional<std::string> SerializeWindow(const Window& window) const;
  std::optional<std::string> SerializePattern(const Pattern& pattern);
  infobus::common::v1::Judgment MakeJudgment(
      const Rule& rule, std::string id, std::string group_key,
      const std::vector<const SharedEvidence*>& evidence, int64_t evidence_count, int64_t start_ns,
      int64_t end_ns, const infobus::common::v1::Subject* subject,
      std::vector<std::pair<std::string, std::string>> variables) const;

  const WatchlistLookup* watchlist_;
  const ClockPtr clock_;
  RuleSet rules_;
  absl::flat_hash_map<std::string, KindRules> by_kind_;
  KindRules any_kind_;
  absl::flat_hash_map<absl::string_view, const Rule*> by_id_;

  // By name; each Scope is its own allocation, so states point at it.
  absl::flat_hash_map<std::string, std::unique_ptr<Scope>> scopes_;
  Scope* last_scope_ = nullptr;  // most events come from the scope of the one before
  // Keys are views of the states' own key strings.
  absl::flat_hash_map<absl::string_view, Window*> windows_;
  absl::flat_hash_set<Pattern*, PatternHash, PatternEq> patterns_;
  std::vector<Tracked*> dirty_;          // states changed (or dropped) since TakeStateChanges
  std::vector<std::string> dirty_keys_;  // stored keys with no state to delete (see Restore)
  uint64_t serial_ = 0;                  // SerializePattern's marks on evidence
  std::vector<const SharedEvidence*> record_evidence_;  // SerializePattern scratch
  std::vector<size_t> record_sizes_;                    // SerializePattern scratch
  // Process scratch, reused from event to event.
  std::string key_buffer_;
  std::string group_buffer_;
  std::vector<NormalizedSubject> subjects_;
  size_t subject_count_ = 0;
  std::vector<std::optional<std::vector<WatchlistEntry>>> found_;
  std::vector<Pattern*> subject_patterns_;
  infobus::common::v1::Evidence evidence_proto_;  // Restore scratch
  EngineStats stats_;
};

}  // namespace infobus::judgment
