#include "services/judgment/engine/engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/domain/subject.h"
#include "common/util/ids.h"
#include "common/util/time.h"

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

std::string CommonPrefix(const std::vector<const Evidence*>& evidence) {
  if (evidence.empty()) return "";
  std::string prefix = evidence[0]->jurisdiction_code();
  for (const Evidence* item : evidence) {
    const std::string& code = item->jurisdiction_code();
    size_t n = 0;
    while (n < prefix.size() && n < code.size() && prefix[n] == code[n]) ++n;
    prefix.resize(n);
  }
  return prefix;
}

std::string GroupKey(const Rule& rule, const Event& event) {
  std::string key;
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
        const std::string& code = JurisdictionOf(event);
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
  return key;
}

std::string Hex16(int64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  // Offset so negative times still sort before positive ones.
  uint64_t bits = static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[bits & 0xf];
    bits >>= 4;
  }
  return out;
}

std::string StateKey(std::string_view scope, const std::string& rule_id, char type,
                     std::string_view key) {
  std::string out;
  out.reserve(scope.size() + rule_id.size() + key.size() + 6);
  out.append(scope);
  out.push_back(kSep);
  out.append(rule_id);
  out.push_back(kSep);
  out.push_back(type);
  out.push_back(kSep);
  out.append(key);
  return out;
}

}  // namespace

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
    // Their expiry entries go stale and are skipped when they come up.
    for (auto it = windows_.begin(); it != windows_.end();) {
      auto current = it++;
      if (!dropped.contains(current->second.rule_id)) continue;
      dirty_.insert(current->first);
      windows_.erase(current);
    }
    for (auto it = patterns_.begin(); it != patterns_.end();) {
      auto current = it++;
      std::vector<RulePattern>& rules = current->second.rules;
      const size_t before = rules.size();
      rules.erase(
          std::remove_if(rules.begin(), rules.end(),
                         [&](const RulePattern& rule) { return dropped.contains(rule.rule_id); }),
          rules.end());
      if (rules.size() == before) continue;
      dirty_.insert(current->first);
      if (rules.empty()) patterns_.erase(current);
    }
  }
  rules_ = std::move(rules);
  RebuildIndex();
  absl::flat_hash_map<std::string, const Rule*> by_id;
  for (const Rule& rule : rules_.rules) by_id[rule.id] = &rule;
  for (auto& [key, pattern] : patterns_) {
    for (RulePattern& rule : pattern.rules) rule.rule = by_id[rule.rule_id];
  }
  return summary;
}

void Engine::RebuildIndex() {
  by_kind_.clear();
  any_kind_.clear();
  for (const Rule& rule : rules_.rules) {
    std::vector<std::string> kinds = rule.filter.kinds;
    if (kinds.empty() && rule.kind == RuleKind::kCorrelation) kinds = rule.sequence;
    if (kinds.empty()) {
      any_kind_.push_back(&rule);
    } else {
      for (const std::string& kind : kinds) by_kind_[kind].push_back(&rule);
    }
  }
}

absl::Status Engine::Restore(std::string_view key, std::string_view value) {
  if (key == kMetaKey) {
    EngineMeta meta;
    if (!meta.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError("corrupt engine meta record");
    }
    stream_time_ns_ = std::max(stream_time_ns_, meta.stream_time_ns());
    return absl::OkStatus();
  }
  const std::string key_string(key);
  std::vector<std::string> parts = absl::StrSplit(key_string, absl::MaxSplits(kSep, 3));
  if (parts.size() != 4 || parts[2].size() != 1) {
    return absl::DataLossError(absl::StrCat("malformed engine state key ", key_string));
  }
  if (parts[2] == "W") {
    const Rule* rule = nullptr;
    for (const Rule& candidate : rules_.rules) {
      if (candidate.id == parts[1]) rule = &candidate;
    }
    WindowState state;
    if (!state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("corrupt window state ", key_string));
    }
    if (rule == nullptr || rule->kind != RuleKind::kHotspot) {
      dirty_.insert(key_string);
      return absl::OkStatus();
    }
    Window& window = windows_[key_string];
    window.rule_id = state.rule_id();
    window.group_key = state.group_key();
    window.start_ns = state.window_start_ns();
    window.end_ns = state.window_end_ns();
    window.close_at_ns = state.close_at_ns();
    window.count = state.count();
    window.fired = state.fired();
    for (const std::string& bytes : state.evidence()) {
      auto item = std::make_shared<SharedEvidence>();
      if (!item->proto.ParseFromString(bytes)) {
        return absl::DataLossError(absl::StrCat("corrupt evidence in ", key_string));
      }
      item->bytes = bytes;
      window.evidence.push_back(std::move(item));
    }
    expiry_.insert({window.close_at_ns, key_string});
  } else if (parts[2] == "S") {
    SubjectPatterns state;
    if (!state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("corrupt subject state ", key_string));
    }
    std::vector<EvidencePtr> evidence;
    for (const std::string& bytes : state.evidence()) {
      auto item = std::make_shared<SharedEvidence>();
      if (!item->proto.ParseFromString(bytes)) {
        return absl::DataLossError(absl::StrCat("corrupt evidence in ", key_string));
      }
      item->bytes = bytes;
      evidence.push_back(std::move(item));
    }
    auto [slot, inserted] = patterns_.try_emplace(key_string);
    Pattern& pattern = slot->second;
    pattern.key = &slot->first;
    pattern.subject = state.subject();
    pattern.expire_at_ns = state.expire_at_ns();
    for (const auto& stored : state.rules()) {
      const Rule* rule = nullptr;
      for (const Rule& candidate : rules_.rules) {
        if (candidate.id == stored.rule_id()) rule = &candidate;
      }
      if (rule == nullptr ||
          (rule->kind != RuleKind::kMovement && rule->kind != RuleKind::kCorrelation) ||
          stored.time_ns_size() != stored.evidence_index_size()) {
        dirty_.insert(key_string);  // rewritten without it
        continue;
      }
      RulePattern& restored = pattern.rules.emplace_back();
      restored.rule_id = stored.rule_id();
      restored.rule = rule;
      restored.last_fired_ns = stored.last_fired_ns();
      for (int i = 0; i < stored.time_ns_size(); ++i) {
        const uint32_t index = stored.evidence_index(i);
        if (index >= evidence.size()) {
          return absl::DataLossError(absl::StrCat("bad evidence index in ", key_string));
        }
        restored.sightings.push_back({stored.time_ns(i), evidence[index]});
      }
    }
    expiry_.insert({pattern.expire_at_ns, key_string});
  } else {
    return absl::DataLossError(absl::StrCat("unknown engine state type in ", key_string));
  }
  return absl::OkStatus();
}

void Engine::ClearState() {
  windows_.clear();
  patterns_.clear();
  expiry_.clear();
  dirty_.clear();
  meta_dirty_ = false;
  stream_time_ns_ = INT64_MIN;
}

void Engine::MarkDirty(const std::string& key, bool& dirty) {
  if (dirty) return;
  dirty = true;
  dirty_.insert(key);
}

absl::StatusOr<std::vector<Judgment>> Engine::Process(const Event& event, std::string_view scope) {
  std::vector<Judgment> out;
  ++stats_.events;
  const int64_t time_ns = absl::ToUnixNanos(FromProtoTimestamp(event.occurred_at()));
  if (time_ns > stream_time_ns_) {
    stream_time_ns_ = time_ns;
    meta_dirty_ = true;
  }
  auto kind_rules = by_kind_.find(event.kind());
  const std::vector<const Rule*>* lists[2] = {
      kind_rules == by_kind_.end() ? nullptr : &kind_rules->second, &any_kind_};

  EvidencePtr evidence;
  std::vector<NormalizedSubject> subjects;
  bool subjects_ready = false;
  std::vector<std::optional<std::vector<WatchlistEntry>>> found;
  std::vector<Pattern*> patterns;

  for (const std::vector<const Rule*>* list : lists) {
    if (list == nullptr) continue;
    for (const Rule* rule : *list) {
      if (!rule->filter.Matches(event)) continue;
      if (evidence == nullptr) {
        auto shared = std::make_shared<SharedEvidence>();
        Evidence* item = &shared->proto;
        item->set_event_id(event.event_id());
        item->set_source_id(event.source_id());
        item->set_trace_id(event.trace_id());
        item->set_kind(event.kind());
        item->set_county_code(event.county_code());
        *item->mutable_occurred_at() = event.occurred_at();
        if (event.has_ingested_at()) *item->mutable_ingested_at() = event.ingested_at();
        item->set_classification(event.classification());
        item->set_jurisdiction_code(JurisdictionOf(event));
        evidence = std::move(shared);
      }
      if (!subjects_ready && rule->kind != RuleKind::kHotspot) {
        for (const Subject& raw : event.subjects()) {
          NormalizedSubject normalized;
          normalized.subject = raw;
          // Events from collection are normalised already; this guards other producers.
          if (auto value = domain::NormalizeSubjectValue(raw); value.ok()) {
            normalized.subject.set_value(*value);
          }
          if (normalized.subject.value().empty()) continue;
          normalized.key = domain::SubjectKey(normalized.subject);
          subjects.push_back(std::move(normalized));
        }
        found.resize(subjects.size());
        patterns.resize(subjects.size(), nullptr);
        subjects_ready = true;
      }
      switch (rule->kind) {
        case RuleKind::kWatchlist:
          if (absl::Status status =
                  JudgeWatchlist(*rule, event, evidence->proto, time_ns, subjects, found, out);
              !status.ok()) {
            return status;
          }
          break;
        case RuleKind::kHotspot:
          JudgeHotspot(*rule, event, evidence, time_ns, out);
          break;
        case RuleKind::kMovement:
        case RuleKind::kCorrelation:
          for (size_t i = 0; i < subjects.size(); ++i) {
            if (!rule->filter.MatchesSubject(subjects[i].subject.type())) continue;
            if (patterns[i] == nullptr) patterns[i] = &PatternFor(scope, subjects[i]);
            JudgePattern(*rule, evidence, time_ns, *patterns[i], subjects[i], out);
          }
          break;
      }
    }
  }
  Expire();
  stats_.judgments += static_cast<int64_t>(out.size());
  return out;
}

absl::Status Engine::JudgeWatchlist(const Rule& rule, const Event& event, const Evidence& evidence,
                                    int64_t time_ns, const std::vector<NormalizedSubject>& subjects,
                                    std::vector<std::optional<std::vector<WatchlistEntry>>>& found,
                                    std::vector<Judgment>& out) {
  for (size_t i = 0; i < subjects.size(); ++i) {
    const NormalizedSubject& subject = subjects[i];
    if (!rule.filter.MatchesSubject(subject.subject.type())) continue;
    if (!found[i].has_value()) {
      auto entries = watchlist_->Find(subject.subject);
      if (!entries.ok()) return entries.status();
      found[i] = std::move(*entries);
    }
    for (const WatchlistEntry& entry : *found[i]) {
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
          subject.key, {&evidence}, 1, time_ns, time_ns, &subject.subject,
          {{"{subject}", subject.key}, {"{list}", entry.list_id()}});
      judgment.set_severity(severity);
      judgment.set_summary(absl::StrCat(subject.key, " seen in ", event.kind(), " at ",
                                        evidence.jurisdiction_code(),
                                        entry.note().empty() ? "" : "; ", entry.note()));
      out.push_back(std::move(judgment));
    }
  }
  return absl::OkStatus();
}

void Engine::JudgeHotspot(const Rule& rule, const Event& event, const EvidencePtr& evidence,
                          int64_t time_ns, std::vector<Judgment>& out) {
  const int64_t window = absl::ToInt64Nanoseconds(rule.window);
  const int64_t advance = absl::ToInt64Nanoseconds(rule.advance);
  const int64_t grace = absl::ToInt64Nanoseconds(rule.grace);
  const std::string group = GroupKey(rule, event);
  // Every window [start, start + window) with start a multiple of `advance` that holds time_ns.
  const int64_t first = FloorDiv(time_ns - window, advance) + 1;
  const int64_t last = FloorDiv(time_ns, advance);
  for (int64_t k = first; k <= last; ++k) {
    const int64_t start = k * advance;
    const int64_t close_at = start + window + grace;
    if (close_at <= stream_time_ns_) {
      ++stats_.late_dropped;
      continue;
    }
    key_buffer_ = StateKey(kGlobalScope, rule.id, 'W', absl::StrCat(group, "\x1f", Hex16(start)));
    auto it = windows_.find(key_buffer_);
    if (it == windows_.end()) {
      it = windows_.try_emplace(key_buffer_).first;
      Window& created = it->second;
      created.rule_id = rule.id;
      created.group_key = group;
      created.start_ns = start;
      created.end_ns = start + window;
      created.close_at_ns = close_at;
      expiry_.insert({close_at, key_buffer_});
    }
    Window& state = it->second;
    ++state.count;
    MarkDirty(it->first, state.dirty);
    if (state.fired) continue;
    if (static_cast<int>(state.evidence.size()) < rule.max_evidence) {
      state.evidence.push_back(evidence);
    }
    if (state.count < rule.threshold) continue;
    state.fired = true;
    std::vector<const Evidence*> items;
    for (const EvidencePtr& item : state.evidence) items.push_back(&item->proto);
    Judgment judgment = MakeJudgment(
        rule, StableId({rule.id, group, absl::StrCat(start)}), group, items, state.count, start,
        start + window, nullptr,
        {{"{group}", group},
         {"{count}", absl::StrCat(state.count)},
         {"{threshold}", absl::StrCat(rule.threshold)},
         {"{window}", absl::StrCat(FormatNanos(start), "/", FormatNanos(start + window))},
         {"{window_start}", FormatNanos(start)},
         {"{window_end}", FormatNanos(start + window)}});
    judgment.set_summary(absl::StrCat(state.count, " matching events of ", group, " between ",
                                      FormatNanos(start), " and ", FormatNanos(start + window),
                                      " (threshold ", rule.threshold, ")"));
    out.push_back(std::move(judgment));
    state.evidence.clear();  // fired: from now on only the count matters
  }
}

Engine::Pattern& Engine::PatternFor(std::string_view scope, const NormalizedSubject& subject) {
  key_buffer_ = StateKey(scope, "", 'S', subject.key);
  auto it = patterns_.find(key_buffer_);
  if (it == patterns_.end()) {
    it = patterns_.try_emplace(key_buffer_).first;
    it->second.subject = subject.subject;
    it->second.key = &it->first;
  }
  MarkDirty(it->first, it->second.dirty);
  return it->second;
}

void Engine::JudgePattern(const Rule& rule, const EvidencePtr& evidence, int64_t time_ns,
                          Pattern& pattern, const NormalizedSubject& subject,
                          std::vector<Judgment>& out) {
  const int64_t within = absl::ToInt64Nanoseconds(rule.within);
  const int64_t grace = absl::ToInt64Nanoseconds(rule.grace);
  const int64_t horizon = stream_time_ns_ - within - grace;
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
    found->rule_id = rule.id;
    found->rule = &rule;
  }
  RulePattern& state = *found;
  std::vector<Sighting>& sightings = state.sightings;
  for (const Sighting& sighting : sightings) {
    if (sighting.time_ns == time_ns &&
        sighting.evidence->proto.event_id() == evidence->proto.event_id() &&
        sighting.evidence->proto.source_id() == evidence->proto.source_id()) {
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
  if (pattern.expire_at_ns == INT64_MIN) expiry_.insert({expire_at, *pattern.key});
  pattern.expire_at_ns = std::max(pattern.expire_at_ns, expire_at);

  // Look for evidence in a span of at most `within` that holds the new event and uses no
  // sighting already used by an earlier judgment of this rule for this subject.
  std::vector<const Sighting*> matched;
  const size_t n = sightings.size();
  for (size_t i = 0; i < n && matched.empty(); ++i) {
    const Sighting& start = sightings[i];
    if (start.time_ns <= state.last_fired_ns) continue;
    if (start.time_ns > time_ns) break;
    if (start.time_ns < time_ns - within) continue;
    const int64_t end = start.time_ns + within;
    if (rule.kind == RuleKind::kMovement) {
      std::vector<const Sighting*> per_county;
      for (size_t j = i; j < n && sightings[j].time_ns <= end; ++j) {
        const Sighting& sighting = sightings[j];
        bool seen = false;
        for (const Sighting* chosen : per_county) {
          if (chosen->evidence->proto.county_code() == sighting.evidence->proto.county_code())
            seen = true;
        }
        if (!seen) per_county.push_back(&sighting);
        if (static_cast<int>(per_county.size()) >= rule.min_counties) break;
      }
      if (static_cast<int>(per_county.size()) >= rule.min_counties) matched = per_county;
    } else if (rule.ordered) {
      std::vector<const Sighting*> sequence;
      for (size_t j = i;
           j < n && sightings[j].time_ns <= end && sequence.size() < rule.sequence.size(); ++j) {
        const Sighting& sighting = sightings[j];
        if (sighting.evidence->proto.kind() != rule.sequence[sequence.size()]) continue;
        if (!sequence.empty() && sighting.time_ns <= sequence.back()->time_ns) continue;
        sequence.push_back(&sighting);
      }
      if (sequence.size() == rule.sequence.size()) matched = sequence;
    } else {
      std::vector<const Sighting*> per_kind(rule.sequence.size(), nullptr);
      size_t have = 0;
      for (size_t j = i; j < n && sightings[j].time_ns <= end && have < per_kind.size(); ++j) {
        const Sighting& sighting = sightings[j];
        for (size_t k = 0; k < rule.sequence.size(); ++k) {
          if (per_kind[k] == nullptr && sighting.evidence->proto.kind() == rule.sequence[k]) {
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
  std::vector<const Evidence*> items;
  std::vector<std::string> counties, kinds;
  for (const Sighting* sighting : matched) {
    last_ns = std::max(last_ns, sighting->time_ns);
    if (static_cast<int>(items.size()) < rule.max_evidence) {
      items.push_back(&sighting->evidence->proto);
    }
    counties.push_back(sighting->evidence->proto.county_code());
    kinds.push_back(sighting->evidence->proto.kind());
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

void Engine::Expire() {
  while (!expiry_.empty() && expiry_.begin()->first <= stream_time_ns_) {
    auto node = expiry_.extract(expiry_.begin());
    std::string& key = node.value().second;
    if (auto window = windows_.find(key); window != windows_.end()) {
      windows_.erase(window);
    } else if (auto pattern = patterns_.find(key); pattern != patterns_.end()) {
      if (pattern->second.expire_at_ns > stream_time_ns_) {
        // Seen again since it was queued: queue it for its new expiry.
        node.value().first = pattern->second.expire_at_ns;
        expiry_.insert(std::move(node));
        continue;
      }
      patterns_.erase(pattern);
    } else {
      continue;  // dropped by a rule change
    }
    dirty_.insert(std::move(key));
  }
}

Judgment Engine::MakeJudgment(const Rule& rule, std::string id, std::string group_key,
                              const std::vector<const Evidence*>& evidence, int64_t evidence_count,
                              int64_t start_ns, int64_t end_ns, const Subject* subject,
                              std::vector<std::pair<std::string, std::string>> variables) const {
  Judgment judgment;
  judgment.set_judgment_id(std::move(id));
  judgment.set_rule_id(rule.id);
  judgment.set_rule_version(rule.version);
  judgment.set_kind(JudgmentKindOf(rule.kind));
  judgment.set_severity(rule.severity);
  Classification classification = infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  for (const Evidence* item : evidence) {
    *judgment.add_evidence() = *item;
    classification = std::max(classification, item->classification());
  }
  judgment.set_classification(classification);
  const std::string jurisdiction = CommonPrefix(evidence);
  judgment.set_jurisdiction_code(jurisdiction);
  if (subject != nullptr) *judgment.add_subjects() = *subject;
  *judgment.mutable_created_at() = ToProtoTimestamp(clock_->Now());
  *judgment.mutable_window_start() = ToProtoTimestamp(absl::FromUnixNanos(start_ns));
  *judgment.mutable_window_end() = ToProtoTimestamp(absl::FromUnixNanos(end_ns));
  judgment.set_evidence_count(evidence_count);
  variables.push_back({"{rule}", rule.id});
  variables.push_back({"{jurisdiction}", jurisdiction});
  variables.push_back({"{kind}", evidence.empty() ? std::string() : evidence[0]->kind()});
  judgment.set_title(absl::StrReplaceAll(rule.title, variables));
  judgment.set_group_key(std::move(group_key));
  return judgment;
}

std::vector<StateChange> Engine::TakeStateChanges() {
  std::vector<StateChange> changes;
  changes.reserve(dirty_.size() + 1);
  for (const std::string& key : dirty_) {
    StateChange change;
    change.key = key;
    if (auto window = windows_.find(key); window != windows_.end()) {
      Window& state = window->second;
      state.dirty = false;
      window_proto_.Clear();
      window_proto_.set_rule_id(state.rule_id);
      window_proto_.set_group_key(state.group_key);
      window_proto_.set_window_start_ns(state.start_ns);
      window_proto_.set_window_end_ns(state.end_ns);
      window_proto_.set_close_at_ns(state.close_at_ns);
      window_proto_.set_count(state.count);
      window_proto_.set_fired(state.fired);
      for (const EvidencePtr& item : state.evidence) window_proto_.add_evidence(item->Bytes());
      change.value = window_proto_.SerializeAsString();
    } else if (auto pattern = patterns_.find(key); pattern != patterns_.end()) {
      Pattern& state = pattern->second;
      state.dirty = false;
      pattern_proto_.Clear();
      *pattern_proto_.mutable_subject() = state.subject;
      pattern_proto_.set_expire_at_ns(state.expire_at_ns);
      absl::flat_hash_map<const SharedEvidence*, uint32_t> indexes;
      for (const RulePattern& rule : state.rules) {
        if (rule.sightings.empty()) continue;
        auto* out = pattern_proto_.add_rules();
        out->set_rule_id(rule.rule_id);
        out->set_last_fired_ns(rule.last_fired_ns);
        for (const Sighting& sighting : rule.sightings) {
          auto [index, added] = indexes.try_emplace(
              sighting.evidence.get(), static_cast<uint32_t>(pattern_proto_.evidence_size()));
          if (added) pattern_proto_.add_evidence(sighting.evidence->Bytes());
          out->add_time_ns(sighting.time_ns);
          out->add_evidence_index(index->second);
        }
      }
      if (pattern_proto_.rules_size() > 0) {
        change.value = pattern_proto_.SerializeAsString();
      } else {
        patterns_.erase(pattern);  // nothing left to remember (its expiry entry goes stale)
      }
    }
    changes.push_back(std::move(change));
  }
  dirty_.clear();
  if (meta_dirty_) {
    EngineMeta meta;
    meta.set_stream_time_ns(stream_time_ns_);
    changes.push_back({kMetaKey, meta.SerializeAsString()});
    meta_dirty_ = false;
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
