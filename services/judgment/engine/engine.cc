#include "services/judgment/engine/engine.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/domain/subject.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "infobus/judgment/v1/judgment_state.pb.h"
#include "services/judgment/engine/wire_format.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Classification;
using infobus::common::v1::Event;
using infobus::common::v1::Evidence;
using infobus::common::v1::Judgment;
using infobus::common::v1::Severity;
using infobus::common::v1::Subject;
using infobus::judgment::v1::EngineMeta;
using infobus::judgment::v1::SubjectPatterns;
using infobus::judgment::v1::WindowState;

constexpr char kSep = '\x1f';

// absl here is built without std::string_view as its string_view.
absl::string_view View(std::string_view value) { return {value.data(), value.size()}; }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string FormatNanos(int64_t nanos) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixNanos(nanos), absl::UTCTimeZone());
}

const std::string& JurisdictionOf(const Event& event) {
  return event.location().jurisdiction_code().empty() ? event.county_code()
                                                      : event.location().jurisdiction_code();
}

// domain::SubjectKey, written into `out` (no temporaries).
void SubjectKeyInto(const Subject& subject, std::string& out) {
  std::string_view type = infobus::common::v1::SubjectType_Name(subject.type());
  constexpr std::string_view kPrefix = "SUBJECT_TYPE_";
  if (type.substr(0, kPrefix.size()) == kPrefix) type.remove_prefix(kPrefix.size());
  out.assign(type.data(), type.size());
  out.push_back(':');
  out.append(subject.value());
}

// The group key of `event` for a hotspot rule, written into `key`.
void GroupKeyInto(const Rule& rule, const Event& event, std::string& key) {
  key.clear();
  for (const GroupField& field : rule.group_by) {
    if (!key.empty()) key.push_back('|');
    switch (field.kind) {
      case GroupField::Kind::kKind:
        key.append(event.kind());
        break;
      case GroupField::Kind::kCounty:
        key.append(event.county_code());
        break;
      case GroupField::Kind::kSource:
        key.append(event.source_id());
        break;
      case GroupField::Kind::kJurisdictionPrefix: {
        const std::string_view code = JurisdictionOf(event);
        key.append(field.prefix_length == 0
                       ? code
                       : code.substr(0, static_cast<size_t>(field.prefix_length)));
        break;
      }
      case GroupField::Kind::kAttribute: {
        auto it = event.attributes().find(field.attribute);
        if (it != event.attributes().end()) key.append(it->second);
        break;
      }
    }
  }
}

// Appends 16 hex digits of `value`, offset so negative times still sort before positive ones.
void AppendHex16(std::string& out, int64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t bits = static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
  char digits[16];
  for (int i = 15; i >= 0; --i) {
    digits[i] = kDigits[bits & 0xf];
    bits >>= 4;
  }
  out.append(digits, sizeof(digits));
}

// "<scope>\x1f<rule id>\x1f<type>\x1f", the start of a state key, into `out`.
void StateKeyPrefix(std::string& out, std::string_view scope, std::string_view rule_id, char type) {
  out.clear();
  out.append(scope);
  out.push_back(kSep);
  out.append(rule_id);
  out.push_back(kSep);
  out.push_back(type);
  out.push_back(kSep);
}

using wire::DecodeEvidence;
using wire::kFixed32;
using wire::kFixed64;
using wire::kLength;
using wire::kVarint;
using wire::LengthFieldSize;
using wire::PutLengthField;
using wire::PutStringField;
using wire::PutVarint;
using wire::PutVarintField;
using wire::ReadField;
using wire::ReadVarint;
using wire::Signed;
using wire::StringFieldSize;
using wire::Tag;
using wire::VarintFieldSize;
using wire::VarintSize;
using wire::WireField;

}  // namespace

// --- Evidence

Engine::SharedEvidence* Engine::SharedEvidence::New(size_t size) {
  static_assert(sizeof(SharedEvidence) % alignof(SharedEvidence) == 0);
  void* memory = ::operator new(sizeof(SharedEvidence) + size);
  auto* evidence = new (memory) SharedEvidence;
  evidence->size = static_cast<uint32_t>(size);
  return evidence;
}

void Engine::SharedEvidence::Delete(SharedEvidence* evidence) {
  evidence->~SharedEvidence();
  ::operator delete(evidence);
}

// --- States

struct Engine::Tracked {
  explicit Tracked(bool window) : is_window(window) {}
  std::string_view key;  // the state key, stored after the state (NewWindow, NewPattern)
  const bool is_window;
  Scope* scope = nullptr;  // whose stream time closes it (set before it is queued)
  bool dirty = false;      // in dirty_
  bool queued = false;     // in expiry_
  bool dead = false;       // out of its map: freed once neither dirty nor queued
};

struct Engine::Window : Tracked {
  Window() : Tracked(true) {}
  std::string rule_id;
  std::string group_key;
  int64_t start_ns = 0, end_ns = 0, close_at_ns = 0;
  int64_t count = 0;
  bool fired = false;
  std::vector<EvidenceRef> evidence;
  std::vector<uint64_t> counted_events;  // until fired; see WindowState.counted_events
};

struct Engine::RulePattern {
  struct Sighting {
    int64_t time_ns;
    EvidenceRef evidence;
  };
  const Rule* rule = nullptr;       // the rules_ entry; re-pointed by SetRules
  std::vector<Sighting> sightings;  // sorted by time
  int64_t last_fired_ns = INT64_MIN;
};

// Every movement/correlation rule's state for one subject, so an event costs one lookup per
// subject however many pattern rules it feeds.
struct Engine::Pattern : Tracked {
  Pattern() : Tracked(false) {}
  std::string_view subject;  // serialised infobus.common.v1.Subject, as first seen
  std::unique_ptr<std::string> restored_subject;  // when Restore replaced it
  std::vector<RulePattern> rules;
  int64_t expire_at_ns = INT64_MIN;
};

size_t Engine::PatternHash::operator()(absl::string_view key) const {
  return absl::Hash<absl::string_view>()(key);
}
size_t Engine::PatternHash::operator()(const Pattern* pattern) const {
  return (*this)(View(pattern->key));
}
bool Engine::PatternEq::operator()(const Pattern* a, absl::string_view b) const {
  return View(a->key) == b;
}

Engine::Window* Engine::NewWindow(std::string_view key) {
  void* memory = ::operator new(sizeof(Window) + key.size());
  auto* window = new (memory) Window;
  char* stored = reinterpret_cast<char*>(window + 1);
  if (!key.empty()) std::memcpy(stored, key.data(), key.size());
  window->key = std::string_view(stored, key.size());
  return window;
}

Engine::Pattern* Engine::NewPattern(std::string_view key, std::string_view subject) {
  void* memory = ::operator new(sizeof(Pattern) + key.size() + subject.size());
  auto* pattern = new (memory) Pattern;
  char* stored = reinterpret_cast<char*>(pattern + 1);
  if (!key.empty()) std::memcpy(stored, key.data(), key.size());
  pattern->key = std::string_view(stored, key.size());
  stored += key.size();
  if (!subject.empty()) std::memcpy(stored, subject.data(), subject.size());
  pattern->subject = std::string_view(stored, subject.size());
  return pattern;
}

void Engine::FreeState(Tracked* state) {
  if (state->is_window) {
    static_cast<Window*>(state)->~Window();
  } else {
    static_cast<Pattern*>(state)->~Pattern();
  }
  ::operator delete(state);
}

namespace {
// The order of the expiry heap: earliest time first.
constexpr auto Later = [](const auto& a, const auto& b) { return a.time_ns > b.time_ns; };
}  // namespace

Engine::~Engine() { FreeAll(); }

void Engine::FreeAll() {
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

void Engine::MaybeFree(Tracked* state) {
  if (!state->dead || state->dirty || state->queued) return;
  FreeState(state);
}

void Engine::MarkDirty(Tracked* state) {
  if (state->dirty) return;
  state->dirty = true;
  dirty_.push_back(state);
}

void Engine::Queue(Tracked* state, int64_t time_ns) {
  state->queued = true;
  std::vector<Expiry>& expiry = state->scope->expiry;
  expiry.push_back({time_ns, state});
  std::push_heap(expiry.begin(), expiry.end(), Later);
}

std::string Engine::MetaKey(std::string_view scope) {
  std::string key;
  StateKeyPrefix(key, scope, "", 'M');
  return key;
}

Engine::Scope& Engine::ScopeFor(std::string_view name) {
  if (last_scope_ != nullptr && last_scope_->name == name) return *last_scope_;
  auto [it, added] = scopes_.try_emplace(std::string(name));
  if (added) {
    it->second = std::make_unique<Scope>();
    it->second->name = it->first;
  }
  last_scope_ = it->second.get();
  return *last_scope_;
}

void Engine::Advance(Scope& scope, int64_t time_ns) {
  if (time_ns <= scope.stream_time_ns) return;
  scope.stream_time_ns = time_ns;
  scope.dirty = true;
}

absl::Time Engine::stream_time(std::string_view scope) const {
  auto it = scopes_.find(View(scope));
  if (it == scopes_.end() || it->second->stream_time_ns == INT64_MIN) return absl::InfinitePast();
  return absl::FromUnixNanos(it->second->stream_time_ns);
}

void Engine::Drop(Tracked* state, bool dirty) {
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

Engine::Tracked* Engine::FindLive(std::string_view key) const {
  if (auto window = windows_.find(View(key)); window != windows_.end()) return window->second;
  if (auto pattern = patterns_.find(View(key)); pattern != patterns_.end()) return *pattern;
  return nullptr;
}

Engine::ReloadSummary Engine::SetRules(RuleSet rules) {
  ReloadSummary summary;
  absl::flat_hash_map<std::string, const Rule*> old_rules;
  for (const Rule& rule : rules_.rules) old_rules[rule.id] = &rule;
  absl::flat_hash_set<std::string> dropped;
  absl::flat_hash_set<std::string> seen;
  for (const Rule& rule : rules.rules) {
    seen.insert(rule.id);
    auto it = old_rules.find(rule.id);
    if (it == old_rules.end()) {
      summary.added.push_back(rule.id);
    } else if (it->second->fingerprint == rule.fingerprint) {
      summary.kept.push_back(rule.id);
    } else {
      summary.changed.push_back(rule.id);
      dropped.insert(rule.id);
    }
  }
  for (const Rule& rule : rules_.rules) {
    if (!seen.contains(rule.id)) {
      summary.removed.push_back(rule.id);
      dropped.insert(rule.id);
    }
  }
  if (!dropped.empty()) {
    std::vector<Tracked*> gone;
    for (const auto& [key, window] : windows_) {
      if (dropped.contains(window->rule_id)) gone.push_back(window);
    }
    for (Pattern* pattern : patterns_) {
      std::vector<RulePattern>& rules = pattern->rules;
      const size_t before = rules.size();
      rules.erase(std::remove_if(rules.begin(), rules.end(),
                                 [&](const RulePattern& rule) {
                                   return rule.rule == nullptr || dropped.contains(rule.rule->id);
                                 }),
                  rules.end());
      if (rules.size() == before) continue;
      MarkDirty(pattern);
      if (rules.empty()) gone.push_back(pattern);
    }
    for (Tracked* state : gone) Drop(state, /*dirty=*/true);
  }
  const RuleSet old = std::move(rules_);
  rules_ = std::move(rules);
  RebuildIndex();
  absl::flat_hash_map<const Rule*, const Rule*> moved;
  for (const Rule& rule : old.rules) {
    auto it = by_id_.find(rule.id);
    moved[&rule] = it == by_id_.end() ? nullptr : it->second;
  }
  for (Pattern* pattern : patterns_) {
    for (RulePattern& rule : pattern->rules) rule.rule = moved[rule.rule];
  }
  return summary;
}

void Engine::RebuildIndex() {
  by_kind_.clear();
  any_kind_ = KindRules();
  by_id_.clear();
  for (const Rule& rule : rules_.rules) {
    by_id_[rule.id] = &rule;
    std::vector<std::string> kinds = rule.filter.kinds;
    if (kinds.empty() && rule.kind == RuleKind::kCorrelation) kinds = rule.sequence;
    const int pattern = rule.kind == RuleKind::kMovement || rule.kind == RuleKind::kCorrelation;
    if (kinds.empty()) {
      any_kind_.rules.push_back(&rule);
      any_kind_.pattern_rules += pattern;
    } else {
      for (const std::string& kind : kinds) {
        KindRules& list = by_kind_[kind];
        list.rules.push_back(&rule);
        list.pattern_rules += pattern;
      }
    }
  }
}

uint64_t Engine::SharedEvidence::Identity() {
  if (!has_identity) {
    identity = StableHash64({source_id, event_id});
    has_identity = true;
  }
  return identity;
}

Engine::SharedEvidence* Engine::NewEvidence(const Event& event) {
  // Evidence fields: 1 event_id, 2 source_id, 3 trace_id, 4 kind, 5 county_code, 6 occurred_at
  // (always set), 7 classification, 8 jurisdiction_code, 9 ingested_at (when the event has it),
  // 10 compartments (repeated; a judgment made from stored evidence takes its labels from here).
  const std::string& jurisdiction = JurisdictionOf(event);
  const size_t occurred_size = event.occurred_at().ByteSizeLong();
  const bool has_ingested = event.has_ingested_at();
  const size_t ingested_size = has_ingested ? event.ingested_at().ByteSizeLong() : 0;
  const uint64_t classification = Signed(event.classification());
  const size_t size = StringFieldSize(event.event_id()) + StringFieldSize(event.source_id()) +
                      StringFieldSize(event.trace_id()) + StringFieldSize(event.kind()) +
                      StringFieldSize(event.county_code()) + LengthFieldSize(occurred_size) +
                      VarintFieldSize(classification) + StringFieldSize(jurisdiction) +
                      (has_ingested ? LengthFieldSize(ingested_size) : 0);
  size_t compartments_size = 0;
  for (const std::string& compartment : event.compartments()) {
    compartments_size += LengthFieldSize(compartment.size());
  }
  SharedEvidence* evidence = SharedEvidence::New(size + compartments_size);
  char* const base = evidence->data();
  char* out = base;
  // Writes a string field and points `view` at its value in the bytes.
  auto put = [&](int number, const std::string& value, std::string_view* view) {
    out = PutStringField(out, Tag(number, kLength), value);
    if (view != nullptr) *view = std::string_view(out - value.size(), value.size());
  };
  auto put_timestamp = [&](int number, const google::protobuf::Timestamp& time, size_t length) {
    *out++ = static_cast<char>(Tag(number, kLength));
    out = PutVarint(out, length);
    out = reinterpret_cast<char*>(
        time.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out)));
  };
  put(1, event.event_id(), &evidence->event_id);
  put(2, event.source_id(), &evidence->source_id);
  put(3, event.trace_id(), nullptr);
  put(4, event.kind(), &evidence->kind);
  put(5, event.county_code(), &evidence->county_code);
  put_timestamp(6, event.occurred_at(), occurred_size);
  out = PutVarintField(out, Tag(7, kVarint), classification);
  put(8, jurisdiction, &evidence->jurisdiction_code);
  if (has_ingested) put_timestamp(9, event.ingested_at(), ingested_size);
  for (const std::string& compartment : event.compartments()) {
    out = PutLengthField(out, Tag(10, kLength), compartment);  // an empty one is kept too
  }
  evidence->size = static_cast<uint32_t>(out - base);  // == size + compartments_size
  return evidence;
}

Engine::SharedEvidence* Engine::StoredEvidence(const std::string& bytes) {
  if (bytes.size() > UINT32_MAX || !evidence_proto_.ParseFromString(bytes)) return nullptr;
  SharedEvidence* evidence = SharedEvidence::New(bytes.size());
  if (!bytes.empty()) std::memcpy(evidence->data(), bytes.data(), bytes.size());
  // The views: the last of each field, as the parser takes it.
  const char* in = evidence->data();
  const char* end = in + evidence->size;
  WireField field;
  bool unknown = false;
  while (in < end && !unknown) {
    if (!ReadField(in, end, field) || field.number == 0 || field.number > 10) {
      unknown = true;
      break;
    }
    if (field.wire_type != kLength) continue;
    switch (field.number) {
      case 1:
        evidence->event_id = field.bytes;
        break;
      case 2:
        evidence->source_id = field.bytes;
        break;
      case 4:
        evidence->kind = field.bytes;
        break;
      case 5:
        evidence->county_code = field.bytes;
        break;
      case 8:
        evidence->jurisdiction_code = field.bytes;
        break;
      default:
        break;
    }
  }
  if (unknown) {
    evidence->parsed = std::make_unique<Evidence>(evidence_proto_);
    const Evidence& parsed = *evidence->parsed;
    evidence->event_id = parsed.event_id();
    evidence->source_id = parsed.source_id();
    evidence->kind = parsed.kind();
    evidence->county_code = parsed.county_code();
    evidence->jurisdiction_code = parsed.jurisdiction_code();
  }
  return evidence;
}

absl::Status Engine::Restore(std::string_view key, std::string_view value) {
  const std::string key_string(key);
  if (key == kLegacyMetaKey) {
    dirty_keys_.push_back(key_string);
    return absl::OkStatus();
  }
  std::vector<std::string> parts = absl::StrSplit(key_string, absl::MaxSplits(kSep, 3));
  if (parts.size() != 4 || parts[2].size() != 1) {
    return absl::DataLossError(absl::StrCat("malformed engine state key ", key_string));
  }
  if (parts[0] == kLegacyGlobalScope) {
    dirty_keys_.push_back(key_string);
    return absl::OkStatus();
  }
  Scope& scope = ScopeFor(parts[0]);
  if (parts[2] == "M") {
    EngineMeta meta;
    if (!meta.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("corrupt engine meta record ", key_string));
    }
    scope.stream_time_ns = std::max(scope.stream_time_ns, meta.stream_time_ns());
    for (const auto& mark : meta.marks()) {
      int64_t& offset = scope.marks[absl::StrCat(mark.rule_id(), "\x1f", mark.origin())];
      offset = std::max(offset, mark.offset());
    }
    return absl::OkStatus();
  }
  auto find_rule = [&](const std::string& id) -> const Rule* {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  };
  if (parts[2] == "W") {
    const Rule* rule = find_rule(parts[1]);
    WindowState state;
    if (!state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("corrupt window state ", key_string));
    }
    if (rule == nullptr || rule->kind != RuleKind::kHotspot) {
      dirty_keys_.push_back(key_string);
      return absl::OkStatus();
    }
    Window* window;
    if (auto it = windows_.find(View(key_string)); it != windows_.end()) {
      window = it->second;
    } else {
      window = NewWindow(key_string);
      window->scope = &scope;
      windows_.emplace(View(window->key), window);
    }
    window->rule_id = state.rule_id();
    window->group_key = state.group_key();
    window->start_ns = state.window_start_ns();
    window->end_ns = state.window_end_ns();
    window->close_at_ns = state.close_at_ns();
    window->count = state.count();
    window->fired = state.fired();
    for (const std::string& bytes : state.evidence()) {
      SharedEvidence* item = StoredEvidence(bytes);
      if (item == nullptr) {
        return absl::DataLossError(absl::StrCat("corrupt evidence in ", key_string));
      }
      window->evidence.emplace_back(item);
    }
    window->counted_events.assign(state.counted_events().begin(), state.counted_events().end());
    if (!window->queued) Queue(window, window->close_at_ns);
  } else if (parts[2] == "S") {
    SubjectPatterns state;
    if (!state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("corrupt subject state ", key_string));
    }
    std::vector<EvidenceRef> evidence;
    evidence.reserve(static_cast<size_t>(state.evidence_size()));
    for (const std::string& bytes : state.evidence()) {
      SharedEvidence* item = StoredEvidence(bytes);
      if (item == nullptr) {
        return absl::DataLossError(absl::StrCat("corrupt evidence in ", key_string));
      }
      evidence.emplace_back(item);
    }
    std::string subject = state.subject().SerializeAsString();
    Pattern* pattern;
    if (auto it = patterns_.find(View(key_string)); it != patterns_.end()) {
      pattern = *it;
      if (pattern->subject != subject) {
        pattern->restored_subject = std::make_unique<std::string>(std::move(subject));
        pattern->subject = *pattern->restored_subject;
      }
    } else {
      pattern = NewPattern(key_string, subject);
      pattern->scope = &scope;
      patterns_.insert(pattern);
    }
    pattern->expire_at_ns = state.expire_at_ns();
    for (const auto& stored : state.rules()) {
      const Rule* rule = find_rule(stored.rule_id());
      if (rule == nullptr ||
          (rule->kind != RuleKind::kMovement && rule->kind != RuleKind::kCorrelation) ||
          stored.time_ns_size() != stored.evidence_index_size()) {
        MarkDirty(pattern);  // rewritten without it
        continue;
      }
      RulePattern& restored = pattern->rules.emplace_back();
      restored.rule = rule;
      restored.last_fired_ns = stored.last_fired_ns();
      restored.sightings.reserve(static_cast<size_t>(stored.time_ns_size()));
      for (int i = 0; i < stored.time_ns_size(); ++i) {
        const uint32_t index = stored.evidence_index(i);
        if (index >= evidence.size()) {
          return absl::DataLossError(absl::StrCat("bad evidence index in ", key_string));
        }
        restored.sightings.push_back({stored.time_ns(i), evidence[index]});
      }
    }
    if (!pattern->queued) Queue(pattern, pattern->expire_at_ns);
  } else {
    return absl::DataLossError(absl::StrCat("unknown engine state type in ", key_string));
  }
  return absl::OkStatus();
}

void Engine::ClearState() {
  FreeAll();
  dirty_keys_.clear();
  scopes_.clear();
  last_scope_ = nullptr;
}

void Engine::PrepareSubjects(const Event& event, std::string_view scope, bool patterns) {
  subject_count_ = 0;
  for (const Subject& raw : event.subjects()) {
    if (subject_count_ == subjects_.size()) subjects_.emplace_back();
    NormalizedSubject& normalized = subjects_[subject_count_];
    // Events from collection are normalised already; this guards other producers.
    auto value = domain::NormalizeSubjectValue(raw);
    if (raw.GetReflection()->GetUnknownFields(raw).empty()) {
      normalized.subject.Clear();
      normalized.subject.set_type(raw.type());
      normalized.subject.set_value(value.ok() ? *std::move(value) : raw.value());
    } else {
      normalized.subject = raw;
      if (value.ok()) normalized.subject.set_value(*std::move(value));
    }
    if (normalized.subject.value().empty()) continue;
    SubjectKeyInto(normalized.subject, normalized.key);
    if (patterns) {
      // "<scope>\x1f\x1fS\x1f<subject key>"; the lookup comes after the other rules, so start
      // fetching its part of the table now.
      StateKeyPrefix(normalized.pattern_key, scope, "", 'S');
      normalized.pattern_key.append(normalized.key);
      patterns_.prefetch(View(normalized.pattern_key));
    }
    ++subject_count_;
  }
  if (found_.size() < subject_count_) found_.resize(subject_count_);
  if (subject_patterns_.size() < subject_count_) subject_patterns_.resize(subject_count_);
  for (size_t i = 0; i < subject_count_; ++i) {
    found_[i].reset();
    subject_patterns_[i] = nullptr;
  }
}

absl::StatusOr<std::vector<Judgment>> Engine::Process(const Event& event,
                                                      std::string_view scope_name,
                                                      std::vector<HotspotSighting>* sightings) {
  std::vector<Judgment> out;
  ++stats_.events;
  const int64_t time_ns = absl::ToUnixNanos(FromProtoTimestamp(event.occurred_at()));
  Scope& scope = ScopeFor(scope_name);
  Advance(scope, time_ns);
  auto kind_rules = by_kind_.find(event.kind());
  const KindRules* lists[2] = {kind_rules == by_kind_.end() ? nullptr : &kind_rules->second,
                               &any_kind_};
  int pattern_rules = 0;  // what a new subject's pattern may come to hold
  for (const KindRules* list : lists) {
    if (list != nullptr) pattern_rules += list->pattern_rules;
  }

  EvidenceRef evidence;
  bool subjects_ready = false;
  for (const KindRules* list : lists) {
    if (list == nullptr) continue;
    for (const Rule* rule : list->rules) {
      if (!rule->filter.Matches(event)) continue;
      if (!evidence) evidence = EvidenceRef(NewEvidence(event));
      if (!subjects_ready && rule->kind != RuleKind::kHotspot) {
        PrepareSubjects(event, scope_name, pattern_rules > 0);
        subjects_ready = true;
      }
      switch (rule->kind) {
        case RuleKind::kWatchlist:
          if (absl::Status status = JudgeWatchlist(*rule, event, evidence, time_ns, out);
              !status.ok()) {
            return status;
          }
          break;
        case RuleKind::kHotspot:
          GroupKeyInto(*rule, event, group_buffer_);
          if (sightings != nullptr) {
            HotspotSighting& sighting = sightings->emplace_back();
            sighting.set_rule_id(rule->id);
            sighting.set_group_key(group_buffer_);
            sighting.set_time_ns(time_ns);
            sighting.set_evidence(evidence->data(), evidence->size);
            sighting.set_origin(scope_name.data(), scope_name.size());
          } else {
            JudgeHotspot(*rule, group_buffer_, evidence, time_ns, scope, out);
          }
          break;
        case RuleKind::kMovement:
        case RuleKind::kCorrelation:
          for (size_t i = 0; i < subject_count_; ++i) {
            const NormalizedSubject& subject = subjects_[i];
            if (!rule->filter.MatchesSubject(subject.subject.type())) continue;
            if (subject_patterns_[i] == nullptr) {
              subject_patterns_[i] = &PatternFor(subject, pattern_rules, scope);
            }
            JudgePattern(*rule, evidence, time_ns, *subject_patterns_[i], subject,
                         scope.stream_time_ns, out);
          }
          break;
      }
    }
  }
  Expire(scope);
  stats_.judgments += static_cast<int64_t>(out.size());
  return out;
}

absl::StatusOr<std::vector<Judgment>> Engine::CountSighting(const HotspotSighting& sighting,
                                                            std::string_view scope_name) {
  std::vector<Judgment> out;
  auto rule = by_id_.find(View(sighting.rule_id()));
  if (rule == by_id_.end() || rule->second->kind != RuleKind::kHotspot) return out;
  EvidenceRef evidence(StoredEvidence(sighting.evidence()));
  if (!evidence) return absl::InvalidArgumentError("the sighting's evidence does not parse");
  Scope& scope = ScopeFor(scope_name);
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
  Advance(scope, sighting.time_ns());
  JudgeHotspot(*rule->second, sighting.group_key(), evidence, sighting.time_ns(), scope, out);
  Expire(scope);
  stats_.judgments += static_cast<int64_t>(out.size());
  return out;
}

absl::Status Engine::JudgeWatchlist(const Rule& rule, const Event& event,
                                    const EvidenceRef& evidence, int64_t time_ns,
                                    std::vector<Judgment>& out) {
  for (size_t i = 0; i < subject_count_; ++i) {
    const NormalizedSubject& subject = subjects_[i];
    if (!rule.filter.MatchesSubject(subject.subject.type())) continue;
    if (!found_[i].has_value()) {
      auto entries = watchlist_->FindByKey(subject.subject, subject.key);
      if (!entries.ok()) return entries.status();
      found_[i] = std::move(*entries);
    }
    for (const WatchlistEntry& entry : *found_[i]) {
      Severity severity = entry.severity();
      if (auto list = rule.lists.find(entry.list_id()); list != rule.lists.end()) {
        severity = std::max(severity, list->second);
      } else if (rule.only_listed) {
        continue;
      }
      if (severity == infobus::common::v1::SEVERITY_UNSPECIFIED) severity = rule.severity;
      Judgment judgment = MakeJudgment(
          rule,
          StableId({rule.id, entry.list_id(), subject.key, event.source_id(), event.event_id()}),
          subject.key, {evidence.get()}, 1, time_ns, time_ns, &subject.subject,
          {{"{subject}", subject.key}, {"{list}", entry.list_id()}});
      judgment.set_severity(severity);
      judgment.set_summary(absl::StrCat(subject.key, " seen in ", event.kind(), " at ",
                                        View(evidence->jurisdiction_code),
                                        entry.note().empty() ? "" : "; ", entry.note()));
      out.push_back(std::move(judgment));
    }
  }
  return absl::OkStatus();
}

void Engine::JudgeHotspot(const Rule& rule, const std::string& group, const EvidenceRef& evidence,
                          int64_t time_ns, Scope& scope, std::vector<Judgment>& out) {
  const int64_t window = absl::ToInt64Nanoseconds(rule.window);
  const int64_t advance = absl::ToInt64Nanoseconds(rule.advance);
  const int64_t grace = absl::ToInt64Nanoseconds(rule.grace);
  // Every window [start, start + window) with start a multiple of `advance` that holds time_ns.
  const int64_t first = FloorDiv(time_ns - window, advance) + 1;
  const int64_t last = FloorDiv(time_ns, advance);
  // "<scope>\x1f<rule id>\x1fW\x1f<group key>\x1f", then each window's start.
  StateKeyPrefix(key_buffer_, scope.name, rule.id, 'W');
  key_buffer_.append(group);
  key_buffer_.push_back(kSep);
  const size_t prefix = key_buffer_.size();
  const uint64_t identity = evidence->Identity();
  for (int64_t k = first; k <= last; ++k) {
    const int64_t start = k * advance;
    const int64_t close_at = start + window + grace;
    if (close_at <= scope.stream_time_ns) {
      ++stats_.late_dropped;
      continue;
    }
    key_buffer_.resize(prefix);
    AppendHex16(key_buffer_, start);
    Window* state;
    if (auto it = windows_.find(View(key_buffer_)); it != windows_.end()) {
      state = it->second;
    } else {
      state = NewWindow(key_buffer_);
      state->scope = &scope;
      state->rule_id = rule.id;
      state->group_key = group;
      state->start_ns = start;
      state->end_ns = start + window;
      state->close_at_ns = close_at;
      windows_.emplace(View(state->key), state);
      Queue(state, close_at);
    }
    if (!state->fired) {
      // Linear: a window holds at most `threshold` of them, and usually few.
      if (std::find(state->counted_events.begin(), state->counted_events.end(), identity) !=
          state->counted_events.end()) {
        ++stats_.events_repeated;
        continue;
      }
      state->counted_events.push_back(identity);
    }
    ++state->count;
    MarkDirty(state);
    if (state->fired) continue;
    if (static_cast<int>(state->evidence.size()) < rule.max_evidence) {
      state->evidence.push_back(evidence);
    }
    if (state->count < rule.threshold) continue;
    state->fired = true;
    std::vector<const SharedEvidence*> items;
    items.reserve(state->evidence.size());
    for (const EvidenceRef& item : state->evidence) items.push_back(item.get());
    Judgment judgment = MakeJudgment(
        rule, StableId({rule.id, group, absl::StrCat(start)}), group, items, state->count, start,
        start + window, nullptr,
        {{"{group}", group},
         {"{count}", absl::StrCat(state->count)},
         {"{threshold}", absl::StrCat(rule.threshold)},
         {"{window}", absl::StrCat(FormatNanos(start), "/", FormatNanos(start + window))},
         {"{window_start}", FormatNanos(start)},
         {"{window_end}", FormatNanos(start + window)}});
    judgment.set_summary(absl::StrCat(state->count, " matching events of ", group, " between ",
                                      FormatNanos(start), " and ", FormatNanos(start + window),
                                      " (threshold ", rule.threshold, ")"));
    out.push_back(std::move(judgment));
    state->evidence.clear();  // fired: from now on only the count matters
    state->counted_events.clear();
    state->counted_events.shrink_to_fit();
  }
}

Engine::Pattern& Engine::PatternFor(const NormalizedSubject& subject, int expected_rules,
                                    Scope& scope) {
  Pattern* pattern;
  if (auto it = patterns_.find(View(subject.pattern_key)); it != patterns_.end()) {
    pattern = *it;
  } else {
    pattern = NewPattern(subject.pattern_key, subject.subject.SerializeAsString());
    pattern->scope = &scope;
    pattern->rules.reserve(static_cast<size_t>(std::max(expected_rules, 1)));
    patterns_.insert(pattern);
  }
  MarkDirty(pattern);
  // JudgePattern reads the sightings of most of its rules next: start fetching them all now
  // rather than one rule after another.
  for (const RulePattern& rule : pattern->rules) {
    const size_t n = rule.sightings.size();
    if (n == 0) continue;
    __builtin_prefetch(rule.sightings.data());
    __builtin_prefetch(rule.sightings.data() + n - 1);
  }
  return *pattern;
}

void Engine::JudgePattern(const Rule& rule, const EvidenceRef& evidence, int64_t time_ns,
                          Pattern& pattern, const NormalizedSubject& subject,
                          int64_t stream_time_ns, std::vector<Judgment>& out) {
  using Sighting = RulePattern::Sighting;
  const int64_t within = absl::ToInt64Nanoseconds(rule.within);
  const int64_t grace = absl::ToInt64Nanoseconds(rule.grace);
  const int64_t horizon = stream_time_ns - within - grace;
  if (time_ns < horizon) {
    ++stats_.late_dropped;
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
  if (!pattern.queued) Queue(&pattern, expire_at);

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
  if (rule.kind == RuleKind::kMovement) {
    absl::InlinedVector<std::string_view, 8> counties;
    for (size_t j = begin; j < reach && static_cast<int>(counties.size()) < rule.min_counties;
         ++j) {
      const std::string_view county = sightings[j].evidence->county_code;
      if (std::find(counties.begin(), counties.end(), county) == counties.end()) {
        counties.push_back(county);
      }
    }
    if (static_cast<int>(counties.size()) < rule.min_counties) return;
  } else if (rule.sequence.size() <= 16) {
    uint32_t kinds = 0;  // rule.sequence has at most 10 kinds
    for (size_t j = begin; j < reach; ++j) {
      const std::string_view kind = sightings[j].evidence->kind;
      for (size_t k = 0; k < rule.sequence.size(); ++k) {
        if (kind == rule.sequence[k]) kinds |= 1u << k;
      }
    }
    if (kinds != (1u << rule.sequence.size()) - 1) return;
  }

  std::vector<const Sighting*> matched;
  for (size_t i = 0; i < n && matched.empty(); ++i) {
    const Sighting& start = sightings[i];
    if (start.time_ns <= state.last_fired_ns) continue;
    if (start.time_ns > time_ns) break;
    if (start.time_ns < time_ns - within) continue;
    const int64_t end_ns = start.time_ns + within;
    if (rule.kind == RuleKind::kMovement) {
      std::vector<const Sighting*> per_county;
      for (size_t j = i; j < n && sightings[j].time_ns <= end_ns; ++j) {
        const Sighting& sighting = sightings[j];
        bool seen = false;
        for (const Sighting* chosen : per_county) {
          if (chosen->evidence->county_code == sighting.evidence->county_code) seen = true;
        }
        if (!seen) per_county.push_back(&sighting);
        if (static_cast<int>(per_county.size()) >= rule.min_counties) break;
      }
      if (static_cast<int>(per_county.size()) >= rule.min_counties) matched = per_county;
    } else if (rule.ordered) {
      std::vector<const Sighting*> sequence;
      for (size_t j = i;
           j < n && sightings[j].time_ns <= end_ns && sequence.size() < rule.sequence.size(); ++j) {
        const Sighting& sighting = sightings[j];
        if (sighting.evidence->kind != rule.sequence[sequence.size()]) continue;
        if (!sequence.empty() && sighting.time_ns <= sequence.back()->time_ns) continue;
        sequence.push_back(&sighting);
      }
      if (sequence.size() == rule.sequence.size()) matched = sequence;
    } else {
      std::vector<const Sighting*> per_kind(rule.sequence.size(), nullptr);
      size_t have = 0;
      for (size_t j = i; j < n && sightings[j].time_ns <= end_ns && have < per_kind.size(); ++j) {
        const Sighting& sighting = sightings[j];
        for (size_t k = 0; k < rule.sequence.size(); ++k) {
          if (per_kind[k] == nullptr && sighting.evidence->kind == rule.sequence[k]) {
            per_kind[k] = &sighting;
            ++have;
          }
        }
      }
      if (have == per_kind.size()) {
        std::sort(per_kind.begin(), per_kind.end(),
                  [](const Sighting* a, const Sighting* b) { return a->time_ns < b->time_ns; });
        matched = per_kind;
      }
    }
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
  Judgment judgment =
      MakeJudgment(rule, StableId({rule.id, subject.key, absl::StrCat(first_ns)}), subject.key,
                   items, static_cast<int64_t>(matched.size()), first_ns, last_ns, &subject.subject,
                   {{"{subject}", subject.key},
                    {"{count}", absl::StrCat(matched.size())},
                    {"{counties}", absl::StrJoin(counties, ", ")},
                    {"{kinds}", absl::StrJoin(kinds, " → ")},
                    {"{within}", absl::FormatDuration(rule.within)},
                    {"{window_start}", FormatNanos(first_ns)},
                    {"{window_end}", FormatNanos(last_ns)}});
  judgment.set_summary(absl::StrCat(
      subject.key, " seen in ",
      rule.kind == RuleKind::kMovement ? absl::StrJoin(counties, ", ") : absl::StrJoin(kinds, ", "),
      " between ", FormatNanos(first_ns), " and ", FormatNanos(last_ns)));
  state.last_fired_ns = last_ns;
  out.push_back(std::move(judgment));
}

void Engine::Expire(Scope& scope) {
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
        // Seen again since it was queued: queue it for its new expiry.
        Queue(state, expire_at);
        continue;
      }
    }
    Drop(state, /*dirty=*/true);
  }
}

Judgment Engine::MakeJudgment(const Rule& rule, std::string id, std::string group_key,
                              const std::vector<const SharedEvidence*>& evidence,
                              int64_t evidence_count, int64_t start_ns, int64_t end_ns,
                              const Subject* subject,
                              std::vector<std::pair<std::string, std::string>> variables) const {
  Judgment judgment;
  judgment.set_judgment_id(std::move(id));
  judgment.set_rule_id(rule.id);
  judgment.set_rule_version(rule.version);
  judgment.set_kind(JudgmentKindOf(rule.kind));
  judgment.set_severity(rule.severity);
  // Its labels: the highest classification and every compartment of its evidence.
  Classification classification = infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  std::vector<const std::string*> compartments;
  for (const SharedEvidence* item : evidence) {
    Evidence* added = judgment.add_evidence();
    if (item->parsed != nullptr) {
      *added = *item->parsed;
    } else if (!DecodeEvidence(item->bytes(), *added)) {
      added->Clear();
      added->ParseFromArray(item->data(), static_cast<int>(item->size));  // parsed when restored
    }
    classification = std::max(classification, added->classification());
    for (const std::string& compartment : added->compartments())
      compartments.push_back(&compartment);
  }
  judgment.set_classification(classification);
  if (!compartments.empty()) {
    auto less = [](const std::string* a, const std::string* b) { return *a < *b; };
    auto same = [](const std::string* a, const std::string* b) { return *a == *b; };
    std::sort(compartments.begin(), compartments.end(), less);
    compartments.erase(std::unique(compartments.begin(), compartments.end(), same),
                       compartments.end());
    judgment.mutable_compartments()->Reserve(static_cast<int>(compartments.size()));
    for (const std::string* compartment : compartments) judgment.add_compartments(*compartment);
  }
  // The longest jurisdiction code prefix common to the evidence.
  std::string_view jurisdiction;
  if (!evidence.empty()) {
    jurisdiction = evidence[0]->jurisdiction_code;
    for (const SharedEvidence* item : evidence) {
      const std::string_view code = item->jurisdiction_code;
      size_t n = 0;
      while (n < jurisdiction.size() && n < code.size() && jurisdiction[n] == code[n]) ++n;
      jurisdiction = jurisdiction.substr(0, n);
    }
  }
  judgment.set_jurisdiction_code(std::string(jurisdiction));
  if (subject != nullptr) *judgment.add_subjects() = *subject;
  *judgment.mutable_created_at() = ToProtoTimestamp(clock_->Now());
  *judgment.mutable_window_start() = ToProtoTimestamp(absl::FromUnixNanos(start_ns));
  *judgment.mutable_window_end() = ToProtoTimestamp(absl::FromUnixNanos(end_ns));
  judgment.set_evidence_count(evidence_count);
  variables.push_back({"{rule}", rule.id});
  variables.push_back({"{jurisdiction}", std::string(jurisdiction)});
  variables.push_back(
      {"{kind}", evidence.empty() ? std::string() : std::string(evidence[0]->kind)});
  judgment.set_title(absl::StrReplaceAll(rule.title, variables));
  judgment.set_group_key(std::move(group_key));
  return judgment;
}

// WindowState: 1 rule_id, 2 group_key, 3 window_start_ns, 4 window_end_ns, 5 close_at_ns,
// 6 count, 7 fired, 8 evidence (repeated bytes), 9 counted_events (packed fixed64).
std::optional<std::string> Engine::SerializeWindow(const Window& window) const {
  size_t size = StringFieldSize(window.rule_id) + StringFieldSize(window.group_key) +
                VarintFieldSize(Signed(window.start_ns)) + VarintFieldSize(Signed(window.end_ns)) +
                VarintFieldSize(Signed(window.close_at_ns)) +
                VarintFieldSize(Signed(window.count)) + VarintFieldSize(window.fired ? 1 : 0);
  for (const EvidenceRef& item : window.evidence) size += LengthFieldSize(item->size);
  const size_t counted_bytes = window.counted_events.size() * sizeof(uint64_t);
  if (counted_bytes > 0) size += LengthFieldSize(counted_bytes);
  std::string value(size, '\0');
  char* out = value.data();
  out = PutStringField(out, Tag(1, kLength), window.rule_id);
  out = PutStringField(out, Tag(2, kLength), window.group_key);
  out = PutVarintField(out, Tag(3, kVarint), Signed(window.start_ns));
  out = PutVarintField(out, Tag(4, kVarint), Signed(window.end_ns));
  out = PutVarintField(out, Tag(5, kVarint), Signed(window.close_at_ns));
  out = PutVarintField(out, Tag(6, kVarint), Signed(window.count));
  out = PutVarintField(out, Tag(7, kVarint), window.fired ? 1 : 0);
  for (const EvidenceRef& item : window.evidence) {
    out = PutLengthField(out, Tag(8, kLength), item->bytes());
  }
  if (counted_bytes > 0) {
    *out++ = static_cast<char>(Tag(9, kLength));
    out = PutVarint(out, counted_bytes);
    for (uint64_t identity : window.counted_events) {
      for (int i = 0; i < 8; ++i) *out++ = static_cast<char>(identity >> (8 * i));  // LE
    }
  }
  return value;
}

// SubjectPatterns: 1 subject, 2 evidence (repeated bytes, each event once, in order of first
// use), 3 rules (repeated RulePattern: 1 rule_id, 2 time_ns packed, 3 evidence_index packed,
// 4 last_fired_ns), 4 expire_at_ns. Rules without sightings are left out; nullopt when none
// is left.
std::optional<std::string> Engine::SerializePattern(const Pattern& pattern) {
  const uint64_t serial = ++serial_;
  record_evidence_.clear();
  record_sizes_.clear();
  size_t size = LengthFieldSize(pattern.subject.size());
  for (const RulePattern& rule : pattern.rules) {
    if (rule.sightings.empty()) continue;
    size_t times = 0, indexes = 0;
    for (const RulePattern::Sighting& sighting : rule.sightings) {
      SharedEvidence* item = sighting.evidence.get();
      if (item->serial != serial) {
        item->serial = serial;
        item->index = static_cast<uint32_t>(record_evidence_.size());
        record_evidence_.push_back(item);
        size += LengthFieldSize(item->size);
      }
      times += VarintSize(Signed(sighting.time_ns));
      indexes += VarintSize(item->index);
    }
    const size_t body = StringFieldSize(rule.rule->id) + LengthFieldSize(times) +
                        LengthFieldSize(indexes) + VarintFieldSize(Signed(rule.last_fired_ns));
    record_sizes_.push_back(times);
    record_sizes_.push_back(indexes);
    record_sizes_.push_back(body);
    size += LengthFieldSize(body);
  }
  if (record_sizes_.empty()) return std::nullopt;
  size += VarintFieldSize(Signed(pattern.expire_at_ns));
  std::string value(size, '\0');
  char* out = value.data();
  out = PutLengthField(out, Tag(1, kLength), pattern.subject);
  for (const SharedEvidence* item : record_evidence_) {
    out = PutLengthField(out, Tag(2, kLength), item->bytes());
  }
  size_t next = 0;
  for (const RulePattern& rule : pattern.rules) {
    if (rule.sightings.empty()) continue;
    const size_t times = record_sizes_[next++];
    const size_t indexes = record_sizes_[next++];
    const size_t body = record_sizes_[next++];
    *out++ = static_cast<char>(Tag(3, kLength));
    out = PutVarint(out, body);
    out = PutStringField(out, Tag(1, kLength), rule.rule->id);
    *out++ = static_cast<char>(Tag(2, kLength));
    out = PutVarint(out, times);
    for (const RulePattern::Sighting& sighting : rule.sightings) {
      out = PutVarint(out, Signed(sighting.time_ns));
    }
    *out++ = static_cast<char>(Tag(3, kLength));
    out = PutVarint(out, indexes);
    for (const RulePattern::Sighting& sighting : rule.sightings) {
      out = PutVarint(out, sighting.evidence->index);
    }
    out = PutVarintField(out, Tag(4, kVarint), Signed(rule.last_fired_ns));
  }
  PutVarintField(out, Tag(4, kVarint), Signed(pattern.expire_at_ns));
  return value;
}

void Engine::Prefetch(const Tracked* state, int level) {
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
      fetch(rule.sightings.data(), rule.sightings.size() * sizeof(RulePattern::Sighting));
    }
  } else {
    // The evidence: the rule with the most sightings has most of it.
    const RulePattern* most = nullptr;
    for (const RulePattern& rule : pattern->rules) {
      if (most == nullptr || rule.sightings.size() > most->sightings.size()) most = &rule;
    }
    if (most == nullptr) return;
    for (const RulePattern::Sighting& sighting : most->sightings) {
      fetch(sighting.evidence.get(), sizeof(SharedEvidence) + 64);
    }
  }
}

StateChange Engine::Take(Tracked* state) {
  StateChange change;
  change.key = std::string(state->key);
  if (state->is_window) {
    change.value = SerializeWindow(*static_cast<const Window*>(state));
  } else {
    change.value = SerializePattern(*static_cast<const Pattern*>(state));
    if (!change.value.has_value()) {
      Drop(state, /*dirty=*/false);  // nothing left to remember
    }
  }
  return change;
}

std::vector<StateChange> Engine::TakeStateChanges() {
  std::vector<StateChange> changes;
  changes.reserve(dirty_.size() + dirty_keys_.size() + 1);
  // First the keys of dropped states: a deletion each, unless a state lives under the key
  // again, whose record then goes instead (once).
  absl::flat_hash_set<std::string_view> dropped;
  auto take_dropped = [&](std::string_view key) {
    if (!dropped.insert(key).second) return;
    if (Tracked* live = FindLive(key); live != nullptr) {
      if (!live->dirty) changes.push_back(Take(live));  // else taken below
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
    changes.push_back(Take(state));  // may free it
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
    EngineMeta meta;
    meta.set_stream_time_ns(scope->stream_time_ns);
    for (const auto& [key, offset] : scope->marks) {
      const size_t split = key.find(kSep);  // rule ids have no \x1f (rules.cc)
      auto* mark = meta.add_marks();
      mark->set_rule_id(key.substr(0, split));
      mark->set_origin(key.substr(split + 1));
      mark->set_offset(offset);
    }
    changes.push_back({MetaKey(name), meta.SerializeAsString()});
  }
  return changes;
}

EngineStats Engine::stats() const {
  EngineStats stats = stats_;
  stats.windows_open = static_cast<int64_t>(windows_.size());
  stats.subjects_tracked = static_cast<int64_t>(patterns_.size());
  return stats;
}

}  // namespace infobus::judgment
