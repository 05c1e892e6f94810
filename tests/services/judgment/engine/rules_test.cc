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

TEST(RulesTest, SampleRulesFileParses) {
  std::ifstream in(std::string(INFOBUS_SOURCE_DIR) + "/deploy/config/rules.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto rules = ParseRules(text.str());
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rules.size(), 5u);
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
