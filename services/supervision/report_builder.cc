#include "services/supervision/report_builder.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/security/policy.h"
#include "services/supervision/contributions.h"
#include "services/supervision/latency_histogram.h"

namespace infobus::supervision {
namespace {

using infobus::supervision::v1::ReportResponse;
using infobus::supervision::v1::UnitFigures;
using storage::v1::Tally;

void ToDuration(absl::Duration duration, google::protobuf::Duration* out) {
  out->set_seconds(absl::ToInt64Seconds(duration));
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(duration % absl::Seconds(1))));
}

void Counts(const std::map<std::string, int64_t>& counts,
            google::protobuf::RepeatedPtrField<v1::Count>* out) {
  for (const auto& [key, count] : counts) {
    v1::Count* entry = out->Add();
    entry->set_key(key);
    entry->set_count(count);
  }
}

UnitFigures FiguresOf(const std::string& unit_id, const Tally& tally) {
  UnitFigures figures;
  figures.set_unit_id(unit_id);
  figures.set_deliveries(tally.count());
  figures.set_acknowledged(tally.acknowledged());
  figures.set_with_deadline(tally.with_deadline());
  figures.set_acknowledged_within_deadline(tally.acknowledged_within_deadline());
  figures.set_sla_share(tally.with_deadline() == 0
                            ? 1.0
                            : static_cast<double>(tally.acknowledged_within_deadline()) /
                                  static_cast<double>(tally.with_deadline()));
  ToDuration(Quantile(tally.signoff_latency(), 0.50), figures.mutable_signoff_p50());
  ToDuration(Quantile(tally.signoff_latency(), 0.90), figures.mutable_signoff_p90());
  ToDuration(Quantile(tally.signoff_latency(), 0.99), figures.mutable_signoff_p99());
  figures.set_escalated(tally.escalated());
  figures.set_feedback(tally.feedback());
  figures.set_feedback_rate(tally.count() == 0 ? 0.0
                                               : static_cast<double>(tally.feedback()) /
                                                     static_cast<double>(tally.count()));
  const std::map<int32_t, int64_t> outcomes(tally.outcomes().begin(), tally.outcomes().end());
  for (const auto& [outcome, count] : outcomes) {
    v1::OutcomeCount* entry = figures.add_outcomes();
    entry->set_outcome(static_cast<infobus::common::v1::FeedbackOutcome>(outcome));
    entry->set_count(count);
  }
  return figures;
}

}  // namespace

bool ReportBuilder::InJurisdiction(const std::string& code) const {
  if (scope_.all_jurisdictions) return true;
  for (const std::string& prefix : scope_.jurisdictions) {
    if (absl::StartsWith(code, prefix)) return true;
  }
  return false;
}

bool ReportBuilder::Cleared(const std::string& classification,
                            const std::string& compartments) const {
  if (scope_.any_clearance) return true;
  security::Labels labels;
  int level = 0;
  if (!absl::SimpleAtoi(classification, &level)) return false;
  labels.classification = static_cast<infobus::common::v1::Classification>(level);
  for (absl::string_view compartment : absl::StrSplit(compartments, ',', absl::SkipEmpty())) {
    labels.compartments.emplace(compartment);
  }
  return security::ClearanceShortfall(scope_.clearance, scope_.compartments, labels) ==
         security::Shortfall::kNone;
}

void ReportBuilder::Add(const TallyKey& key, const Tally& tally) {
  const std::vector<std::string>& dims = key.dims;
  switch (key.type) {
    case TallyType::kEvents: {
      // classification, compartments, jurisdiction, county, source, kind
      if (dims.size() != 6 || !Cleared(dims[0], dims[1]) || !InJurisdiction(dims[2])) return;
      events_ += tally.count();
      by_county_[dims[3]] += tally.count();
      by_source_[dims[4]] += tally.count();
      by_kind_[dims[5]] += tally.count();
      return;
    }
    case TallyType::kDeadLetters:
      if (dims.size() != 1) return;
      dead_lettered_ += tally.count();
      dead_by_topic_[dims[0]] += tally.count();
      return;
    case TallyType::kJudgments: {
      // classification, compartments, jurisdiction, rule, severity
      int severity = 0;
      if (dims.size() != 5 || !Cleared(dims[0], dims[1]) || !InJurisdiction(dims[2]) ||
          !absl::SimpleAtoi(dims[4], &severity)) {
        return;
      }
      by_rule_severity_[{dims[3], severity}] += tally.count();
      Accumulate(tally, &by_rule_[dims[3]]);
      Accumulate(tally, &judgments_);
      return;
    }
    case TallyType::kDeliveries:
      if (dims.size() != 1 || (!scope_.all_units && scope_.units.count(dims[0]) == 0)) return;
      Accumulate(tally, &by_unit_[dims[0]]);
      return;
  }
}

ReportResponse ReportBuilder::Finish() const {
  ReportResponse report;
  v1::CollectionFigures* collection = report.mutable_collection();
  collection->set_events(events_);
  Counts(by_county_, collection->mutable_by_county());
  Counts(by_source_, collection->mutable_by_source());
  Counts(by_kind_, collection->mutable_by_kind());
  collection->set_dead_lettered(dead_lettered_);
  Counts(dead_by_topic_, collection->mutable_dead_lettered_by_topic());

  v1::JudgmentFigures* judgment = report.mutable_judgment();
  judgment->set_judgments(judgments_.count());
  for (const auto& [rule_severity, count] : by_rule_severity_) {
    v1::RuleSeverityCount* entry = judgment->add_by_rule();
    entry->set_rule_id(rule_severity.first);
    entry->set_severity(static_cast<infobus::common::v1::Severity>(rule_severity.second));
    entry->set_judgments(count);
  }
  judgment->set_confirmed(judgments_.confirmed());
  judgment->set_dismissed(judgments_.dismissed());
  judgment->set_unreviewed(judgments_.count() - judgments_.confirmed() - judgments_.dismissed());

  Tally total;
  for (const auto& [unit, tally] : by_unit_) {
    *report.mutable_dispatch()->add_units() = FiguresOf(unit, tally);
    Accumulate(tally, &total);
  }
  *report.mutable_dispatch()->mutable_total() = FiguresOf("", total);

  for (const auto& [rule, tally] : by_rule_) {
    v1::RulePrecision* precision = report.add_rules();
    precision->set_rule_id(rule);
    precision->set_judgments(tally.count());
    precision->set_positive(tally.positive());
    precision->set_negative(tally.negative());
    const int64_t decided = tally.positive() + tally.negative();
    precision->set_precision(decided == 0 ? 0.0
                                          : static_cast<double>(tally.positive()) /
                                                static_cast<double>(decided));
  }
  return report;
}

}  // namespace infobus::supervision
