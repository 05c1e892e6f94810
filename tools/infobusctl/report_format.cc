#include "tools/infobusctl/report_format.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/infobusctl/cells.h"
#include "tools/infobusctl/csv.h"
#include "tools/infobusctl/text_table.h"

namespace infobus::ctl {
namespace {

using infobus::supervision::v1::Count;
using infobus::supervision::v1::OutcomeCount;
using infobus::supervision::v1::ReportResponse;
using infobus::supervision::v1::RulePrecision;
using infobus::supervision::v1::RuleSeverityCount;
using infobus::supervision::v1::UnitFigures;
using Align = TextTable::Align;
using Counts = google::protobuf::RepeatedPtrField<Count>;

const std::vector<std::string> kPeriodColumns = {"section", "since", "until", "utc_offset"};
const std::vector<std::string> kCountColumns = {"section", "key", "count"};
const std::vector<std::string> kRuleColumns = {"section", "rule", "severity", "judgments"};
const std::vector<std::string> kUnitColumns = {
    "section",       "unit",          "deliveries",
    "acknowledged",  "with_deadline", "acknowledged_within_deadline",
    "sla_share",     "signoff_p50_s", "signoff_p90_s",
    "signoff_p99_s", "escalated",     "feedback",
    "feedback_rate", "sent_back",     "approved"};
const std::vector<std::string> kOutcomeColumns = {"section", "unit", "outcome", "count"};
const std::vector<std::string> kPrecisionColumns = {"section",  "rule",     "judgments",
                                                    "positive", "negative", "precision"};

std::string Severity(const RuleSeverityCount& count) {
  return EnumCell(infobus::common::v1::Severity_Name(count.severity()), count.severity(),
                  "SEVERITY_");
}
std::string Outcome(const OutcomeCount& count) {
  return EnumCell(infobus::common::v1::FeedbackOutcome_Name(count.outcome()), count.outcome(),
                  "FEEDBACK_OUTCOME_");
}
// An unset percentile (no sign-off to measure) is "-" for people and empty for machines.
std::string Percentile(bool set, const google::protobuf::Duration& value, bool csv) {
  if (!set) return csv ? "" : "-";
  return csv ? SecondsCell(value) : DurationCell(value);
}

// A titled section: its table, or "(none)".
std::string Section(const std::string& title, const TextTable& table) {
  return absl::StrCat(title, "\n", table.empty() ? "  (none)\n" : table.Render());
}

std::string CountSection(const std::string& title, const std::string& key, const Counts& counts) {
  TextTable table({key, "COUNT"}, {Align::kLeft, Align::kRight});
  for (const Count& count : counts) table.AddRow({count.key(), absl::StrCat(count.count())});
  return Section(title, table);
}

std::vector<std::string> UnitRow(const UnitFigures& unit, const std::string& name) {
  return {name,
          absl::StrCat(unit.deliveries()),
          absl::StrCat(unit.acknowledged()),
          absl::StrCat(unit.acknowledged_within_deadline(), "/", unit.with_deadline()),
          PercentCell(unit.sla_share()),
          Percentile(unit.has_signoff_p50(), unit.signoff_p50(), false),
          Percentile(unit.has_signoff_p90(), unit.signoff_p90(), false),
          Percentile(unit.has_signoff_p99(), unit.signoff_p99(), false),
          absl::StrCat(unit.escalated()),
          absl::StrCat(unit.feedback()),
          PercentCell(unit.feedback_rate()),
          absl::StrCat(unit.sent_back()),
          absl::StrCat(unit.approved())};
}

std::string UnitRecord(const std::string& section, const UnitFigures& unit) {
  return CsvRecord(
      {section, unit.unit_id(), absl::StrCat(unit.deliveries()), absl::StrCat(unit.acknowledged()),
       absl::StrCat(unit.with_deadline()), absl::StrCat(unit.acknowledged_within_deadline()),
       RatioCell(unit.sla_share()), Percentile(unit.has_signoff_p50(), unit.signoff_p50(), true),
       Percentile(unit.has_signoff_p90(), unit.signoff_p90(), true),
       Percentile(unit.has_signoff_p99(), unit.signoff_p99(), true), absl::StrCat(unit.escalated()),
       absl::StrCat(unit.feedback()), RatioCell(unit.feedback_rate()),
       absl::StrCat(unit.sent_back()), absl::StrCat(unit.approved())});
}

}  // namespace

std::string ReportCsvColumns() {
  std::string columns;
  for (const auto* header : {&kPeriodColumns, &kCountColumns, &kRuleColumns, &kUnitColumns,
                             &kOutcomeColumns, &kPrecisionColumns}) {
    absl::StrAppend(&columns, absl::StrJoin(*header, ","), "\n");
  }
  return columns;
}

std::string ReportTable(const ReportResponse& response) {
  const absl::TimeZone zone = ZoneOfOffset(response.utc_offset());
  std::vector<std::string> sections;
  sections.push_back(absl::StrCat("report from ", TimeCell(response.since(), zone), " until ",
                                  TimeCell(response.until(), zone), " (local time UTC",
                                  response.utc_offset(), ")\n"));

  const auto& collection = response.collection();
  sections.push_back(absl::StrCat("collection: ", collection.events(), " events, ",
                                  collection.rejected(), " rejected, ", collection.dead_lettered(),
                                  " dead-lettered\n"));
  sections.push_back(CountSection("events by county", "COUNTY", collection.by_county()));
  sections.push_back(CountSection("events by source", "SOURCE", collection.by_source()));
  sections.push_back(CountSection("events by kind", "KIND", collection.by_kind()));
  sections.push_back(
      CountSection("rejected events by county", "COUNTY", collection.rejected_by_county()));
  sections.push_back(
      CountSection("rejected events by source", "SOURCE", collection.rejected_by_source()));
  sections.push_back(
      CountSection("dead letters by topic", "TOPIC", collection.dead_lettered_by_topic()));

  const auto& judgment = response.judgment();
  TextTable rules({"RULE", "SEVERITY", "JUDGMENTS"}, {Align::kLeft, Align::kLeft, Align::kRight});
  for (const RuleSeverityCount& count : judgment.by_rule()) {
    rules.AddRow({count.rule_id(), Severity(count), absl::StrCat(count.judgments())});
  }
  sections.push_back(
      Section(absl::StrCat("judgments: ", judgment.judgments(), " (confirmed ",
                           judgment.confirmed(), ", dismissed ", judgment.dismissed(),
                           ", unreviewed ", judgment.unreviewed(), "), by rule and severity"),
              rules));

  const auto& dispatch = response.dispatch();
  std::vector<Align> right(13, Align::kRight);
  right[0] = Align::kLeft;
  TextTable units({"UNIT", "DELIVERIES", "ACKNOWLEDGED", "IN DEADLINE", "SLA", "P50", "P90", "P99",
                   "ESCALATED", "FEEDBACK", "RATE", "SENT BACK", "APPROVED"},
                  right);
  for (const UnitFigures& unit : dispatch.units()) units.AddRow(UnitRow(unit, unit.unit_id()));
  if (dispatch.has_total()) units.AddRow(UnitRow(dispatch.total(), "(total)"));
  sections.push_back(Section("deliveries by unit (sign-off latency from delivery)", units));

  TextTable outcomes({"UNIT", "OUTCOME", "COUNT"}, {Align::kLeft, Align::kLeft, Align::kRight});
  for (const UnitFigures& unit : dispatch.units()) {
    for (const OutcomeCount& count : unit.outcomes()) {
      outcomes.AddRow({unit.unit_id(), Outcome(count), absl::StrCat(count.count())});
    }
  }
  for (const OutcomeCount& count : dispatch.total().outcomes()) {
    outcomes.AddRow({"(total)", Outcome(count), absl::StrCat(count.count())});
  }
  sections.push_back(Section("feedback outcomes by unit", outcomes));

  TextTable precision({"RULE", "JUDGMENTS", "POSITIVE", "NEGATIVE", "PRECISION"},
                      {Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight});
  for (const RulePrecision& rule : response.rules()) {
    precision.AddRow({rule.rule_id(), absl::StrCat(rule.judgments()), absl::StrCat(rule.positive()),
                      absl::StrCat(rule.negative()), PercentCell(rule.precision())});
  }
  sections.push_back(Section("rule precision (confirmed or handled/apprehended)", precision));
  return absl::StrJoin(sections, "\n");
}

std::string ReportCsv(const ReportResponse& response) {
  const absl::TimeZone zone = ZoneOfOffset(response.utc_offset());
  const std::string period = CsvRecord(kPeriodColumns) +
                             CsvRecord({"period", TimeCell(response.since(), zone),
                                        TimeCell(response.until(), zone), response.utc_offset()});

  const auto& collection = response.collection();
  const auto& judgment = response.judgment();
  std::string counts = CsvRecord(kCountColumns);
  auto total = [&counts](const std::string& section, int64_t count) {
    counts += CsvRecord({section, "", absl::StrCat(count)});
  };
  auto each = [&counts](const std::string& section, const Counts& list) {
    for (const Count& count : list) {
      counts += CsvRecord({section, count.key(), absl::StrCat(count.count())});
    }
  };
  total("events", collection.events());
  each("events_by_county", collection.by_county());
  each("events_by_source", collection.by_source());
  each("events_by_kind", collection.by_kind());
  total("rejected", collection.rejected());
  each("rejected_by_county", collection.rejected_by_county());
  each("rejected_by_source", collection.rejected_by_source());
  total("dead_lettered", collection.dead_lettered());
  each("dead_lettered_by_topic", collection.dead_lettered_by_topic());
  total("judgments", judgment.judgments());
  total("judgments_confirmed", judgment.confirmed());
  total("judgments_dismissed", judgment.dismissed());
  total("judgments_unreviewed", judgment.unreviewed());

  std::string rules = CsvRecord(kRuleColumns);
  for (const RuleSeverityCount& count : judgment.by_rule()) {
    rules += CsvRecord(
        {"judgments_by_rule", count.rule_id(), Severity(count), absl::StrCat(count.judgments())});
  }

  const auto& dispatch = response.dispatch();
  std::string units = CsvRecord(kUnitColumns);
  std::string outcomes = CsvRecord(kOutcomeColumns);
  for (const UnitFigures& unit : dispatch.units()) {
    units += UnitRecord("unit", unit);
    for (const OutcomeCount& count : unit.outcomes()) {
      outcomes +=
          CsvRecord({"outcome", unit.unit_id(), Outcome(count), absl::StrCat(count.count())});
    }
  }
  if (dispatch.has_total()) {
    units += UnitRecord("total", dispatch.total());
    for (const OutcomeCount& count : dispatch.total().outcomes()) {
      outcomes += CsvRecord({"outcome_total", "", Outcome(count), absl::StrCat(count.count())});
    }
  }

  std::string precision = CsvRecord(kPrecisionColumns);
  for (const RulePrecision& rule : response.rules()) {
    precision += CsvRecord({"rule_precision", rule.rule_id(), absl::StrCat(rule.judgments()),
                            absl::StrCat(rule.positive()), absl::StrCat(rule.negative()),
                            RatioCell(rule.precision())});
  }
  return absl::StrJoin({period, counts, rules, units, outcomes, precision}, "\r\n");
}

}  // namespace infobus::ctl
