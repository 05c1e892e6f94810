#include "services/judgment/engine/hotspot_rule.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/ids.h"
#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

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

void HotspotRules::Count(const Rule& rule, std::string_view group, const EvidenceRef& evidence,
                         int64_t time_ns, Scope& scope, std::vector<Judgment>& out) {
  const int64_t window = absl::ToInt64Nanoseconds(rule.window);
  const int64_t advance = absl::ToInt64Nanoseconds(rule.advance);
  const int64_t grace = absl::ToInt64Nanoseconds(rule.grace);
  // Every window [start, start + window) with start a multiple of `advance` that holds time_ns.
  const int64_t first = FloorDiv(time_ns - window, advance) + 1;
  const int64_t last = FloorDiv(time_ns, advance);
  // "<scope>\x1f<rule id>\x1fW\x1f<group key>\x1f", then each window's start.
  StateKeyPrefix(key_buffer_, scope.name, rule.id, kWindowType);
  key_buffer_.append(group);
  key_buffer_.push_back(kSep);
  const size_t prefix = key_buffer_.size();
  const uint64_t identity = evidence->Identity();
  for (int64_t k = first; k <= last; ++k) {
    const int64_t start = k * advance;
    const int64_t close_at = start + window + grace;
    if (close_at <= scope.stream_time_ns) {
      ++late_dropped_;
      continue;
    }
    key_buffer_.resize(prefix);
    AppendHex16(key_buffer_, start);
    Window* state = states_->FindWindow(key_buffer_);
    if (state == nullptr) {
      state = states_->AddWindow(key_buffer_, scope);
      state->rule_id = rule.id;
      state->group_key = std::string(group);
      state->start_ns = start;
      state->end_ns = start + window;
      state->close_at_ns = close_at;
      states_->Queue(state, close_at);
    }
    if (!state->fired) {
      // Linear: a window holds at most `threshold` of them, and usually few.
      if (std::find(state->counted_events.begin(), state->counted_events.end(), identity) !=
          state->counted_events.end()) {
        ++events_repeated_;
        continue;
      }
      state->counted_events.push_back(identity);
    }
    ++state->count;
    states_->MarkDirty(state);
    if (state->fired) continue;
    if (static_cast<int>(state->evidence.size()) < rule.max_evidence) {
      state->evidence.push_back(evidence);
    }
    if (state->count < rule.threshold) continue;
    state->fired = true;
    std::vector<const SharedEvidence*> items;
    items.reserve(state->evidence.size());
    for (const EvidenceRef& item : state->evidence) items.push_back(item.get());
    const std::string group_key(group);
    JudgmentParts parts;
    parts.id = StableId({rule.id, group, absl::StrCat(start)});
    parts.group_key = group_key;
    parts.evidence = items;
    parts.evidence_count = state->count;
    parts.start_ns = start;
    parts.end_ns = start + window;
    parts.variables = {
        {"{group}", group_key},
        {"{count}", absl::StrCat(state->count)},
        {"{threshold}", absl::StrCat(rule.threshold)},
        {"{window}", absl::StrCat(FormatNanos(start), "/", FormatNanos(start + window))},
        {"{window_start}", FormatNanos(start)},
        {"{window_end}", FormatNanos(start + window)}};
    Judgment judgment = judgments_->Build(rule, std::move(parts));
    judgment.set_summary(absl::StrCat(state->count, " matching events of ", group_key, " between ",
                                      FormatNanos(start), " and ", FormatNanos(start + window),
                                      " (threshold ", rule.threshold, ")"));
    out.push_back(std::move(judgment));
    state->evidence.clear();  // fired: from now on only the count matters
    state->counted_events.clear();
    state->counted_events.shrink_to_fit();
  }
}

}  // namespace infobus::judgment::engine
