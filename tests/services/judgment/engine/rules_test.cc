// Rules as data (rules.h): parsing and what a filter lets through.
#include "services/judgment/engine/rules.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/judgment/engine/engine_test_support.h"

namespace infobus::judgment::engine_test {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(RulesTest, ErrorsNameTheField) {
  auto check = [](const std::string& yaml, const std::string& field) {
    auto rules = ParseRules(yaml);
    ASSERT_FALSE(rules.ok()) << yaml;
    EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(rules.status().message().rfind(field, 0), 0u) << rules.status();
  };
  check("rules: []", "version");
  check("version: 1\nrules: [{id: a, version: 1, kind: nope}]", "rules[0].kind");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: hotspot, severity: high, group_by: [kind], "
      "window: 1h, threshold: 2}]",
      "rules[0].grace");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: hotspot, severity: high, group_by: [kind], "
      "window: 1hour, grace: 0s, threshold: 2}]",
      "rules[0].window");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: movement, severity: high, within: 1h, "
      "min_counties: 1}]",
      "rules[0].min_counties");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: correlation, severity: high, within: 1h, "
      "sequence: [tip]}]",
      "rules[0].sequence");
  check("version: 1\nrules: [{id: a, version: 1, kind: watchlist, threshold: 3}]",
        "rules[0].threshold");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: watchlist}, {id: a, version: 1, kind: "
      "watchlist}]",
      "rules[1].id");
  check("version: 1\nrules: [{id: a, version: 1, kind: watchlist, filter: {classification: x}}]",
        "rules[0].filter.classification");
  check("version: [", "rules file");
  // absl::ParseDuration reads "inf"; a rule's window, grace or within may not be endless.
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: hotspot, severity: high, group_by: [kind], "
      "window: inf, grace: 0s, threshold: 2}]",
      "rules[0].window");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: hotspot, severity: high, group_by: [kind], "
      "window: 1h, grace: inf, threshold: 2}]",
      "rules[0].grace");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: movement, severity: high, within: inf, "
      "min_counties: 2}]",
      "rules[0].within");
}

// Found by rules_fuzz: a rule without an id (or a kind) threw yaml-cpp's InvalidNode out of
// ParseRules, which ended the judgment service, at start or when the rules file changed.
TEST(RulesTest, ARuleWithoutIdOrKindIsRefusedNotThrown) {
  auto rules = ParseRules("version: 1\nrules:\n  - {kind: watchlist, severity: high}\n");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(), "rules[0].id: is required");
  rules = ParseRules("version: 1\nrules:\n  - {id: a, version: 1, severity: high}\n");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(), "rules[0].kind: is required");
}

TEST(RulesTest, ADirectRuleNamesItsKindsAndMayGiveAResponseDeadline) {
  auto rules = ParseRules(R"(
version: 1
rules:
  - id: petition-direct
    version: 2
    kind: direct
    severity: medium
    title: "Petition in {jurisdiction}"
    filter: {kinds: [petition, case.report]}
    response_deadline: 72h
)");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_THAT(rules->rules, SizeIs(1));
  const Rule& rule = rules->rules[0];
  EXPECT_EQ(rule.kind, RuleKind::kDirect);
  EXPECT_EQ(JudgmentKindOf(rule.kind), infobus::common::v1::JUDGMENT_KIND_DIRECT);
  EXPECT_STREQ(RuleKindName(rule.kind), "direct");
  EXPECT_EQ(rule.severity, infobus::common::v1::SEVERITY_MEDIUM);
  EXPECT_EQ(rule.title, "Petition in {jurisdiction}");
  EXPECT_THAT(rule.filter.kinds, ::testing::ElementsAre("petition", "case.report"));
  EXPECT_EQ(rule.response_deadline, absl::Hours(72));
  // Without one the judgment takes the routing file's deadline for its severity.
  rules = ParseRules(
      "version: 1\nrules: [{id: d, version: 1, kind: direct, severity: low, "
      "filter: {kinds: [petition]}}]");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rules[0].response_deadline, absl::ZeroDuration());
  EXPECT_FALSE(rules->rules[0].title.empty());
}

TEST(RulesTest, ADirectRuleWithoutKindsIsRefusedNamingTheField) {
  const std::string earlier = "{id: w, version: 1, kind: watchlist}, ";
  for (const std::string& filter : {std::string(), std::string(", filter: {counties: [\"45\"]}"),
                                    std::string(", filter: {kinds: []}")}) {
    auto rules = ParseRules("version: 1\nrules: [" + earlier +
                            "{id: d, version: 1, kind: direct, severity: low" + filter + "}]");
    ASSERT_FALSE(rules.ok()) << filter;
    EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(rules.status().message()),
              "rules[1].filter.kinds: a direct rule names the event kinds it takes")
        << filter;
  }
  // Settings of other kinds are not a direct rule's.
  auto rules = ParseRules(
      "version: 1\nrules: [{id: d, version: 1, kind: direct, severity: low, "
      "filter: {kinds: [petition]}, threshold: 3}]");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(std::string(rules.status().message()),
            "rules[0].threshold: is not a setting of a direct rule");
}

TEST(RulesTest, ABadResponseDeadlineIsRefusedNamingTheField) {
  for (const std::string deadline : {"3days", "-1h", "0s", "[1h]", "inf", "9000h"}) {
    auto rules = ParseRules(
        "version: 1\nrules: [{id: d, version: 1, kind: direct, severity: low, "
        "filter: {kinds: [petition]}, response_deadline: " +
        deadline + "}]");
    ASSERT_FALSE(rules.ok()) << deadline;
    EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(rules.status().message().rfind("rules[0].response_deadline: ", 0), 0u)
        << deadline << ": " << rules.status();
  }
  // Any rule kind may set one: its judgments then carry it too.
  auto rules = ParseRules(R"(
version: 1
rules:
  - {id: w, version: 1, kind: watchlist, response_deadline: 30m}
)");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rules[0].response_deadline, absl::Minutes(30));
}

TEST(RulesTest, SampleRulesFileParses) {
  std::ifstream in(std::string(INFOBUS_SOURCE_DIR) + "/deploy/config/rules.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto rules = ParseRules(text.str());
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rules.size(), 6u);
  // The sample petition rule: answered within days, not the severity's minutes.
  const Rule* petitions = nullptr;
  for (const Rule& rule : rules->rules) {
    if (rule.kind == RuleKind::kDirect) petitions = &rule;
  }
  ASSERT_NE(petitions, nullptr);
  EXPECT_THAT(petitions->filter.kinds, ::testing::Contains("petition"));
  EXPECT_EQ(petitions->response_deadline, absl::Hours(72));
  EXPECT_TRUE(petitions->needs_approval);
}

TEST(RulesTest, NeedsApprovalIsABooleanOfAnyRuleKind) {
  auto rules = ParseRules(R"(
version: 1
rules:
  - {id: w, version: 1, kind: watchlist, needs_approval: true}
  - {id: d, version: 1, kind: direct, severity: low, filter: {kinds: [petition]}}
  - {id: h, version: 1, kind: hotspot, severity: high, group_by: [kind], window: 1h, grace: 0s,
     threshold: 2, needs_approval: false}
)");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_TRUE(rules->rules[0].needs_approval);
  EXPECT_FALSE(rules->rules[1].needs_approval);  // left out: feedback closes
  EXPECT_FALSE(rules->rules[2].needs_approval);
  for (const std::string value : {"maybe", "[true]", "{a: b}", "2"}) {
    auto bad = ParseRules(
        "version: 1\nrules: [{id: w, version: 1, kind: watchlist}, {id: d, version: 1, "
        "kind: direct, severity: low, filter: {kinds: [petition]}, needs_approval: " +
        value + "}]");
    ASSERT_FALSE(bad.ok()) << value;
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(bad.status().message().rfind("rules[1].needs_approval: ", 0), 0u)
        << value << ": " << bad.status();
  }
}

using RuleFilterTest = EngineTest;

TEST_F(RuleFilterTest, FiltersOnCountyClassificationAndAttributes) {
  engine_.SetRules(Rules(R"(
version: 1
rules:
  - id: f
    version: 1
    kind: hotspot
    severity: low
    filter:
      counties: ["4514"]
      classification: confidential
      attributes: {weapon: "*", source_type: hotline}
    group_by: [source]
    window: 1h
    grace: 0s
    threshold: 1
)"));
  Event event = MakeEvent("a", kT0);
  (*event.mutable_attributes())["weapon"] = "knife";
  (*event.mutable_attributes())["source_type"] = "hotline";
  EXPECT_THAT(Feed(event), IsEmpty());  // classification too low
  event.set_classification(infobus::common::v1::CLASSIFICATION_SECRET);
  event.set_county_code("450110");
  EXPECT_THAT(Feed(event), IsEmpty());  // county outside 4514
  event.set_county_code("451421");
  (*event.mutable_attributes())["source_type"] = "walk-in";
  EXPECT_THAT(Feed(event), IsEmpty());  // attribute value differs
  (*event.mutable_attributes())["source_type"] = "hotline";
  event.set_event_id("b");
  EXPECT_THAT(Feed(event), SizeIs(1));
}

}  // namespace
}  // namespace infobus::judgment::engine_test
