#include "services/judgment/engine/judgment_builder.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/util/time.h"

namespace infobus::judgment::engine {

using infobus::common::v1::Classification;
using infobus::common::v1::Evidence;
using infobus::common::v1::Judgment;

std::string FormatNanos(int64_t nanos) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixNanos(nanos), absl::UTCTimeZone());
}

Judgment JudgmentBuilder::Build(const Rule& rule, JudgmentParts parts) const {
  Judgment judgment;
  judgment.set_judgment_id(std::move(parts.id));
  judgment.set_rule_id(rule.id);
  judgment.set_rule_version(rule.version);
  judgment.set_kind(JudgmentKindOf(rule.kind));
  judgment.set_severity(rule.severity);
  Classification classification = infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  std::vector<const std::string*> compartments;
  for (const SharedEvidence* item : parts.evidence) {
    Evidence* added = judgment.add_evidence();
    item->ToProto(added);
    classification = std::max(classification, added->classification());
    for (const std::string& compartment : added->compartments()) {
      compartments.push_back(&compartment);
    }
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
  std::string_view jurisdiction;
  if (!parts.evidence.empty()) {
    jurisdiction = parts.evidence[0]->jurisdiction_code;
    for (const SharedEvidence* item : parts.evidence) {
      const std::string_view code = item->jurisdiction_code;
      size_t n = 0;
      while (n < jurisdiction.size() && n < code.size() && jurisdiction[n] == code[n]) ++n;
      jurisdiction = jurisdiction.substr(0, n);
    }
  }
  judgment.set_jurisdiction_code(std::string(jurisdiction));
  if (parts.subject != nullptr) *judgment.add_subjects() = *parts.subject;
  *judgment.mutable_created_at() = ToProtoTimestamp(clock_->Now());
  *judgment.mutable_window_start() = ToProtoTimestamp(absl::FromUnixNanos(parts.start_ns));
  *judgment.mutable_window_end() = ToProtoTimestamp(absl::FromUnixNanos(parts.end_ns));
  judgment.set_evidence_count(parts.evidence_count);
  if (rule.response_deadline > absl::ZeroDuration()) {
    *judgment.mutable_response_deadline() = ToProtoDuration(rule.response_deadline);
  }
  judgment.set_needs_approval(rule.needs_approval);
  std::vector<std::pair<std::string, std::string>>& variables = parts.variables;
  variables.push_back({"{rule}", rule.id});
  variables.push_back({"{jurisdiction}", std::string(jurisdiction)});
  variables.push_back(
      {"{kind}", parts.evidence.empty() ? std::string() : std::string(parts.evidence[0]->kind)});
  judgment.set_title(absl::StrReplaceAll(rule.title, variables));
  judgment.set_group_key(std::move(parts.group_key));
  return judgment;
}

}  // namespace infobus::judgment::engine
