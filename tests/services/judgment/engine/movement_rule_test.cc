// Movement rules (movement_rule.h, over pattern_rules.h): N counties within T.
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

using MovementRuleTest = EngineTest;

constexpr char kMovementRules[] = R"(
version: 1
rules:
  - id: cross-county
    version: 2
    kind: movement
    severity: medium
    min_counties: 3
    within: 6h
    filter: {subject_types: [id_number]}
)";

TEST_F(MovementRuleTest, MovementInThreeCountiesWithinTFires) {
  engine_.SetRules(Rules(kMovementRules));
  EXPECT_THAT(Feed(MakeEvent("a", kT0, "lodging.checkin", "451421", kPerson)), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("b", kT0 + absl::Hours(1), "netcafe.login", "451421", kPerson)),
              IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("c", kT0 + absl::Hours(2), "vehicle.pass", "451481", kPerson)),
              IsEmpty());
  auto fired = Feed(MakeEvent("d", kT0 + absl::Hours(5), "lodging.checkin", "450110", kPerson));
  ASSERT_THAT(fired, SizeIs(1));
  const Judgment& judgment = fired[0];
  EXPECT_EQ(judgment.kind(), infobus::common::v1::JUDGMENT_KIND_MOVEMENT);
  EXPECT_EQ(judgment.rule_version(), 2);
  EXPECT_EQ(judgment.judgment_id(), StableId({"cross-county", std::string("ID_NUMBER:") + kPerson,
                                              absl::StrCat(absl::ToUnixNanos(kT0))}));
  ASSERT_EQ(judgment.evidence_size(), 3);
  EXPECT_EQ(judgment.evidence(0).event_id(), "a");
  EXPECT_EQ(judgment.evidence(1).event_id(), "c");
  EXPECT_EQ(judgment.evidence(2).event_id(), "d");
  EXPECT_EQ(judgment.jurisdiction_code(), "45");
  EXPECT_EQ(FromProtoTimestamp(judgment.window_end()), kT0 + absl::Hours(5));
  // The trip goes on: no second judgment from the same evidence.
  EXPECT_THAT(Feed(MakeEvent("e", kT0 + absl::Hours(5), "tip", "450110", kPerson)), IsEmpty());
}

TEST_F(MovementRuleTest, MovementSpreadWiderThanTDoesNotFire) {
  engine_.SetRules(Rules(kMovementRules));
  Feed(MakeEvent("a", kT0, "lodging.checkin", "451421", kPerson));
  Feed(MakeEvent("b", kT0 + absl::Hours(4), "lodging.checkin", "451481", kPerson));
  EXPECT_THAT(Feed(MakeEvent("c", kT0 + absl::Hours(6) + absl::Seconds(1), "lodging.checkin",
                             "450110", kPerson)),
              IsEmpty());
  // Another person in the same counties is another subject.
  Feed(MakeEvent("p", kT0, "lodging.checkin", "451421", "110105194912310029"));
  EXPECT_THAT(Feed(MakeEvent("q", kT0, "lodging.checkin", "451481", "110105194912310029")),
              IsEmpty());
}

TEST_F(MovementRuleTest, MovementOutOfOrderWithinGraceFires) {
  RuleSet rules = Rules(R"(
version: 1
rules:
  - id: cross-county
    version: 1
    kind: movement
    severity: medium
    min_counties: 2
    within: 1h
    grace: 30m
)");
  engine_.SetRules(rules);
  Feed(MakeEvent("a", kT0 + absl::Hours(3), "lodging.checkin", "451421", kPerson));
  // 1h20 behind stream time: within `within` + grace, and within 1h of nothing... then 1h50.
  EXPECT_THAT(
      Feed(MakeEvent("b", kT0 + absl::Hours(2) + absl::Minutes(10), "tip", "451481", kPerson)),
      SizeIs(1));
  // Past within + grace: dropped.
  EXPECT_THAT(Feed(MakeEvent("c", kT0, "tip", "450110", kPerson)), IsEmpty());
  EXPECT_EQ(engine_.stats().late_dropped, 1);
}

}  // namespace
}  // namespace infobus::judgment::engine_test
