#include "services/supervision/report_builder.h"

#include <gtest/gtest.h>

namespace infobus::supervision {
namespace {

storage::v1::Tally Count(int64_t count) {
  storage::v1::Tally tally;
  tally.set_count(count);
  return tally;
}

TallyKey EventTally(const std::string& classification, const std::string& compartments,
                    const std::string& jurisdiction) {
  return {10, TallyType::kEvents,
          {classification, compartments, jurisdiction, jurisdiction.substr(0, 6), "src", "tip"}};
}

TEST(ReportBuilderTest, KeepsOnlyTheScopesJurisdictionsUnitsAndWhatTheCallerIsClearedFor) {
  ReportScope scope;
  scope.jurisdictions = {"451421"};
  scope.units = {"fusui-psb"};
  scope.clearance = infobus::common::v1::CLASSIFICATION_CONFIDENTIAL;
  scope.compartments = {"border"};
  ReportBuilder builder(scope);
  builder.Add(EventTally("2", "", "451421"), Count(5));            // in
  builder.Add(EventTally("3", "border", "45142101"), Count(7));    // in: below the prefix
  builder.Add(EventTally("4", "", "451421"), Count(100));          // SECRET: out
  builder.Add(EventTally("2", "informant", "451421"), Count(100)); // compartment not held
  builder.Add(EventTally("2", "", "451422"), Count(100));          // another county
  builder.Add(TallyKey{10, TallyType::kDeliveries, {"fusui-psb"}}, Count(3));
  builder.Add(TallyKey{10, TallyType::kDeliveries, {"pingxiang-psb"}}, Count(100));
  builder.Add(TallyKey{10, TallyType::kDeadLetters, {"infobus.events.v1"}}, Count(2));
  const auto report = builder.Finish();
  EXPECT_EQ(report.collection().events(), 12);
  EXPECT_EQ(report.collection().dead_lettered(), 2);
  ASSERT_EQ(report.dispatch().units_size(), 1);
  EXPECT_EQ(report.dispatch().units(0).deliveries(), 3);
  EXPECT_EQ(report.dispatch().total().deliveries(), 3);
  EXPECT_DOUBLE_EQ(report.dispatch().total().sla_share(), 1.0);  // nothing had a deadline
}

TEST(ReportBuilderTest, SumsJudgmentsPerRuleAndSeverityAcrossHours) {
  ReportScope everything;
  everything.all_jurisdictions = everything.all_units = everything.any_clearance = true;
  ReportBuilder builder(everything);
  storage::v1::Tally confirmed = Count(2);
  confirmed.set_confirmed(1);
  confirmed.set_positive(1);
  storage::v1::Tally negative = Count(1);
  negative.set_negative(1);
  builder.Add(TallyKey{10, TallyType::kJudgments, {"2", "", "4514", "hotspot", "3"}}, confirmed);
  builder.Add(TallyKey{11, TallyType::kJudgments, {"2", "", "4514", "hotspot", "3"}}, negative);
  builder.Add(TallyKey{11, TallyType::kJudgments, {"2", "", "4514", "hotspot", "4"}}, Count(4));
  const auto report = builder.Finish();
  EXPECT_EQ(report.judgment().judgments(), 7);
  EXPECT_EQ(report.judgment().confirmed(), 1);
  EXPECT_EQ(report.judgment().unreviewed(), 6);
  ASSERT_EQ(report.judgment().by_rule_size(), 2);
  EXPECT_EQ(report.judgment().by_rule(0).judgments(), 3);
  EXPECT_EQ(report.judgment().by_rule(1).judgments(), 4);
  ASSERT_EQ(report.rules_size(), 1);
  EXPECT_DOUBLE_EQ(report.rules(0).precision(), 0.5);
}

}  // namespace
}  // namespace infobus::supervision
