#include "services/judgment/watchlist_judge.h"

#include "absl/strings/str_cat.h"
#include "common/domain/subject.h"
#include "common/util/ids.h"
#include "common/util/time.h"

namespace infobus::judgment {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using infobus::common::v1::Subject;

absl::StatusOr<std::vector<Judgment>> WatchlistJudge::Judge(const Event& event,
                                                            absl::Time now) const {
  std::vector<Judgment> judgments;
  const std::string& jurisdiction = event.location().jurisdiction_code().empty()
                                        ? event.county_code()
                                        : event.location().jurisdiction_code();
  for (const Subject& raw : event.subjects()) {
    // Events from collection are normalised already; this guards against other producers.
    Subject subject = raw;
    if (auto normalized = domain::NormalizeSubjectValue(raw); normalized.ok()) {
      subject.set_value(*normalized);
    }
    auto entries = watchlist_->Find(subject);
    if (!entries.ok()) return entries.status();
    for (const WatchlistEntry& entry : *entries) {
      Judgment judgment;
      const std::string subject_key = domain::SubjectKey(subject);
      judgment.set_judgment_id(StableId(
          {kRuleId, entry.list_id(), subject_key, event.source_id(), event.event_id()}));
      judgment.set_rule_id(kRuleId);
      judgment.set_rule_version(kRuleVersion);
      judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
      judgment.set_severity(entry.severity());
      judgment.set_title(absl::StrCat("Watchlist hit: ", subject_key, " on ", entry.list_id()));
      judgment.set_summary(absl::StrCat(subject_key, " seen in ", event.kind(), " at ",
                                        jurisdiction,
                                        entry.note().empty() ? "" : "; ", entry.note()));
      *judgment.add_subjects() = subject;
      judgment.set_jurisdiction_code(jurisdiction);
      auto* evidence = judgment.add_evidence();
      evidence->set_event_id(event.event_id());
      evidence->set_source_id(event.source_id());
      evidence->set_trace_id(event.trace_id());
      evidence->set_kind(event.kind());
      evidence->set_county_code(event.county_code());
      *evidence->mutable_occurred_at() = event.occurred_at();
      *judgment.mutable_created_at() = ToProtoTimestamp(now);
      judgment.set_classification(event.classification());
      judgments.push_back(std::move(judgment));
    }
  }
  return judgments;
}

}  // namespace infobus::judgment
