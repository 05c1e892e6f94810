#include "services/dispatch/router.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/dispatch/unit_directory.h"

namespace infobus::dispatch {
namespace {

using infobus::common::v1::Judgment;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The hierarchy of deploy/config/dispatch.yaml: region, two cities, three counties.
UnitDirectory GuangxiUnits() {
  absl::StatusOr<UnitDirectory> directory = UnitDirectory::FromUnits({
      {"guangxi-ops", "广西壮族自治区公安厅指挥中心", {"45"}, ""},
      {"chongzuo-ops", "崇左市公安局指挥中心", {"4514"}, "guangxi-ops"},
      {"fusui-psb", "扶绥县公安局", {"451421"}, "chongzuo-ops"},
      {"pingxiang-psb", "凭祥市公安局", {"451481"}, "chongzuo-ops"},
      {"nanning-ops", "南宁市公安局指挥中心", {"4501"}, "guangxi-ops"},
      {"wuming-psb", "南宁市武鸣区公安分局", {"450110"}, "nanning-ops"},
  });
  EXPECT_TRUE(directory.ok()) << directory.status();
  return directory.ok() ? *std::move(directory) : UnitDirectory();
}

Judgment At(const std::string& jurisdiction_code) {
  Judgment judgment;
  judgment.set_judgment_id("0123456789abcdef0123456789abcdef");
  judgment.set_jurisdiction_code(jurisdiction_code);
  return judgment;
}

TEST(Router, CountyJudgmentGoesToTheCountyAndEveryUnitAboveIt) {
  const UnitDirectory units = GuangxiUnits();
  const Router router(&units);
  EXPECT_THAT(router.Route(At("451421")), ElementsAre("guangxi-ops", "chongzuo-ops", "fusui-psb"));
  EXPECT_THAT(router.Route(At("450110")), ElementsAre("guangxi-ops", "nanning-ops", "wuming-psb"));
  EXPECT_THAT(router.Route(At("451481")),
              ElementsAre("guangxi-ops", "chongzuo-ops", "pingxiang-psb"));
}

TEST(Router, PoliceUnitCodeExtendingACountyRoutesLikeTheCounty) {
  const UnitDirectory units = GuangxiUnits();
  const Router router(&units);
  EXPECT_THAT(router.Route(At("4514210003")),
              ElementsAre("guangxi-ops", "chongzuo-ops", "fusui-psb"));
}

TEST(Router, CityLevelJudgmentDoesNotReachTheCounties) {
  const UnitDirectory units = GuangxiUnits();
  const Router router(&units);
  EXPECT_THAT(router.Route(At("4514")), ElementsAre("guangxi-ops", "chongzuo-ops"));
  // Another county of the same city reaches the city but none of the configured counties.
  EXPECT_THAT(router.Route(At("451422")), ElementsAre("guangxi-ops", "chongzuo-ops"));
}

TEST(Router, NoMatchingUnitGivesNoTargets) {
  const UnitDirectory units = GuangxiUnits();
  const Router router(&units);
  EXPECT_THAT(router.Route(At("110105")), IsEmpty());
  EXPECT_THAT(router.Route(At("")), IsEmpty());
  EXPECT_THAT(router.Route(At("4")), IsEmpty());  // shorter than every prefix
}

TEST(Router, UnitWithSeveralMatchingJurisdictionsAppearsOnce) {
  absl::StatusOr<UnitDirectory> units = UnitDirectory::FromUnits({
      {"border-ops", "Border", {"4514", "451421", "451481"}, ""},
      {"fusui-psb", "Fusui", {"451421"}, ""},
  });
  ASSERT_TRUE(units.ok()) << units.status();
  const Router router(&*units);
  EXPECT_THAT(router.Route(At("451421")), ElementsAre("border-ops", "fusui-psb"));
  EXPECT_THAT(router.Route(At("451481")), ElementsAre("border-ops"));
}

TEST(Router, EmptyDirectoryRoutesNowhere) {
  const UnitDirectory units;
  const Router router(&units);
  EXPECT_THAT(router.Route(At("451421")), IsEmpty());
}

}  // namespace
}  // namespace infobus::dispatch
