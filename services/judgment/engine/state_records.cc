#include "services/judgment/engine/state_records.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {

using google::protobuf::Arena;
using infobus::judgment::v1::EngineMeta;
using infobus::judgment::v1::SubjectPatterns;
using infobus::judgment::v1::WindowState;

StateRecords::StateRecords()
    : window_(Arena::CreateMessage<WindowState>(&arena_)),
      pattern_(Arena::CreateMessage<SubjectPatterns>(&arena_)),
      subject_(Arena::CreateMessage<infobus::common::v1::Subject>(&arena_)),
      meta_(Arena::CreateMessage<EngineMeta>(&arena_)) {}

std::string StateRecords::WindowRecord(const Window& window) {
  WindowState& record = *window_;
  record.Clear();
  record.set_rule_id(window.rule_id);
  record.set_group_key(window.group_key);
  record.set_window_start_ns(window.start_ns);
  record.set_window_end_ns(window.end_ns);
  record.set_close_at_ns(window.close_at_ns);
  record.set_count(window.count);
  record.set_fired(window.fired);
  for (const EvidenceRef& item : window.evidence) record.add_evidence(item->data(), item->size());
  record.mutable_counted_events()->Add(window.counted_events.begin(), window.counted_events.end());
  return record.SerializeAsString();
}

std::optional<std::string> StateRecords::PatternRecord(const Pattern& pattern) {
  SubjectPatterns& record = *pattern_;
  record.Clear();
  // Each event once however many rules saw it: its index is where it first went.
  const uint64_t serial = ++serial_;
  for (const RulePattern& rule : pattern.rules) {
    if (rule.sightings.empty()) continue;
    infobus::judgment::v1::RulePattern& stored = *record.add_rules();
    stored.set_rule_id(rule.rule->id);
    const int n = static_cast<int>(rule.sightings.size());
    stored.mutable_time_ns()->Reserve(n);
    stored.mutable_evidence_index()->Reserve(n);
    for (const Sighting& sighting : rule.sightings) {
      SharedEvidence* item = sighting.evidence.get();
      if (item->serial != serial) {
        item->serial = serial;
        item->index = static_cast<uint32_t>(record.evidence_size());
        record.add_evidence(item->data(), item->size());
      }
      stored.add_time_ns(sighting.time_ns);
      stored.add_evidence_index(item->index);
    }
    stored.set_last_fired_ns(rule.last_fired_ns);
  }
  if (record.rules_size() == 0) return std::nullopt;
  // The stored subject bytes parse: they were serialised from a Subject (or restored from one).
  subject_->ParseFromArray(pattern.subject.data(), static_cast<int>(pattern.subject.size()));
  record.unsafe_arena_set_allocated_subject(subject_);
  record.set_expire_at_ns(pattern.expire_at_ns);
  std::string value = record.SerializeAsString();
  record.unsafe_arena_release_subject();
  return value;
}

std::string StateRecords::MetaRecord(const Scope& scope) {
  EngineMeta& meta = *meta_;
  meta.Clear();
  meta.set_stream_time_ns(scope.stream_time_ns);
  for (const auto& [key, offset] : scope.marks) {
    const size_t split = key.find(kSep);  // rule ids have no \x1f (rules.cc)
    auto* mark = meta.add_marks();
    mark->set_rule_id(key.substr(0, split));
    mark->set_origin(key.substr(split + 1));
    mark->set_offset(offset);
  }
  return meta.SerializeAsString();
}

absl::Status StateRecords::Restore(std::string_view key, std::string_view value,
                                   const RuleIndex& rules, EvidenceFactory& evidence,
                                   StateTable& states) {
  const std::string key_string(key);
  if (key == kLegacyMetaKey) {
    states.MarkStoredKeyDeleted(key_string);
    return absl::OkStatus();
  }
  StateKey parts;
  if (!ParseStateKey(key_string, parts)) {
    return absl::DataLossError(absl::StrCat("malformed engine state key ", key_string));
  }
  if (parts.scope == kLegacyGlobalScope) {
    states.MarkStoredKeyDeleted(key_string);
    return absl::OkStatus();
  }
  Scope& scope = states.ScopeFor(parts.scope);
  switch (parts.type) {
    case kMetaType: {
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
    case kWindowType:
      return RestoreWindow(key_string, value, rules.Find(parts.rule_id), scope, evidence, states);
    case kPatternType:
      return RestorePattern(key_string, value, rules, scope, evidence, states);
    default:
      return absl::DataLossError(absl::StrCat("unknown engine state type in ", key_string));
  }
}

absl::Status StateRecords::RestoreWindow(const std::string& key, std::string_view value,
                                         const Rule* rule, Scope& scope, EvidenceFactory& evidence,
                                         StateTable& states) {
  WindowState record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt window state ", key));
  }
  if (rule == nullptr || rule->kind != RuleKind::kHotspot) {
    states.MarkStoredKeyDeleted(key);
    return absl::OkStatus();
  }
  Window* window = states.FindWindow(key);
  if (window == nullptr) window = states.AddWindow(key, scope);
  window->rule_id = record.rule_id();
  window->group_key = record.group_key();
  window->start_ns = record.window_start_ns();
  window->end_ns = record.window_end_ns();
  window->close_at_ns = record.close_at_ns();
  window->count = record.count();
  window->fired = record.fired();
  for (const std::string& bytes : record.evidence()) {
    EvidenceRef item = evidence.FromBytes(bytes);
    if (!item) return absl::DataLossError(absl::StrCat("corrupt evidence in ", key));
    window->evidence.push_back(std::move(item));
  }
  window->counted_events.assign(record.counted_events().begin(), record.counted_events().end());
  if (!window->queued) states.Queue(window, window->close_at_ns);
  return absl::OkStatus();
}

absl::Status StateRecords::RestorePattern(const std::string& key, std::string_view value,
                                          const RuleIndex& rules, Scope& scope,
                                          EvidenceFactory& evidence, StateTable& states) {
  SubjectPatterns record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt subject state ", key));
  }
  std::vector<EvidenceRef> items;
  items.reserve(static_cast<size_t>(record.evidence_size()));
  for (const std::string& bytes : record.evidence()) {
    EvidenceRef item = evidence.FromBytes(bytes);
    if (!item) return absl::DataLossError(absl::StrCat("corrupt evidence in ", key));
    items.push_back(std::move(item));
  }
  std::string subject = record.subject().SerializeAsString();
  Pattern* pattern = states.FindPattern(key);
  if (pattern != nullptr) {
    if (pattern->subject != subject) {
      pattern->restored_subject = std::make_unique<std::string>(std::move(subject));
      pattern->subject = *pattern->restored_subject;
    }
  } else {
    pattern = states.AddPattern(key, subject, scope);
  }
  pattern->expire_at_ns = record.expire_at_ns();
  for (const auto& stored : record.rules()) {
    const Rule* rule = rules.Find(stored.rule_id());
    if (rule == nullptr ||
        (rule->kind != RuleKind::kMovement && rule->kind != RuleKind::kCorrelation) ||
        stored.time_ns_size() != stored.evidence_index_size()) {
      states.MarkDirty(pattern);  // rewritten without it
      continue;
    }
    RulePattern& restored = pattern->rules.emplace_back();
    restored.rule = rule;
    restored.last_fired_ns = stored.last_fired_ns();
    restored.sightings.reserve(static_cast<size_t>(stored.time_ns_size()));
    for (int i = 0; i < stored.time_ns_size(); ++i) {
      const uint32_t index = stored.evidence_index(i);
      if (index >= items.size()) {
        return absl::DataLossError(absl::StrCat("bad evidence index in ", key));
      }
      restored.sightings.push_back({stored.time_ns(i), items[index]});
    }
  }
  if (!pattern->queued) states.Queue(pattern, pattern->expire_at_ns);
  return absl::OkStatus();
}

}  // namespace infobus::judgment::engine
