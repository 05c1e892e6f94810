#include "services/judgment/engine/state_records.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "infobus/judgment/storage/v1/judgment_state.pb.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {
namespace {

using infobus::judgment::storage::v1::EngineMeta;
using infobus::judgment::storage::v1::SubjectPatterns;
using infobus::judgment::storage::v1::WindowState;

absl::Status RestoreWindow(const std::string& key, std::string_view value, const Rule* rule,
                           Scope& scope, WireCodec& codec, StateTable& states) {
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
    EvidenceRef item = codec.EvidenceFromBytes(bytes);
    if (!item) return absl::DataLossError(absl::StrCat("corrupt evidence in ", key));
    window->evidence.push_back(std::move(item));
  }
  window->counted_events.assign(record.counted_events().begin(), record.counted_events().end());
  if (!window->queued) states.Queue(window, window->close_at_ns);
  return absl::OkStatus();
}

absl::Status RestorePattern(const std::string& key, std::string_view value, const RuleIndex& rules,
                            Scope& scope, WireCodec& codec, StateTable& states) {
  SubjectPatterns record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt subject state ", key));
  }
  std::vector<EvidenceRef> items;
  items.reserve(static_cast<size_t>(record.evidence_size()));
  for (const std::string& bytes : record.evidence()) {
    EvidenceRef item = codec.EvidenceFromBytes(bytes);
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

}  // namespace

absl::Status RestoreRecord(std::string_view key, std::string_view value, const RuleIndex& rules,
                           WireCodec& codec, StateTable& states) {
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
      return RestoreWindow(key_string, value, rules.Find(parts.rule_id), scope, codec, states);
    case kPatternType:
      return RestorePattern(key_string, value, rules, scope, codec, states);
    default:
      return absl::DataLossError(absl::StrCat("unknown engine state type in ", key_string));
  }
}

}  // namespace infobus::judgment::engine
