// The rule index and the reload diff (rule_index.h).
#include "services/judgment/engine/rule_index.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/judgment/engine/engine_test_support.h"

namespace infobus::judgment::engine_test {
namespace {

using engine::RuleIndex;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr char kRules[] = R"(
version: 1
rules:
  - {id: watch, version: 1, kind: watchlist, severity: high}
  - {id: hot, version: 1, kind: hotspot, severity: low, filter: {kinds: [tip, alarm.call]},
     group_by: [kind], window: 1h, grace: 0s, threshold: 2}
  - {id: corr, version: 1, kind: correlation, severity: low, sequence: [tip, petition],
     within: 1h}
  - {id: move, version: 1, kind: movement, severity: low, min_counties: 2, within: 1h}
)";

std::vector<std::string> Ids(const RuleIndex::KindRules* list) {
  std::vector<std::string> ids;
  if (list == nullptr) return ids;
  for (const Rule* rule : list->rules) ids.push_back(rule->id);
  return ids;
}

TEST(RuleIndexTest, AnEventsCandidatesAreItsKindsRulesAndThoseOfEveryKind) {
  const RuleSet rules = Rules(kRules);
  RuleIndex index;
  index.Rebuild(rules);
  RuleIndex::Candidates tip = index.For("tip");
  EXPECT_THAT(Ids(tip.lists[0]), ElementsAre("hot", "corr"));  // a correlation's: its sequence
  EXPECT_EQ(tip.lists[0]->pattern_rules, 1);
  EXPECT_THAT(Ids(tip.lists[1]), ElementsAre("watch", "move"));
  EXPECT_EQ(tip.lists[1]->pattern_rules, 1);
  EXPECT_EQ(index.For("lodging.checkin").lists[0], nullptr);
  EXPECT_EQ(index.Find("move"), &rules.rules[3]);
  EXPECT_EQ(index.Find("nope"), nullptr);
}

TEST(RuleIndexTest, AReloadDropsTheStateOfChangedAndRemovedRules) {
  const RuleSet before = Rules(kRules);
  const RuleSet after = Rules(R"(
version: 2
rules:
  - {id: watch, version: 1, kind: watchlist, severity: high}
  - {id: hot, version: 2, kind: hotspot, severity: low, filter: {kinds: [tip, alarm.call]},
     group_by: [kind], window: 1h, grace: 0s, threshold: 2}
  - {id: new, version: 1, kind: watchlist, severity: low}
)");
  absl::flat_hash_set<std::string> dropped;
  const engine::ReloadSummary summary = engine::DiffRules(before, after, dropped);
  EXPECT_THAT(summary.added, ElementsAre("new"));
  EXPECT_THAT(summary.changed, ElementsAre("hot"));
  EXPECT_THAT(summary.removed, ElementsAre("corr", "move"));
  EXPECT_THAT(summary.kept, ElementsAre("watch"));
  EXPECT_THAT(dropped, UnorderedElementsAre("hot", "corr", "move"));

  RuleIndex index;
  index.Rebuild(after);
  const auto moved = index.Moved(before);
  EXPECT_EQ(moved.at(&before.rules[0]), &after.rules[0]);
  EXPECT_EQ(moved.at(&before.rules[2]), nullptr);
}

}  // namespace
}  // namespace infobus::judgment::engine_test
