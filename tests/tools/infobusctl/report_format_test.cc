// `infobusctl report --format table|csv` of a sample monthly report, checked to the character:
// the period in the report's local time, one section per figure group, units with their SLA and
// sign-off percentiles (unset ones shown as such) and the scope's total, rule precision, and
// RFC 4180 quoting of keys with commas and quotes.
#include "tools/infobusctl/report_format.h"

#include <gtest/gtest.h>

namespace infobus::ctl {
namespace {

using infobus::supervision::v1::ReportResponse;
using infobus::supervision::v1::UnitFigures;

constexpr int64_t k20261031T160000Z = 1793462400;  // 2026-11-01T00:00:00+08:00
constexpr int64_t k20261130T160000Z = 1796054400;  // 2026-12-01T00:00:00+08:00

void AddCount(google::protobuf::RepeatedPtrField<infobus::supervision::v1::Count>* counts,
              const std::string& key, int64_t count) {
  auto* added = counts->Add();
  added->set_key(key);
  added->set_count(count);
}

void SetDuration(google::protobuf::Duration* duration, int64_t seconds, int32_t nanos = 0) {
  duration->set_seconds(seconds);
  duration->set_nanos(nanos);
}

void SetUnit(UnitFigures* unit, const std::string& id, int64_t deliveries, int64_t acknowledged,
             int64_t with_deadline, int64_t within, double sla, int64_t escalated, int64_t feedback,
             double rate) {
  unit->set_unit_id(id);
  unit->set_deliveries(deliveries);
  unit->set_acknowledged(acknowledged);
  unit->set_with_deadline(with_deadline);
  unit->set_acknowledged_within_deadline(within);
  unit->set_sla_share(sla);
  unit->set_escalated(escalated);
  unit->set_feedback(feedback);
  unit->set_feedback_rate(rate);
}

void AddOutcome(UnitFigures* unit, infobus::common::v1::FeedbackOutcome outcome, int64_t count) {
  auto* added = unit->add_outcomes();
  added->set_outcome(outcome);
  added->set_count(count);
}

// November 2026 for the Chongzuo units: fusui-psb signed most in time, longzhou-psb signed
// nothing (no percentiles), a source id with a comma and a kind with a quote to be quoted.
ReportResponse November() {
  ReportResponse response;
  response.mutable_since()->set_seconds(k20261031T160000Z);
  response.mutable_until()->set_seconds(k20261130T160000Z);
  response.set_utc_offset("+08:00");

  auto* collection = response.mutable_collection();
  collection->set_events(1234);
  AddCount(collection->mutable_by_county(), "451421", 1000);
  collection->set_rejected(2);
  AddCount(collection->mutable_rejected_by_county(), "451421", 2);
  AddCount(collection->mutable_rejected_by_source(), "fusui-lodging", 2);
  AddCount(collection->mutable_by_county(), "451423", 234);
  AddCount(collection->mutable_by_source(), "fusui-lodging", 1200);
  AddCount(collection->mutable_by_source(), "rail,north", 34);
  AddCount(collection->mutable_by_kind(), "lodging.checkin", 1200);
  AddCount(collection->mutable_by_kind(), "say \"ticket\"", 34);
  collection->set_dead_lettered(3);
  AddCount(collection->mutable_dead_lettered_by_topic(), "infobus.events.v1", 3);

  auto* judgment = response.mutable_judgment();
  judgment->set_judgments(12);
  judgment->set_confirmed(4);
  judgment->set_dismissed(1);
  judgment->set_unreviewed(7);
  auto* hits = judgment->add_by_rule();
  hits->set_rule_id("watchlist-hit");
  hits->set_severity(infobus::common::v1::SEVERITY_CRITICAL);
  hits->set_judgments(10);
  auto* movement = judgment->add_by_rule();
  movement->set_rule_id("movement-3-counties");
  movement->set_severity(infobus::common::v1::SEVERITY_HIGH);
  movement->set_judgments(2);

  auto* dispatch = response.mutable_dispatch();
  UnitFigures* fusui = dispatch->add_units();
  SetUnit(fusui, "fusui-psb", 10, 9, 10, 8, 0.8, 1, 5, 0.5);
  SetDuration(fusui->mutable_signoff_p50(), 90);
  SetDuration(fusui->mutable_signoff_p90(), 600);
  SetDuration(fusui->mutable_signoff_p99(), 3723, 500000000);
  AddOutcome(fusui, infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED, 2);
  AddOutcome(fusui, infobus::common::v1::FEEDBACK_OUTCOME_FALSE_POSITIVE, 3);
  UnitFigures* longzhou = dispatch->add_units();
  SetUnit(longzhou, "longzhou-psb", 2, 0, 2, 0, 0, 2, 0, 0);
  UnitFigures* total = dispatch->mutable_total();
  SetUnit(total, "", 12, 9, 12, 8, 2.0 / 3, 3, 5, 5.0 / 12);
  SetDuration(total->mutable_signoff_p50(), 90);
  SetDuration(total->mutable_signoff_p90(), 600);
  SetDuration(total->mutable_signoff_p99(), 3723, 500000000);
  AddOutcome(total, infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED, 2);
  AddOutcome(total, infobus::common::v1::FEEDBACK_OUTCOME_FALSE_POSITIVE, 3);

  auto* precise = response.add_rules();
  precise->set_rule_id("watchlist-hit");
  precise->set_judgments(10);
  precise->set_positive(6);
  precise->set_negative(2);
  precise->set_precision(0.75);
  auto* unknown = response.add_rules();
  unknown->set_rule_id("movement-3-counties");
  unknown->set_judgments(2);
  return response;
}

TEST(ReportTable, OneSectionPerFigureGroupInTheReportsLocalTime) {
  EXPECT_EQ(ReportTable(November()),
            "report from 2026-11-01T00:00:00+08:00 until 2026-12-01T00:00:00+08:00 (local time "
            "UTC+08:00)\n"
            "\n"
            "collection: 1234 events, 2 rejected, 3 dead-lettered\n"
            "\n"
            "events by county\n"
            "COUNTY  COUNT\n"
            "451421   1000\n"
            "451423    234\n"
            "\n"
            "events by source\n"
            "SOURCE         COUNT\n"
            "fusui-lodging   1200\n"
            "rail,north        34\n"
            "\n"
            "events by kind\n"
            "KIND             COUNT\n"
            "lodging.checkin   1200\n"
            "say \"ticket\"        34\n"
            "\n"
            "rejected events by county\n"
            "COUNTY  COUNT\n"
            "451421      2\n"
            "\n"
            "rejected events by source\n"
            "SOURCE         COUNT\n"
            "fusui-lodging      2\n"
            "\n"
            "dead letters by topic\n"
            "TOPIC              COUNT\n"
            "infobus.events.v1      3\n"
            "\n"
            "judgments: 12 (confirmed 4, dismissed 1, unreviewed 7), by rule and severity\n"
            "RULE                 SEVERITY  JUDGMENTS\n"
            "watchlist-hit        critical         10\n"
            "movement-3-counties  high              2\n"
            "\n"
            "deliveries by unit (sign-off latency from delivery)\n"
            "UNIT          DELIVERIES  ACKNOWLEDGED  IN DEADLINE    SLA    P50  P90       P99  "
            "ESCALATED  FEEDBACK   RATE  SENT BACK  APPROVED\n"
            "fusui-psb             10             9         8/10  80.0%  1m30s  10m  1h2m3.5s  "
            "        1         5  50.0%          0         0\n"
            "longzhou-psb           2             0          0/2   0.0%      -    -         -  "
            "        2         0   0.0%          0         0\n"
            "(total)               12             9         8/12  66.7%  1m30s  10m  1h2m3.5s  "
            "        3         5  41.7%          0         0\n"
            "\n"
            "feedback outcomes by unit\n"
            "UNIT       OUTCOME         COUNT\n"
            "fusui-psb  apprehended         2\n"
            "fusui-psb  false_positive      3\n"
            "(total)    apprehended         2\n"
            "(total)    false_positive      3\n"
            "\n"
            "rule precision (confirmed or handled/apprehended)\n"
            "RULE                 JUDGMENTS  POSITIVE  NEGATIVE  PRECISION\n"
            "watchlist-hit               10         6         2      75.0%\n"
            "movement-3-counties          2         0         0       0.0%\n");
}

TEST(ReportCsv, SixTablesEachRecordNamedByItsSectionKeysQuoted) {
  EXPECT_EQ(ReportCsv(November()),
            "section,since,until,utc_offset\r\n"
            "period,2026-11-01T00:00:00+08:00,2026-12-01T00:00:00+08:00,+08:00\r\n"
            "\r\n"
            "section,key,count\r\n"
            "events,,1234\r\n"
            "events_by_county,451421,1000\r\n"
            "events_by_county,451423,234\r\n"
            "events_by_source,fusui-lodging,1200\r\n"
            "events_by_source,\"rail,north\",34\r\n"
            "events_by_kind,lodging.checkin,1200\r\n"
            "events_by_kind,\"say \"\"ticket\"\"\",34\r\n"
            "rejected,,2\r\n"
            "rejected_by_county,451421,2\r\n"
            "rejected_by_source,fusui-lodging,2\r\n"
            "dead_lettered,,3\r\n"
            "dead_lettered_by_topic,infobus.events.v1,3\r\n"
            "judgments,,12\r\n"
            "judgments_confirmed,,4\r\n"
            "judgments_dismissed,,1\r\n"
            "judgments_unreviewed,,7\r\n"
            "\r\n"
            "section,rule,severity,judgments\r\n"
            "judgments_by_rule,watchlist-hit,critical,10\r\n"
            "judgments_by_rule,movement-3-counties,high,2\r\n"
            "\r\n"
            "section,unit,deliveries,acknowledged,with_deadline,acknowledged_within_deadline,"
            "sla_share,signoff_p50_s,signoff_p90_s,signoff_p99_s,escalated,feedback,"
            "feedback_rate,sent_back,approved\r\n"
            "unit,fusui-psb,10,9,10,8,0.8,90,600,3723.5,1,5,0.5,0,0\r\n"
            "unit,longzhou-psb,2,0,2,0,0,,,,2,0,0,0,0\r\n"
            "total,,12,9,12,8,0.6666666666666666,90,600,3723.5,3,5,0.4166666666666667,0,0\r\n"
            "\r\n"
            "section,unit,outcome,count\r\n"
            "outcome,fusui-psb,apprehended,2\r\n"
            "outcome,fusui-psb,false_positive,3\r\n"
            "outcome_total,,apprehended,2\r\n"
            "outcome_total,,false_positive,3\r\n"
            "\r\n"
            "section,rule,judgments,positive,negative,precision\r\n"
            "rule_precision,watchlist-hit,10,6,2,0.75\r\n"
            "rule_precision,movement-3-counties,2,0,0,0\r\n");
}

TEST(ReportTable, AnEmptyReportSaysNoneInEverySection) {
  const std::string table = ReportTable(ReportResponse());
  EXPECT_EQ(table.substr(0, 60), "report from  until  (local time UTC)\n\ncollection: 0 events, ");
  size_t nones = 0;
  for (size_t at = table.find("(none)"); at != std::string::npos;
       at = table.find("(none)", at + 1)) {
    ++nones;
  }
  EXPECT_EQ(nones, 10u) << table;
}

TEST(ReportCsv, TheHeadersForHelpAreThoseOfTheTables) {
  EXPECT_EQ(ReportCsvColumns(),
            "section,since,until,utc_offset\n"
            "section,key,count\n"
            "section,rule,severity,judgments\n"
            "section,unit,deliveries,acknowledged,with_deadline,acknowledged_within_deadline,"
            "sla_share,signoff_p50_s,signoff_p90_s,signoff_p99_s,escalated,feedback,"
            "feedback_rate,sent_back,approved\n"
            "section,unit,outcome,count\n"
            "section,rule,judgments,positive,negative,precision\n");
}

}  // namespace
}  // namespace infobus::ctl
