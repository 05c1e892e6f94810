#include "services/judgment/engine/state.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {
namespace {

// The order of the expiry heap: earliest time first.
constexpr auto Later = [](const Expiry& a, const Expiry& b) { return a.time_ns > b.time_ns; };

// Copies `bytes` to `stored` and returns the view of the copy.
std::string_view Store(char*& stored, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(stored, bytes.data(), bytes.size());
  const std::string_view copy(stored, bytes.size());
  stored += bytes.size();
  return copy;
}

}  // namespace

StateTable::~StateTable() { FreeAll(); }

Scope& StateTable::ScopeFor(std::string_view name) {
  if (last_scope_ != nullptr && last_scope_->name == name) return *last_scope_;
  auto [it, added] = scopes_.try_emplace(std::string(name));
  if (added) {
    it->second = std::make_unique<Scope>();
    it->second->name = it->first;
  }
  last_scope_ = it->second.get();
  return *last_scope_;
}

const Scope* StateTable::FindScope(std::string_view name) const {
  auto it = scopes_.find(View(name));
  return it == scopes_.end() ? nullptr : it->second.get();
}

Window* StateTable::AddWindow(std::string_view key, Scope& scope) {
  void* memory = ::operator new(sizeof(Window) + key.size());
  auto* window = new (memory) Window;
  char* stored = reinterpret_cast<char*>(window + 1);
  window->key = Store(stored, key);
  window->scope = &scope;
  windows_.emplace(View(window->key), window);
  return window;
}

Pattern* StateTable::AddPattern(std::string_view key, std::string_view subject, Scope& scope) {
  void* memory = ::operator new(sizeof(Pattern) + key.size() + subject.size());
  auto* pattern = new (memory) Pattern;
  char* stored = reinterpret_cast<char*>(pattern + 1);
  pattern->key = Store(stored, key);
  pattern->subject = Store(stored, subject);
  pattern->scope = &scope;
  patterns_.insert(pattern);
  return pattern;
}

Tracked* StateTable::FindLive(std::string_view key) const {
  if (Window* window = FindWindow(key); window != nullptr) return window;
  return FindPattern(key);
}

void StateTable::FreeState(Tracked* state) {
  if (state->is_window) {
    static_cast<Window*>(state)->~Window();
  } else {
    static_cast<Pattern*>(state)->~Pattern();
  }
  ::operator delete(state);
}

void StateTable::MaybeFree(Tracked* state) {
  if (!state->dead || state->dirty || state->queued) return;
  FreeState(state);
}

void StateTable::FreeAll() {
  // A state may be in its map, its scope's heap and the dirty list at once: free each once.
  std::vector<Tracked*> all;
  all.reserve(windows_.size() + patterns_.size() + dirty_.size());
  for (const auto& [key, window] : windows_) all.push_back(window);
  for (Pattern* pattern : patterns_) all.push_back(pattern);
  for (const auto& [name, scope] : scopes_) {
    for (const Expiry& entry : scope->expiry) all.push_back(entry.state);
    scope->expiry.clear();
  }
  for (Tracked* state : dirty_) all.push_back(state);
  windows_.clear();
  patterns_.clear();
  dirty_.clear();
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  for (Tracked* state : all) FreeState(state);
}

void StateTable::Clear() {
  FreeAll();
  dirty_keys_.clear();
  scopes_.clear();
  last_scope_ = nullptr;
}

void StateTable::Queue(Tracked* state, int64_t time_ns) {
  state->queued = true;
  std::vector<Expiry>& expiry = state->scope->expiry;
  expiry.push_back({time_ns, state});
  std::push_heap(expiry.begin(), expiry.end(), Later);
}

void StateTable::Drop(Tracked* state, bool dirty) {
  if (state->is_window) {
    auto* window = static_cast<Window*>(state);
    windows_.erase(View(window->key));
    window->evidence.clear();
  } else {
    auto* pattern = static_cast<Pattern*>(state);
    patterns_.erase(View(pattern->key));
    pattern->rules.clear();
  }
  state->dead = true;
  if (dirty) MarkDirty(state);
  MaybeFree(state);
}

void StateTable::Expire(Scope& scope) {
  std::vector<Expiry>& expiry = scope.expiry;
  while (!expiry.empty() && expiry.front().time_ns <= scope.stream_time_ns) {
    std::pop_heap(expiry.begin(), expiry.end(), Later);
    Tracked* state = expiry.back().state;
    expiry.pop_back();
    state->queued = false;
    if (state->dead) {
      MaybeFree(state);  // dropped by a rule change, or a pattern with nothing left
      continue;
    }
    if (!state->is_window) {
      const int64_t expire_at = static_cast<Pattern*>(state)->expire_at_ns;
      if (expire_at > scope.stream_time_ns) {
        Queue(state, expire_at);  // seen again since it was queued
        continue;
      }
    }
    Drop(state, /*dirty=*/true);
  }
}

void StateTable::DropRules(const absl::flat_hash_set<std::string>& rule_ids) {
  std::vector<Tracked*> gone;
  for (const auto& [key, window] : windows_) {
    if (rule_ids.contains(window->rule_id)) gone.push_back(window);
  }
  for (Pattern* pattern : patterns_) {
    std::vector<RulePattern>& rules = pattern->rules;
    const size_t before = rules.size();
    rules.erase(std::remove_if(rules.begin(), rules.end(),
                               [&](const RulePattern& rule) {
                                 return rule.rule == nullptr || rule_ids.contains(rule.rule->id);
                               }),
                rules.end());
    if (rules.size() == before) continue;
    MarkDirty(pattern);
    if (rules.empty()) gone.push_back(pattern);
  }
  for (Tracked* state : gone) Drop(state, /*dirty=*/true);
}

void StateTable::RepointRules(const absl::flat_hash_map<const Rule*, const Rule*>& moved) {
  for (Pattern* pattern : patterns_) {
    for (RulePattern& rule : pattern->rules) {
      auto it = moved.find(rule.rule);
      rule.rule = it == moved.end() ? nullptr : it->second;
    }
  }
}

void StateTable::Prefetch(const Tracked* state, int level) {
  auto fetch = [](const void* start, size_t bytes) {
    const char* p = static_cast<const char*>(start);
    for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset);
  };
  if (level == 0) {
    fetch(state, (state->is_window ? sizeof(Window) : sizeof(Pattern)) + 64);
    return;
  }
  if (state->is_window) {
    const auto* window = static_cast<const Window*>(state);
    if (level == 1) {
      fetch(window->key.data(), window->key.size());
      fetch(window->evidence.data(), window->evidence.size() * sizeof(EvidenceRef));
    } else if (level == 2) {
      for (const EvidenceRef& item : window->evidence) fetch(item.get(), sizeof(SharedEvidence));
    }
    return;
  }
  const auto* pattern = static_cast<const Pattern*>(state);
  if (level == 1) {
    fetch(pattern->rules.data(), pattern->rules.size() * sizeof(RulePattern));
  } else if (level == 2) {
    for (const RulePattern& rule : pattern->rules) {
      fetch(rule.sightings.data(), rule.sightings.size() * sizeof(Sighting));
    }
  } else {
    // The evidence: the rule with the most sightings has most of it.
    const RulePattern* most = nullptr;
    for (const RulePattern& rule : pattern->rules) {
      if (most == nullptr || rule.sightings.size() > most->sightings.size()) most = &rule;
    }
    if (most == nullptr) return;
    for (const Sighting& sighting : most->sightings) {
      fetch(sighting.evidence.get(), sizeof(SharedEvidence) + 64);
    }
  }
}

StateChange StateTable::Take(Tracked* state, RecordWriter& writer) {
  StateChange change;
  change.key = std::string(state->key);
  if (state->is_window) {
    change.value = writer.WindowRecord(*static_cast<const Window*>(state));
  } else {
    change.value = writer.PatternRecord(*static_cast<const Pattern*>(state));
    if (!change.value.has_value()) Drop(state, /*dirty=*/false);  // nothing left to remember
  }
  return change;
}

std::vector<StateChange> StateTable::TakeChanges(RecordWriter& writer) {
  std::vector<StateChange> changes;
  changes.reserve(dirty_.size() + dirty_keys_.size() + 1);
  // First the keys of dropped states: a deletion each, unless a state lives under the key
  // again, whose record then goes instead (once).
  absl::flat_hash_set<std::string_view> dropped;
  auto take_dropped = [&](std::string_view key) {
    if (!dropped.insert(key).second) return;
    if (Tracked* live = FindLive(key); live != nullptr) {
      if (!live->dirty) changes.push_back(Take(live, writer));  // else taken below
      return;
    }
    changes.push_back({std::string(key), std::nullopt});
  };
  for (Tracked* state : dirty_) {
    if (state->dead) take_dropped(state->key);
  }
  for (const std::string& key : dirty_keys_) take_dropped(key);
  // Then the live states, each once. Later events have mostly pushed them out of the cache, so
  // fetch ahead: the state 8 on, what it points to 4 on, and so on (each level reads what the
  // one before fetched).
  constexpr size_t kAhead[] = {8, 4, 2, 1};
  const size_t count = dirty_.size();
  for (size_t i = 0; i < count; ++i) {
    for (int level = 0; level < 4; ++level) {
      const size_t ahead = i + kAhead[level];
      if (ahead < count && !dirty_[ahead]->dead) Prefetch(dirty_[ahead], level);
    }
    Tracked*& state = dirty_[i];
    if (state->dead) continue;
    state->dirty = false;
    changes.push_back(Take(state, writer));  // may free it
    state = nullptr;
  }
  for (Tracked* state : dirty_) {
    if (state == nullptr) continue;
    state->dirty = false;
    MaybeFree(state);
  }
  dirty_.clear();
  dirty_keys_.clear();
  for (const auto& [name, scope] : scopes_) {
    if (!scope->dirty) continue;
    scope->dirty = false;
    changes.push_back({MetaKey(name), writer.MetaRecord(*scope)});
  }
  return changes;
}

}  // namespace infobus::judgment::engine
