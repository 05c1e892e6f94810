#include "services/supervision/report_builder.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

void CountsOut(const std::map<std::string, int64_t, std::less<>>& counts,
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
  figures.set_sent_back(tally.sent_back());
  figures.set_approved(tally.approved());
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

bool ReportBuilder::InJurisdiction(std::string_view code) const {
  if (scope_.all_jurisdictions) return true;
  for (const std::string& prefix : scope_.jurisdictions) {
    if (code.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

bool ReportBuilder::Cleared(std::string_view classification, std::string_view compartments) {
  if (scope_.any_clearance) return true;
  std::string labels_key =
      absl::StrCat(absl::string_view(classification.data(), classification.size()), "/",
                   absl::string_view(compartments.data(), compartments.size()));
  if (auto it = cleared_.find(labels_key); it != cleared_.end()) return it->second;
  security::Labels labels;
  int level = 0;
  bool cleared =
      absl::SimpleAtoi(absl::string_view(classification.data(), classification.size()), &level);
  if (cleared) {
    labels.classification = static_cast<infobus::common::v1::Classification>(level);
    for (absl::string_view compartment : absl::StrSplit(
             absl::string_view(compartments.data(), compartments.size()), ',', absl::SkipEmpty())) {
      labels.compartments.emplace(compartment);
    }
    cleared = security::ClearanceShortfall(scope_.clearance, scope_.compartments, labels) ==
              security::Shortfall::kNone;
  }
  cleared_.emplace(std::move(labels_key), cleared);
  return cleared;
}

void ReportBuilder::AddTo(Counts* counts, std::string_view key, int64_t count) {
  if (auto it = counts->find(key); it != counts->end()) {
    it->second += count;
  } else {
    counts->emplace(std::string(key), count);
  }
}

namespace {

// The entry of `key` in `map`, made when missing, without a string for a key already there.
template <typename Map>
typename Map::mapped_type& Entry(Map* map, std::string_view key) {
  auto it = map->find(key);
  if (it == map->end()) it = map->emplace(std::string(key), typename Map::mapped_type()).first;
  return it->second;
}

}  // namespace

void ReportBuilder::Add(const TallyKeyView& key, const Tally& tally) {
  const std::string_view* dims = key.dims;
  switch (key.type) {
    case TallyType::kEvents: {
      // classification, compartments, jurisdiction, county, source, kind
      if (key.dim_count != 6 || !InJurisdiction(dims[2]) || !Cleared(dims[0], dims[1])) return;
      events_ += tally.count();
      AddTo(&by_county_, dims[3], tally.count());
      AddTo(&by_source_, dims[4], tally.count());
      AddTo(&by_kind_, dims[5], tally.count());
      return;
    }
    case TallyType::kDeadLetters:
      if (key.dim_count != 1) return;
      dead_lettered_ += tally.count();
      AddTo(&dead_by_topic_, dims[0], tally.count());
      return;
    case TallyType::kJudgments: {
      // classification, compartments, jurisdiction, rule, severity
      int severity = 0;
      if (key.dim_count != 5 || !InJurisdiction(dims[2]) || !Cleared(dims[0], dims[1]) ||
          !absl::SimpleAtoi(absl::string_view(dims[4].data(), dims[4].size()), &severity)) {
        return;
      }
      by_rule_severity_[{std::string(dims[3]), severity}] += tally.count();
      Accumulate(tally, &Entry(&by_rule_, dims[3]));
      Accumulate(tally, &judgments_);
      return;
    }
    case TallyType::kRejected:
      // classification, compartments, county (as given: may be invalid), source
      if (key.dim_count != 4 || !InJurisdiction(dims[2]) || !Cleared(dims[0], dims[1])) return;
      rejected_ += tally.count();
      AddTo(&rejected_by_county_, dims[2], tally.count());
      AddTo(&rejected_by_source_, dims[3], tally.count());
      return;
    case TallyType::kDeliveries:
      if (key.dim_count != 1 ||
          (!scope_.all_units && scope_.units.count(std::string(dims[0])) == 0)) {
        return;
      }
      Accumulate(tally, &Entry(&by_unit_, dims[0]));
      return;
  }
}

ReportResponse ReportBuilder::Finish() const {
  ReportResponse report;
  v1::CollectionFigures* collection = report.mutable_collection();
  collection->set_events(events_);
  CountsOut(by_county_, collection->mutable_by_county());
  CountsOut(by_source_, collection->mutable_by_source());
  CountsOut(by_kind_, collection->mutable_by_kind());
  collection->set_dead_lettered(dead_lettered_);
  CountsOut(dead_by_topic_, collection->mutable_dead_lettered_by_topic());
  collection->set_rejected(rejected_);
  CountsOut(rejected_by_county_, collection->mutable_rejected_by_county());
  CountsOut(rejected_by_source_, collection->mutable_rejected_by_source());

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
    precision->set_precision(
        decided == 0 ? 0.0 : static_cast<double>(tally.positive()) / static_cast<double>(decided));
  }
  return report;
}

}  // namespace infobus::supervision
