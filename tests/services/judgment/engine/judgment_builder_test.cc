// What every judgment takes from its evidence (judgment_builder.h): labels.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "infobus/judgment/storage/v1/judgment_state.pb.h"
#include "services/judgment/engine/engine.h"
#include "tests/services/judgment/engine/engine_test_support.h"

namespace infobus::judgment::engine_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using JudgmentBuilderTest = EngineTest;

TEST_F(JudgmentBuilderTest, ClassificationIsTheHighestOfTheEvidence) {
  engine_.SetRules(Rules(kHotspotRules));
  Event secret = MakeEvent("b", kT0 + absl::Minutes(2));
  secret.set_classification(infobus::common::v1::CLASSIFICATION_SECRET);
  Feed(MakeEvent("a", kT0 + absl::Minutes(1)));
  Feed(secret);
  auto fired = Feed(MakeEvent("c", kT0 + absl::Minutes(3)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].classification(), infobus::common::v1::CLASSIFICATION_SECRET);
}

TEST_F(JudgmentBuilderTest, CompartmentsAreTheUnionOfTheEvidence) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(WithCompartments(MakeEvent("a", kT0 + absl::Minutes(1)), {"informant"}));
  Feed(WithCompartments(MakeEvent("b", kT0 + absl::Minutes(2)), {"border", "informant"}));
  auto fired = Feed(MakeEvent("c", kT0 + absl::Minutes(3)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_THAT(fired[0].compartments(), ElementsAre("border", "informant"));
  ASSERT_EQ(fired[0].evidence_size(), 3);
  EXPECT_THAT(fired[0].evidence(1).compartments(), ElementsAre("border", "informant"));
  EXPECT_THAT(fired[0].evidence(2).compartments(), IsEmpty());
}

TEST_F(JudgmentBuilderTest, NoCompartmentedEvidenceNoCompartments) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(MakeEvent("a", kT0 + absl::Minutes(1)));
  Feed(MakeEvent("b", kT0 + absl::Minutes(2)));
  auto fired = Feed(MakeEvent("c", kT0 + absl::Minutes(3)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_THAT(fired[0].compartments(), IsEmpty());
}

// The evidence a window or a subject's sightings keep in the store carries the compartments, so
// a judgment made after a restart from stored evidence is as restricted as one made before.
TEST_F(JudgmentBuilderTest, CompartmentsSurviveInStoredEvidenceOfWindowsAndPatterns) {
  const RuleSet rules = Rules(std::string(kHotspotRules) + kCrossCountyRule);
  engine_.SetRules(rules);
  Feed(WithCompartments(MakeEvent("a", kT0 + absl::Minutes(1), "alarm.call", "451421", kPerson),
                        {"informant"}));
  Feed(WithCompartments(MakeEvent("b", kT0 + absl::Minutes(2), "alarm.call", "451481", kPerson),
                        {"border"}));
  std::unique_ptr<Engine> restarted = Restarted(rules);
  auto fired = ProcessOk(*restarted,
                         MakeEvent("c", kT0 + absl::Minutes(3), "alarm.call", "451422", kPerson));
  ASSERT_THAT(fired, SizeIs(2));
  for (const Judgment& judgment : fired) {
    EXPECT_THAT(judgment.compartments(), ElementsAre("border", "informant")) << judgment.rule_id();
    ASSERT_EQ(judgment.evidence_size(), 3) << judgment.rule_id();
    EXPECT_THAT(judgment.evidence(0).compartments(), ElementsAre("informant"));
  }
}

}  // namespace
}  // namespace infobus::judgment::engine_test
