// Correlation rules (correlation_rule.h, over pattern_rules.h): every kind within T, in order or
// not.
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

using CorrelationRuleTest = EngineTest;

constexpr char kCorrelationRules[] = R"(
version: 1
rules:
  - id: lodging-then-netcafe
    version: 1
    kind: correlation
    severity: high
    sequence: [lodging.checkin, netcafe.login]
    ordered: true
    within: 2h
  - id: any-order
    version: 1
    kind: correlation
    severity: low
    sequence: [vehicle.pass, alarm.call]
    within: 30m
)";

TEST_F(CorrelationRuleTest, OrderedCorrelationNeedsTheOrder) {
  engine_.SetRules(Rules(kCorrelationRules));
  EXPECT_THAT(Feed(MakeEvent("n", kT0, "netcafe.login", "451421", kPerson)), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("l", kT0 + absl::Minutes(10), "lodging.checkin", "451421", kPerson)),
              IsEmpty());
  auto fired = Feed(MakeEvent("n2", kT0 + absl::Minutes(90), "netcafe.login", "451421", kPerson));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].kind(), infobus::common::v1::JUDGMENT_KIND_CORRELATION);
  ASSERT_EQ(fired[0].evidence_size(), 2);
  EXPECT_EQ(fired[0].evidence(0).event_id(), "l");
  EXPECT_EQ(fired[0].evidence(1).event_id(), "n2");
  EXPECT_EQ(fired[0].jurisdiction_code(), "451421");
}

TEST_F(CorrelationRuleTest, CorrelationOutsideTDoesNotFire) {
  engine_.SetRules(Rules(kCorrelationRules));
  Feed(MakeEvent("l", kT0, "lodging.checkin", "451421", kPerson));
  EXPECT_THAT(Feed(MakeEvent("n", kT0 + absl::Hours(2) + absl::Seconds(1), "netcafe.login",
                             "451421", kPerson)),
              IsEmpty());
  // Unordered: either order within 30 minutes.
  Feed(MakeEvent("a", kT0 + absl::Hours(3), "alarm.call", "451421", kPerson));
  EXPECT_THAT(Feed(MakeEvent("v", kT0 + absl::Hours(3) + absl::Minutes(29), "vehicle.pass",
                             "451421", kPerson)),
              SizeIs(1));
}

}  // namespace
}  // namespace infobus::judgment::engine_test
