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

// gtest prints these through ADL, so they live in the types' namespace.
void PrintTo(const RoutedUnit& unit, std::ostream* os) {
  *os << "{" << unit.unit_id << " from '" << unit.rerouted_from << "' "
      << infobus::common::v1::RerouteReason_Name(unit.reason) << "}";
}
void PrintTo(const Redirect& redirect, std::ostream* os) {
  *os << "{" << redirect.unit_id << " to '" << redirect.given_to << "' "
      << infobus::common::v1::RerouteReason_Name(redirect.reason) << "}";
}

namespace {

using infobus::common::v1::Judgment;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr infobus::common::v1::Classification kSecret = infobus::common::v1::CLASSIFICATION_SECRET;

// The hierarchy of deploy/config/dispatch.yaml: region, two cities, three counties.
UnitDirectory GuangxiUnits() {
  absl::StatusOr<UnitDirectory> directory = UnitDirectory::FromUnits({
      {"guangxi-ops", "广西壮族自治区公安厅指挥中心", {"45"}, "", std::nullopt, kSecret, {}},
      {"chongzuo-ops", "崇左市公安局指挥中心", {"4514"}, "guangxi-ops", std::nullopt, kSecret, {}},
      {"fusui-psb", "扶绥县公安局", {"451421"}, "chongzuo-ops", std::nullopt, kSecret, {}},
      {"pingxiang-psb", "凭祥市公安局", {"451481"}, "chongzuo-ops", std::nullopt, kSecret, {}},
      {"nanning-ops", "南宁市公安局指挥中心", {"4501"}, "guangxi-ops", std::nullopt, kSecret, {}},
      {"wuming-psb", "南宁市武鸣区公安分局", {"450110"}, "nanning-ops", std::nullopt, kSecret, {}},
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
      {"border-ops", "Border", {"4514", "451421", "451481"}, "", std::nullopt, kSecret, {}},
      {"fusui-psb", "Fusui", {"451421"}, "", std::nullopt, kSecret, {}},
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
  - {id: guangxi-ops, jurisdictions: ["45"], clearance: SECRET}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops, clearance: SECRET}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: SECRET}
  - {id: fusui-xinning-station, jurisdictions: ["45142101"], supervisor: fusui-psb,
     duty_hours: "08:00-20:00", clearance: SECRET}
  - {id: pingxiang-psb, jurisdictions: ["451481"], supervisor: chongzuo-ops, clearance: SECRET}
  - {id: nanning-ops, jurisdictions: ["4501"], supervisor: guangxi-ops, clearance: SECRET}
  - {id: wuming-psb, jurisdictions: ["450110"], supervisor: nanning-ops, clearance: SECRET}
  - {id: border-task-force, supervisor: chongzuo-ops, clearance: SECRET}
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

// The sample hierarchy with need-to-know: province and city command centres SECRET (the province
// also in both compartments, the city in neither), the county bureaux CONFIDENTIAL (Pingxiang on
// the border, in the border compartment), the Xinning station INTERNAL and on day shift, the
// border task force CONFIDENTIAL in the border compartment, and Wuming without a clearance.
RoutingTable ClearanceTree(const std::string& routes_yaml =
                               "routes:\n  - {send_to_jurisdiction: "
                               "most_specific}\n") {
  const std::string yaml = std::string(R"(
utc_offset: "+08:00"
units:
  - {id: guangxi-ops, jurisdictions: ["45"], clearance: SECRET, compartments: [border, informant]}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops, clearance: SECRET}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: CONFIDENTIAL}
  - {id: fusui-xinning-station, jurisdictions: ["45142101"], supervisor: fusui-psb,
     duty_hours: "08:00-20:00", clearance: INTERNAL}
  - {id: pingxiang-psb, jurisdictions: ["451481"], supervisor: chongzuo-ops,
     clearance: CONFIDENTIAL, compartments: [border]}
  - {id: nanning-ops, jurisdictions: ["4501"], supervisor: guangxi-ops, clearance: SECRET}
  - {id: wuming-psb, jurisdictions: ["450110"], supervisor: nanning-ops}
  - {id: border-task-force, supervisor: pingxiang-psb, clearance: CONFIDENTIAL,
     compartments: [border]}
)") + routes_yaml;
  absl::StatusOr<RoutingTable> table = RoutingTable::FromYaml(YAML::Load(yaml));
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : RoutingTable::ForUnits(UnitDirectory());
}

Judgment Labelled(const std::string& code, infobus::common::v1::Classification classification,
                  std::vector<std::string> compartments = {}) {
  Judgment judgment = Make(code, infobus::common::v1::SEVERITY_HIGH);
  judgment.set_classification(classification);
  for (std::string& compartment : compartments) judgment.add_compartments(std::move(compartment));
  return judgment;
}

// 10:00 / 23:30 in Beijing: the Xinning station on / off duty.
void SetCreatedAt(Judgment* judgment, int utc_hour, int minute) {
  *judgment->mutable_created_at() = ToProtoTimestamp(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, utc_hour, minute, 0), absl::UTCTimeZone()));
}

using infobus::common::v1::CLASSIFICATION_CONFIDENTIAL;
using infobus::common::v1::CLASSIFICATION_INTERNAL;
using infobus::common::v1::CLASSIFICATION_PUBLIC;
using infobus::common::v1::CLASSIFICATION_SECRET;
using infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
using infobus::common::v1::REROUTE_REASON_CLEARANCE;
using infobus::common::v1::REROUTE_REASON_COMPARTMENT;
using infobus::common::v1::REROUTE_REASON_OFF_DUTY;
using infobus::common::v1::REROUTE_REASON_UNSPECIFIED;

TEST(RoutingByClearance, AClearedUnitGetsTheJudgmentItself) {
  const RoutingTable table = ClearanceTree();
  const RoutingDecision decision =
      Router(&table).Decide(Labelled("451421", CLASSIFICATION_CONFIDENTIAL));
  EXPECT_THAT(decision.units, ElementsAre(RoutedUnit{"fusui-psb", "", REROUTE_REASON_UNSPECIFIED}));
  EXPECT_THAT(decision.redirects, IsEmpty());
}

TEST(RoutingByClearance, AboveTheUnitsClearanceGoesToTheNearestClearedSupervisor) {
  const RoutingTable table = ClearanceTree();
  const Router router(&table);
  // SECRET: the county bureau is CONFIDENTIAL, the city takes it.
  RoutingDecision decision = router.Decide(Labelled("451421", CLASSIFICATION_SECRET));
  EXPECT_THAT(decision.units,
              ElementsAre(RoutedUnit{"chongzuo-ops", "fusui-psb", REROUTE_REASON_CLEARANCE}));
  EXPECT_THAT(decision.redirects,
              ElementsAre(Redirect{"fusui-psb", "chongzuo-ops", REROUTE_REASON_CLEARANCE}));
  // CONFIDENTIAL at the INTERNAL station (on duty): one level up is enough.
  Judgment at_station = Labelled("4514210155", CLASSIFICATION_CONFIDENTIAL);
  SetCreatedAt(&at_station, 2, 0);
  decision = router.Decide(at_station);
  EXPECT_THAT(decision.units, ElementsAre(RoutedUnit{"fusui-psb", "fusui-xinning-station",
                                                     REROUTE_REASON_CLEARANCE}));
}

TEST(RoutingByClearance, UnspecifiedClassificationCountsAsInternal) {
  const RoutingTable table = ClearanceTree();
  const Router router(&table);
  // Wuming has no clearance (PUBLIC): an unclassified judgment goes up to Nanning...
  EXPECT_THAT(router.Decide(Labelled("450110", CLASSIFICATION_UNSPECIFIED)).units,
              ElementsAre(RoutedUnit{"nanning-ops", "wuming-psb", REROUTE_REASON_CLEARANCE}));
  // ...and only a PUBLIC one reaches Wuming itself.
  EXPECT_THAT(router.Route(Labelled("450110", CLASSIFICATION_PUBLIC)), ElementsAre("wuming-psb"));
  // The INTERNAL station (on duty) takes an unclassified one.
  Judgment at_station = Labelled("4514210155", CLASSIFICATION_UNSPECIFIED);
  SetCreatedAt(&at_station, 2, 0);
  EXPECT_THAT(router.Route(at_station), ElementsAre("fusui-xinning-station"));
}

TEST(RoutingByClearance, ACompartmentTheUnitLacksGoesUpPastSupervisorsLackingItToo) {
  const RoutingTable table = ClearanceTree();
  const Router router(&table);
  // Border: Pingxiang holds it.
  EXPECT_THAT(router.Route(Labelled("451481", CLASSIFICATION_CONFIDENTIAL, {"border"})),
              ElementsAre("pingxiang-psb"));
  // Informant: neither Fusui nor the city hold it; the province does.
  const RoutingDecision decision =
      router.Decide(Labelled("451421", CLASSIFICATION_INTERNAL, {"informant"}));
  EXPECT_THAT(decision.units,
              ElementsAre(RoutedUnit{"guangxi-ops", "fusui-psb", REROUTE_REASON_COMPARTMENT}));
  EXPECT_THAT(decision.redirects,
              ElementsAre(Redirect{"fusui-psb", "guangxi-ops", REROUTE_REASON_COMPARTMENT}));
  // Every compartment must be held: border and informant at Pingxiang, only the province.
  EXPECT_THAT(
      router.Decide(Labelled("451481", CLASSIFICATION_INTERNAL, {"border", "informant"})).units,
      ElementsAre(RoutedUnit{"guangxi-ops", "pingxiang-psb", REROUTE_REASON_COMPARTMENT}));
}

TEST(RoutingByClearance, NobodyClearedUpTheChainMeansNotDelivered) {
  const RoutingTable table = ClearanceTree();
  const RoutingDecision decision =
      Router(&table).Decide(Labelled("451421", CLASSIFICATION_SECRET, {"narcotics"}));
  EXPECT_THAT(decision.units, IsEmpty());
  EXPECT_THAT(decision.redirects, ElementsAre(Redirect{"fusui-psb", "", REROUTE_REASON_CLEARANCE}));
}

TEST(RoutingByClearance, OffDutyAndNotClearedCombine) {
  const RoutingTable table = ClearanceTree();
  const Router router(&table);
  // 23:30: the station is off duty; an INTERNAL judgment it is cleared for goes up for duty.
  Judgment internal = Labelled("4514210155", CLASSIFICATION_INTERNAL);
  SetCreatedAt(&internal, 15, 30);
  EXPECT_THAT(
      router.Decide(internal).units,
      ElementsAre(RoutedUnit{"fusui-psb", "fusui-xinning-station", REROUTE_REASON_OFF_DUTY}));
  // A SECRET one goes up for clearance (the reason the station could never have had it), past
  // the CONFIDENTIAL bureau.
  Judgment secret = Labelled("4514210155", CLASSIFICATION_SECRET);
  SetCreatedAt(&secret, 15, 30);
  EXPECT_THAT(
      router.Decide(secret).units,
      ElementsAre(RoutedUnit{"chongzuo-ops", "fusui-xinning-station", REROUTE_REASON_CLEARANCE}));
}

TEST(RoutingByClearance, AUnitNamedItselfIsNotRecordedAsTakingItInAnothersPlace) {
  // The province is named and is also where Fusui's informant judgment ends up.
  const RoutingTable table = ClearanceTree(R"(
routes:
  - {send_to_jurisdiction: most_specific, continue: true}
  - {send_to: [guangxi-ops]}
)");
  const RoutingDecision decision =
      Router(&table).Decide(Labelled("451421", CLASSIFICATION_INTERNAL, {"informant"}));
  EXPECT_THAT(decision.units,
              ElementsAre(RoutedUnit{"guangxi-ops", "", REROUTE_REASON_UNSPECIFIED}));
  EXPECT_THAT(decision.redirects,
              ElementsAre(Redirect{"fusui-psb", "guangxi-ops", REROUTE_REASON_COMPARTMENT}));
}

TEST(RoutingByClearance, EscalationSkipsASupervisorNotClearedForTheJudgment) {
  const RoutingTable table = ClearanceTree();
  const Router router(&table);
  // The task force's supervisor holds the border compartment.
  const Judgment border = Labelled("451481", CLASSIFICATION_CONFIDENTIAL, {"border"});
  EXPECT_EQ(router.EscalationTarget("border-task-force", border),
            (RoutedUnit{"pingxiang-psb", "", REROUTE_REASON_UNSPECIFIED}));
  // Pingxiang's supervisor (the city) does not: the province takes the escalation.
  EXPECT_EQ(router.EscalationTarget("pingxiang-psb", border),
            (RoutedUnit{"guangxi-ops", "chongzuo-ops", REROUTE_REASON_COMPARTMENT}));
  // Nobody above holds narcotics: no escalation, saying whom it stopped at.
  EXPECT_EQ(router.EscalationTarget("pingxiang-psb",
                                    Labelled("451481", CLASSIFICATION_INTERNAL, {"narcotics"})),
            (RoutedUnit{"", "chongzuo-ops", REROUTE_REASON_COMPARTMENT}));
  // The top has nobody to escalate to.
  EXPECT_EQ(router.EscalationTarget("guangxi-ops", border), RoutedUnit{});
}

}  // namespace
}  // namespace infobus::dispatch
