#include "services/judgment/engine/watchlist_rule.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/util/ids.h"
#include "services/judgment/engine/string_view.h"

namespace infobus::judgment::engine {

using infobus::common::v1::Judgment;
using infobus::common::v1::Severity;

absl::Status WatchlistRules::Judge(const Rule& rule, const infobus::common::v1::Event& event,
                                   const EventSubjects& subjects, const EvidenceRef& evidence,
                                   int64_t time_ns, std::vector<Judgment>& out) {
  for (size_t i = 0; i < subjects.size(); ++i) {
    const NormalizedSubject& subject = subjects[i];
    if (!rule.filter.MatchesSubject(subject.subject.type())) continue;
    if (found_.size() <= i) found_.resize(subjects.size());
    Found& found = found_[i];
    if (found.event != event_) {
      auto entries = watchlist_->FindByKey(subject.subject, subject.key);
      if (!entries.ok()) return entries.status();
      found.entries = std::move(*entries);
      found.event = event_;
    }
    for (const WatchlistEntry& entry : found.entries) {
      Severity severity = entry.severity();
      if (auto list = rule.lists.find(entry.list_id()); list != rule.lists.end()) {
        severity = std::max(severity, list->second);
      } else if (rule.only_listed) {
        continue;
      }
      if (severity == infobus::common::v1::SEVERITY_UNSPECIFIED) severity = rule.severity;
      const SharedEvidence* items[] = {evidence.get()};
      JudgmentParts parts;
      parts.id =
          StableId({rule.id, entry.list_id(), subject.key, event.source_id(), event.event_id()});
      parts.group_key = subject.key;
      parts.evidence = items;
      parts.evidence_count = 1;
      parts.start_ns = parts.end_ns = time_ns;
      parts.subject = &subject.subject;
      parts.variables = {{"{subject}", subject.key}, {"{list}", entry.list_id()}};
      Judgment judgment = judgments_->Build(rule, std::move(parts));
      judgment.set_severity(severity);
      judgment.set_summary(absl::StrCat(subject.key, " seen in ", event.kind(), " at ",
                                        View(evidence->jurisdiction_code),
                                        entry.note().empty() ? "" : "; ", entry.note()));
      out.push_back(std::move(judgment));
    }
  }
  return absl::OkStatus();
}

}  // namespace infobus::judgment::engine
