#include "services/dispatch/router.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "infobus/common/v1/judgment.pb.h"
#include "services/dispatch/routing_table.h"
#include "services/dispatch/unit_directory.h"
#include "yaml-cpp/yaml.h"

namespace infobus::dispatch {
namespace {

using infobus::common::v1::Judgment;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The hierarchy of deploy/config/dispatch.yaml: region, two cities, three counties.
UnitDirectory GuangxiUnits() {
  absl::StatusOr<UnitDirectory> directory = UnitDirectory::FromUnits({
      {"guangxi-ops", "广西壮族自治区公安厅指挥中心", {"45"}, "", std::nullopt},
      {"chongzuo-ops", "崇左市公安局指挥中心", {"4514"}, "guangxi-ops", std::nullopt},
      {"fusui-psb", "扶绥县公安局", {"451421"}, "chongzuo-ops", std::nullopt},
      {"pingxiang-psb", "凭祥市公安局", {"451481"}, "chongzuo-ops", std::nullopt},
      {"nanning-ops", "南宁市公安局指挥中心", {"4501"}, "guangxi-ops", std::nullopt},
      {"wuming-psb", "南宁市武鸣区公安分局", {"450110"}, "nanning-ops", std::nullopt},
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
  const RoutingTable table = RoutingTable::ForUnits(GuangxiUnits());
  const Router router(&table);
  EXPECT_THAT(router.Route(At("451421")), ElementsAre("guangxi-ops", "chongzuo-ops", "fusui-psb"));
  EXPECT_THAT(router.Route(At("450110")), ElementsAre("guangxi-ops", "nanning-ops", "wuming-psb"));
  EXPECT_THAT(router.Route(At("451481")),
              ElementsAre("guangxi-ops", "chongzuo-ops", "pingxiang-psb"));
}

TEST(Router, PoliceUnitCodeExtendingACountyRoutesLikeTheCounty) {
  const RoutingTable table = RoutingTable::ForUnits(GuangxiUnits());
  const Router router(&table);
  EXPECT_THAT(router.Route(At("4514210003")),
              ElementsAre("guangxi-ops", "chongzuo-ops", "fusui-psb"));
}

TEST(Router, CityLevelJudgmentDoesNotReachTheCounties) {
  const RoutingTable table = RoutingTable::ForUnits(GuangxiUnits());
  const Router router(&table);
  EXPECT_THAT(router.Route(At("4514")), ElementsAre("guangxi-ops", "chongzuo-ops"));
  // Another county of the same city reaches the city but none of the configured counties.
  EXPECT_THAT(router.Route(At("451422")), ElementsAre("guangxi-ops", "chongzuo-ops"));
}

TEST(Router, NoMatchingUnitGivesNoTargets) {
  const RoutingTable table = RoutingTable::ForUnits(GuangxiUnits());
  const Router router(&table);
  EXPECT_THAT(router.Route(At("110105")), IsEmpty());
  EXPECT_THAT(router.Route(At("")), IsEmpty());
  EXPECT_THAT(router.Route(At("4")), IsEmpty());  // shorter than every prefix
}

TEST(Router, UnitWithSeveralMatchingJurisdictionsAppearsOnce) {
  absl::StatusOr<UnitDirectory> units = UnitDirectory::FromUnits({
      {"border-ops", "Border", {"4514", "451421", "451481"}, "", std::nullopt},
      {"fusui-psb", "Fusui", {"451421"}, "", std::nullopt},
  });
  ASSERT_TRUE(units.ok()) << units.status();
  const RoutingTable table = RoutingTable::ForUnits(*units);
  const Router router(&table);
  EXPECT_THAT(router.Route(At("451421")), ElementsAre("border-ops", "fusui-psb"));
  EXPECT_THAT(router.Route(At("451481")), ElementsAre("border-ops"));
}

TEST(Router, EmptyDirectoryRoutesNowhere) {
  const RoutingTable table = RoutingTable::ForUnits(UnitDirectory());
  const Router router(&table);
  EXPECT_THAT(router.Route(At("451421")), IsEmpty());
}

// The routing tree of a routing file, over the Guangxi hierarchy with a border task force.
RoutingTable Tree(const std::string& routes_yaml) {
  const std::string yaml = std::string(R"(
units:
  - {id: guangxi-ops, jurisdictions: ["45"]}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops}
  - {id: fusui-xinning-station, jurisdictions: ["45142101"], supervisor: fusui-psb,
     duty_hours: "08:00-20:00"}
  - {id: pingxiang-psb, jurisdictions: ["451481"], supervisor: chongzuo-ops}
  - {id: nanning-ops, jurisdictions: ["4501"], supervisor: guangxi-ops}
  - {id: wuming-psb, jurisdictions: ["450110"], supervisor: nanning-ops}
  - {id: border-task-force, supervisor: chongzuo-ops}
)") + routes_yaml;
  absl::StatusOr<RoutingTable> table = RoutingTable::FromYaml(YAML::Load(yaml));
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : RoutingTable::ForUnits(UnitDirectory());
}

Judgment Make(
    const std::string& code, infobus::common::v1::Severity severity,
    infobus::common::v1::JudgmentKind kind = infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT,
    const std::string& rule = "watchlist-hit") {
  Judgment judgment = At(code);
  judgment.set_severity(severity);
  judgment.set_kind(kind);
  judgment.set_rule_id(rule);
  return judgment;
}

TEST(RoutingTree, MostSpecificSendsToTheDeepestCoveringUnitOnly) {
  const RoutingTable table = Tree(R"(
routes:
  - {send_to_jurisdiction: most_specific}
)");
  const Router router(&table);
  EXPECT_THAT(router.Route(Make("451421", infobus::common::v1::SEVERITY_HIGH)),
              ElementsAre("fusui-psb"));
  // A station code under Fusui: the station is the most specific.
  Judgment station = Make("4514210155", infobus::common::v1::SEVERITY_HIGH);
  EXPECT_THAT(router.Route(station), ElementsAre("fusui-xinning-station"));
  // Another county of Chongzuo with no unit of its own: the city.
  EXPECT_THAT(router.Route(Make("451422", infobus::common::v1::SEVERITY_HIGH)),
              ElementsAre("chongzuo-ops"));
  // A Guangxi city without a unit: the province.
  EXPECT_THAT(router.Route(Make("450301", infobus::common::v1::SEVERITY_HIGH)),
              ElementsAre("guangxi-ops"));
}

TEST(RoutingTree, PrefixMatchSelectsTheRoute) {
  const RoutingTable table = Tree(R"(
routes:
  - {match: {jurisdiction_prefixes: ["4514"]}, send_to: [border-task-force]}
  - {send_to_jurisdiction: most_specific}
)");
  const Router router(&table);
  EXPECT_THAT(router.Route(Make("451481", infobus::common::v1::SEVERITY_LOW)),
              ElementsAre("border-task-force"));
  EXPECT_THAT(router.Route(Make("450110", infobus::common::v1::SEVERITY_LOW)),
              ElementsAre("wuming-psb"));
  // "45140" is not under "4514"? It is: a prefix is everything beneath it.
  EXPECT_THAT(router.Route(Make("451400", infobus::common::v1::SEVERITY_LOW)),
              ElementsAre("border-task-force"));
}

TEST(RoutingTree, FirstMatchWinsUnlessContinue) {
  const RoutingTable table = Tree(R"(
routes:
  - {name: critical, match: {min_severity: critical}, send_to: [guangxi-ops], continue: true}
  - {name: movement, match: {kinds: [movement]}, send_to: [border-task-force]}
  - {name: rest, send_to_jurisdiction: most_specific}
)");
  const Router router(&table);
  // Critical: the province, then (continue) the next matching route, which is `rest`.
  EXPECT_THAT(router.Route(Make("451421", infobus::common::v1::SEVERITY_CRITICAL)),
              ElementsAre("guangxi-ops", "fusui-psb"));
  // Critical movement: province, then `movement`, which stops there.
  EXPECT_THAT(router.Route(Make("451421", infobus::common::v1::SEVERITY_CRITICAL,
                                infobus::common::v1::JUDGMENT_KIND_MOVEMENT)),
              ElementsAre("guangxi-ops", "border-task-force"));
  // High movement: `movement` only; `rest` is not tried.
  EXPECT_THAT(router.Route(Make("451421", infobus::common::v1::SEVERITY_HIGH,
                                infobus::common::v1::JUDGMENT_KIND_MOVEMENT)),
              ElementsAre("border-task-force"));
  // A unit named by two routes appears once.
  EXPECT_THAT(router.Route(Make("450301", infobus::common::v1::SEVERITY_CRITICAL)),
              ElementsAre("guangxi-ops"));
}

TEST(RoutingTree, SeverityKindAndRuleConditionsAllHold) {
  const RoutingTable table = Tree(R"(
routes:
  - match: {severities: [high, critical], kinds: [hotspot, correlation], rule_ids: [hotspot-1h]}
    send_to: [nanning-ops]
default_route: {send_to: [guangxi-ops]}
)");
  const Router router(&table);
  using infobus::common::v1::JUDGMENT_KIND_HOTSPOT;
  EXPECT_THAT(router.Route(Make("450110", infobus::common::v1::SEVERITY_HIGH, JUDGMENT_KIND_HOTSPOT,
                                "hotspot-1h")),
              ElementsAre("nanning-ops"));
  EXPECT_THAT(router.Route(Make("450110", infobus::common::v1::SEVERITY_MEDIUM,
                                JUDGMENT_KIND_HOTSPOT, "hotspot-1h")),
              ElementsAre("guangxi-ops"));
  EXPECT_THAT(router.Route(Make("450110", infobus::common::v1::SEVERITY_HIGH,
                                infobus::common::v1::JUDGMENT_KIND_MOVEMENT, "hotspot-1h")),
              ElementsAre("guangxi-ops"));
  EXPECT_THAT(router.Route(Make("450110", infobus::common::v1::SEVERITY_HIGH, JUDGMENT_KIND_HOTSPOT,
                                "hotspot-24h")),
              ElementsAre("guangxi-ops"));
}

TEST(RoutingTree, NoMatchFallsToTheDefaultRoute) {
  const RoutingTable named = Tree(R"(
routes:
  - {match: {jurisdiction_prefixes: ["4501"]}, send_to_jurisdiction: most_specific}
default_route: {send_to: [guangxi-ops], send_to_jurisdiction: most_specific}
)");
  const Router router(&named);
  EXPECT_THAT(router.Route(Make("450110", infobus::common::v1::SEVERITY_LOW)),
              ElementsAre("wuming-psb"));
  EXPECT_THAT(router.Route(Make("451481", infobus::common::v1::SEVERITY_LOW)),
              ElementsAre("guangxi-ops", "pingxiang-psb"));
  // Outside every jurisdiction: only the named default unit.
  EXPECT_THAT(router.Route(Make("110105", infobus::common::v1::SEVERITY_LOW)),
              ElementsAre("guangxi-ops"));

  // Without default_route: every covering unit, as the walking skeleton routed.
  const RoutingTable fallback = Tree("routes: []\n");
  EXPECT_THAT(Router(&fallback).Route(Make("451421", infobus::common::v1::SEVERITY_LOW)),
              ElementsAre("guangxi-ops", "chongzuo-ops", "fusui-psb"));
  EXPECT_THAT(Router(&fallback).Route(Make("110105", infobus::common::v1::SEVERITY_LOW)),
              IsEmpty());
}

TEST(RoutingTree, UnitOffDutyIsReplacedByItsSupervisor) {
  const RoutingTable table = Tree(R"(
utc_offset: "+08:00"
routes:
  - {send_to_jurisdiction: most_specific}
)");
  const Router router(&table);
  Judgment judgment = Make("4514210155", infobus::common::v1::SEVERITY_HIGH);
  // 10:00 in Beijing (02:00 UTC): the station is on duty (08:00-20:00).
  *judgment.mutable_created_at() = ToProtoTimestamp(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 2, 0, 0), absl::UTCTimeZone()));
  EXPECT_THAT(router.Route(judgment), ElementsAre("fusui-xinning-station"));
  // 23:30 in Beijing: off duty, the county bureau takes it.
  *judgment.mutable_created_at() = ToProtoTimestamp(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 15, 30, 0), absl::UTCTimeZone()));
  EXPECT_THAT(router.Route(judgment), ElementsAre("fusui-psb"));
}

}  // namespace
}  // namespace infobus::dispatch
