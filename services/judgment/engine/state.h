#pragma once

// The engine's state in memory: hotspot windows and per-subject pattern sightings, found by key,
// closed by their scope's stream time, and listed when they change until TakeChanges writes them.
// Above evidence, below the rule kinds and the record writer.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "services/judgment/engine/evidence.h"
#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/string_view.h"

namespace infobus::judgment {

// One change to the engine's persistent state: put `value` at `key`, or delete `key` when
// `value` is empty. The service writes these into the WriteBatch that also holds the offsets.
struct StateChange {
  std::string key;
  std::optional<std::string> value;
};

}  // namespace infobus::judgment

namespace infobus::judgment::engine {

struct Scope;

// What every state has ahead of its own fields. A state is one allocation holding its key (and a
// pattern's subject) after it, so the maps, the expiry heap and the dirty list hold pointers, not
// key copies. A state that leaves its map is "dead", and is freed once neither the expiry heap nor
// the dirty list refers to it.
struct Tracked {
  explicit Tracked(bool window) : is_window(window) {}
  std::string_view key;  // the state key, stored after the state
  const bool is_window;
  Scope* scope = nullptr;  // whose stream time closes it (set before it is queued)
  bool dirty = false;      // in the dirty list
  bool queued = false;     // in its scope's expiry heap
  bool dead = false;       // out of its map
};

// One (hotspot rule, group key, window) counter: WindowState (judgment_state.proto) in memory.
struct Window : Tracked {
  Window() : Tracked(true) {}
  std::string rule_id;
  std::string group_key;
  int64_t start_ns = 0, end_ns = 0, close_at_ns = 0;
  int64_t count = 0;
  bool fired = false;
  std::vector<EvidenceRef> evidence;     // until fired, at most the rule's max_evidence
  std::vector<uint64_t> counted_events;  // until fired; see WindowState.counted_events
};

// One movement or correlation rule's recent sightings of one subject.
struct RulePattern {
  struct Sighting {
    int64_t time_ns;
    EvidenceRef evidence;
  };
  const Rule* rule = nullptr;       // the engine's RuleSet entry; re-pointed on reload
  std::vector<Sighting> sightings;  // sorted by time, arrival order among equal times
  int64_t last_fired_ns = INT64_MIN;
};
using Sighting = RulePattern::Sighting;

// Every movement/correlation rule's state for one subject (SubjectPatterns in memory), so an
// event costs one lookup per subject however many pattern rules it feeds.
struct Pattern : Tracked {
  Pattern() : Tracked(false) {}
  std::string_view subject;  // serialised infobus.common.v1.Subject, as first seen
  std::unique_ptr<std::string> restored_subject;  // when Restore replaced it
  std::vector<RulePattern> rules;
  int64_t expire_at_ns = INT64_MIN;
};

struct Expiry {
  int64_t time_ns;
  Tracked* state;
};

// One input partition's clock: its stream time, the expiry heap of its states (a min-heap on the
// close or expire time, each state in it at most once; a pattern's entry may be older than its
// expiry, which moves later as it is seen again: it is queued again when the old entry comes
// up), and the last origin offset counted per "<rule id>\x1f<origin>".
struct Scope {
  std::string name;
  int64_t stream_time_ns = INT64_MIN;
  std::vector<Expiry> expiry;
  absl::flat_hash_map<std::string, int64_t> marks;
  bool dirty = false;  // its meta record is to be written

  // Moves the stream time to `time_ns` if that is later.
  void Advance(int64_t time_ns) {
    if (time_ns <= stream_time_ns) return;
    stream_time_ns = time_ns;
    dirty = true;
  }
};

// Writes state records (WireCodec, wire_codec.h); TakeChanges calls it for every changed state.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual std::string WindowRecord(const Window& window) = 0;
  // nullopt when no rule has sightings left: then the pattern is deleted.
  virtual std::optional<std::string> PatternRecord(const Pattern& pattern) = 0;
  virtual std::string MetaRecord(const Scope& scope) = 0;
};

// Every state of one engine, by key, and what changed since TakeChanges. Pointers it returns stay
// valid until the state is dropped (Drop, Expire, DropRules, Clear) and TakeChanges has run. Not
// thread-safe: one per engine.
class StateTable {
 public:
  StateTable() = default;
  ~StateTable();
  StateTable(const StateTable&) = delete;
  StateTable& operator=(const StateTable&) = delete;

  // The scope named `name`, made on first use; it lives as long as the table (until Clear).
  Scope& ScopeFor(std::string_view name);
  const Scope* FindScope(std::string_view name) const;

  Window* FindWindow(std::string_view key) const {
    auto it = windows_.find(View(key));
    return it == windows_.end() ? nullptr : it->second;
  }
  // A new window under `key` (which has none) in `scope`; not queued, not dirty.
  Window* AddWindow(std::string_view key, Scope& scope);
  Pattern* FindPattern(std::string_view key) const {
    auto it = patterns_.find(View(key));
    return it == patterns_.end() ? nullptr : *it;
  }
  // A new pattern under `key` (which has none) in `scope`, for the serialised `subject`.
  Pattern* AddPattern(std::string_view key, std::string_view subject, Scope& scope);
  // Starts fetching the table slot of `key`, for a FindPattern soon after.
  void PrefetchPattern(std::string_view key) const { patterns_.prefetch(View(key)); }
  // The live state under `key`, if any.
  Tracked* FindLive(std::string_view key) const;

  // Puts `state` on its scope's expiry heap at `time_ns`.
  void Queue(Tracked* state, int64_t time_ns);
  // Lists `state` for the next TakeChanges.
  void MarkDirty(Tracked* state) {
    if (state->dirty) return;
    state->dirty = true;
    dirty_.push_back(state);
  }
  // A stored key with no state here, to delete at the next TakeChanges (unless a state lives
  // under it by then: then its record goes instead).
  void MarkStoredKeyDeleted(std::string key) { dirty_keys_.push_back(std::move(key)); }
  // Takes `state` out of its map; its key gets a deletion unless `dirty` is false.
  void Drop(Tracked* state, bool dirty);
  // Drops the states of `scope` whose close or expire time its stream time has reached.
  void Expire(Scope& scope);

  // Reload: drops every window of a rule in `rule_ids` and every pattern rule state of one (and
  // patterns left with none), staging their deletions or rewrites.
  void DropRules(const absl::flat_hash_set<std::string>& rule_ids);
  // Reload: re-points pattern rule states at the new RuleSet's entries (nullptr when gone).
  void RepointRules(const absl::flat_hash_map<const Rule*, const Rule*>& moved);

  // The records of everything changed since the last call, one per key: first the deletions of
  // dropped states' keys (or the record of a state under such a key again), then each changed
  // state's record, then the meta records of scopes whose clock or marks moved.
  std::vector<StateChange> TakeChanges(RecordWriter& writer);

  // Forgets every state and scope, and what was to be written.
  void Clear();

  size_t window_count() const { return windows_.size(); }
  size_t pattern_count() const { return patterns_.size(); }

 private:
  // patterns_ holds the patterns themselves, found by their key, so a lookup reads the table and
  // then one pattern.
  struct PatternHash {
    using is_transparent = void;
    size_t operator()(absl::string_view key) const { return absl::Hash<absl::string_view>()(key); }
    size_t operator()(const Pattern* pattern) const { return (*this)(View(pattern->key)); }
  };
  struct PatternEq {
    using is_transparent = void;
    bool operator()(const Pattern* a, const Pattern* b) const { return a == b; }
    bool operator()(const Pattern* a, absl::string_view b) const { return View(a->key) == b; }
    bool operator()(absl::string_view a, const Pattern* b) const { return (*this)(b, a); }
  };
  static void FreeState(Tracked* state);
  void MaybeFree(Tracked* state);
  void FreeAll();
  // The record of `state`: a deletion when a pattern has nothing left, which is then dropped.
  StateChange Take(Tracked* state, RecordWriter& writer);
  // Starts fetching what Take(state) reads, one level of indirection per `level` (0 to 3).
  static void Prefetch(const Tracked* state, int level);

  // By name; each Scope is its own allocation, so states point at it.
  absl::flat_hash_map<std::string, std::unique_ptr<Scope>> scopes_;
  Scope* last_scope_ = nullptr;  // most events come from the scope of the one before
  // Keys are views of the states' own keys.
  absl::flat_hash_map<absl::string_view, Window*> windows_;
  absl::flat_hash_set<Pattern*, PatternHash, PatternEq> patterns_;
  std::vector<Tracked*> dirty_;          // changed (or dropped) since TakeChanges
  std::vector<std::string> dirty_keys_;  // stored keys with no state, to delete
};

}  // namespace infobus::judgment::engine
