#include "services/dispatch/unit_directory.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

#ifndef INFOBUS_SOURCE_DIR
#error \
    "INFOBUS_SOURCE_DIR must name the source tree (set in tests/services/dispatch/CMakeLists.txt)"
#endif

namespace infobus::dispatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Ids(const UnitDirectory& directory) {
  std::vector<std::string> ids;
  for (const Unit& unit : directory.units()) ids.push_back(unit.id);
  return ids;
}

absl::Status ParseError(const std::string& yaml) {
  absl::StatusOr<UnitDirectory> directory = UnitDirectory::FromYaml(YAML::Load(yaml));
  return directory.ok() ? absl::OkStatus() : directory.status();
}

TEST(UnitDirectory, ParsesTheSampleDeploymentUnits) {
  const YAML::Node root = YAML::LoadFile(INFOBUS_SOURCE_DIR "/deploy/config/routing.yaml");
  absl::StatusOr<UnitDirectory> directory = UnitDirectory::FromYaml(root["units"]);
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_THAT(Ids(*directory),
              ElementsAre("guangxi-ops", "chongzuo-ops", "fusui-psb", "fusui-xinning-station",
                          "pingxiang-psb", "nanning-ops", "wuming-psb", "border-task-force"));

  const Unit* top = directory->Find("guangxi-ops");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->name, "广西壮族自治区公安厅指挥中心");
  EXPECT_THAT(top->jurisdictions, ElementsAre("45"));
  EXPECT_EQ(top->supervisor, "");

  const Unit* fusui = directory->Find("fusui-psb");
  ASSERT_NE(fusui, nullptr);
  EXPECT_EQ(fusui->id, "fusui-psb");
  EXPECT_EQ(fusui->name, "扶绥县公安局");
  EXPECT_THAT(fusui->jurisdictions, ElementsAre("451421"));
  EXPECT_EQ(fusui->supervisor, "chongzuo-ops");

  const Unit* wuming = directory->Find("wuming-psb");
  ASSERT_NE(wuming, nullptr);
  EXPECT_EQ(wuming->supervisor, "nanning-ops");
  EXPECT_EQ(directory->Find("no-such-unit"), nullptr);

  const Unit* station = directory->Find("fusui-xinning-station");
  ASSERT_NE(station, nullptr);
  ASSERT_TRUE(station->duty_hours.has_value());
  EXPECT_EQ(station->duty_hours->text, "08:00-20:00");
  EXPECT_FALSE(fusui->duty_hours.has_value());

  // Need-to-know: command centres SECRET, county bureaux CONFIDENTIAL, the station INTERNAL.
  EXPECT_EQ(top->clearance, infobus::common::v1::CLASSIFICATION_SECRET);
  EXPECT_EQ(fusui->clearance, infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  EXPECT_EQ(station->clearance, infobus::common::v1::CLASSIFICATION_INTERNAL);
  EXPECT_THAT(directory->Find("border-task-force")->compartments, ElementsAre("border"));
  for (const Unit& unit : directory->units()) {
    EXPECT_NE(unit.clearance, infobus::common::v1::CLASSIFICATION_UNSPECIFIED)
        << unit.id << ": every sample unit says its clearance";
  }
}

TEST(UnitDirectory, AUnitIsAtOrBelowItselfAndEverySupervisorUpTheChain) {
  const YAML::Node root = YAML::LoadFile(INFOBUS_SOURCE_DIR "/deploy/config/routing.yaml");
  absl::StatusOr<UnitDirectory> directory = UnitDirectory::FromYaml(root["units"]);
  ASSERT_TRUE(directory.ok()) << directory.status();
  // fusui-xinning-station -> fusui-psb -> chongzuo-ops -> guangxi-ops
  EXPECT_TRUE(directory->IsAtOrBelow("fusui-xinning-station", "fusui-xinning-station"));
  EXPECT_TRUE(directory->IsAtOrBelow("fusui-xinning-station", "chongzuo-ops"));
  EXPECT_TRUE(directory->IsAtOrBelow("fusui-xinning-station", "guangxi-ops"));
  EXPECT_FALSE(directory->IsAtOrBelow("chongzuo-ops", "fusui-psb"));   // above, not below
  EXPECT_FALSE(directory->IsAtOrBelow("wuming-psb", "chongzuo-ops"));  // another city
  EXPECT_FALSE(directory->IsAtOrBelow("no-such-unit", "guangxi-ops"));
  EXPECT_FALSE(directory->IsBelow("fusui-psb", "fusui-psb"));
  EXPECT_TRUE(directory->IsBelow("fusui-psb", "chongzuo-ops"));
  EXPECT_FALSE(directory->IsBelow("guangxi-ops", "guangxi-ops"));
  EXPECT_FALSE(directory->IsBelow("no-such-unit", ""));
}

TEST(UnitDirectory, ClearanceAndCompartmentsParseAndDefaultToNone) {
  absl::StatusOr<UnitDirectory> directory = UnitDirectory::FromYaml(YAML::Load(
      "- {id: a, jurisdictions: ['45'], clearance: secret, compartments: [informant, border]}\n"
      "- {id: b, jurisdictions: ['4514'], supervisor: a, clearance: CONFIDENTIAL}\n"
      "- {id: c, jurisdictions: ['451421'], supervisor: b}\n"));
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->Find("a")->clearance, infobus::common::v1::CLASSIFICATION_SECRET);
  EXPECT_THAT(directory->Find("a")->compartments, ElementsAre("border", "informant"));
  EXPECT_EQ(directory->Find("b")->clearance, infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  EXPECT_THAT(directory->Find("b")->compartments, IsEmpty());
  // Not given: UNSPECIFIED, which routing treats as PUBLIC.
  EXPECT_EQ(directory->Find("c")->clearance, infobus::common::v1::CLASSIFICATION_UNSPECIFIED);
}

TEST(UnitDirectory, RejectsUnknownClearancesAndBadCompartmentsNamingTheField) {
  struct Case {
    std::string unit;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {"clearance: TOP_SECRET", "units[0].clearance"},
           {"clearance: UNSPECIFIED", "units[0].clearance"},
           {"clearance: ''", "units[0].clearance"},
           {"compartments: border", "units[0].compartments"},
           {"compartments: [border, Informant]", "units[0].compartments[1]"},
           {"compartments: ['a b']", "units[0].compartments[0]"},
           {"compartments: [border, border]", "units[0].compartments[1]"},
       }) {
    const absl::Status status = ParseError("- {id: a, jurisdictions: ['45'], " + c.unit + "}\n");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.unit;
    EXPECT_THAT(status.message(), HasSubstr(c.field + ":")) << c.unit;
  }
  // Units built in code are checked too.
  Unit unit{"a",       "A", {"45"}, "", std::nullopt, infobus::common::v1::CLASSIFICATION_SECRET,
            {"Border"}};
  EXPECT_THAT(UnitDirectory::FromUnits({unit}).status().message(),
              HasSubstr("units[0].compartments"));
}

TEST(UnitDirectory, DutyHoursParseAndMayWrapPastMidnight) {
  absl::StatusOr<DutyHours> day = DutyHours::Parse("08:00-20:00");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_TRUE(day->Covers(8 * 60));
  EXPECT_TRUE(day->Covers(19 * 60 + 59));
  EXPECT_FALSE(day->Covers(20 * 60));
  EXPECT_FALSE(day->Covers(7 * 60 + 59));
  absl::StatusOr<DutyHours> night = DutyHours::Parse("20:00-08:00");
  ASSERT_TRUE(night.ok()) << night.status();
  EXPECT_TRUE(night->Covers(23 * 60));
  EXPECT_TRUE(night->Covers(0));
  EXPECT_FALSE(night->Covers(12 * 60));
  for (const char* bad : {"", "8-20", "08:00", "08:00-08:00", "25:00-08:00", "08:60-09:00"}) {
    EXPECT_FALSE(DutyHours::Parse(bad).ok()) << bad;
  }
  const absl::Status status = ParseError("- {id: a, jurisdictions: ['45'], duty_hours: '9-5'}\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("units[0].duty_hours"));
}

TEST(UnitDirectory, NameDefaultsToIdAndUnitsMayHaveSeveralJurisdictions) {
  absl::StatusOr<UnitDirectory> directory =
      UnitDirectory::FromYaml(YAML::Load("- id: border-ops\n"
                                         "  jurisdictions: ['451481', '451421']\n"));
  ASSERT_TRUE(directory.ok()) << directory.status();
  const Unit* unit = directory->Find("border-ops");
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->name, "border-ops");
  EXPECT_THAT(unit->jurisdictions, ElementsAre("451481", "451421"));
  EXPECT_EQ(unit->supervisor, "");
}

TEST(UnitDirectory, MissingOrNullListIsAnEmptyDirectory) {
  absl::StatusOr<UnitDirectory> missing = UnitDirectory::FromYaml(YAML::Node());
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_THAT(missing->units(), IsEmpty());
  absl::StatusOr<UnitDirectory> null = UnitDirectory::FromYaml(YAML::Load("~"));
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_THAT(null->units(), IsEmpty());
}

TEST(UnitDirectory, RejectsDuplicateIds) {
  const absl::Status status = ParseError(
      "- {id: fusui-psb, jurisdictions: ['451421']}\n"
      "- {id: fusui-psb, jurisdictions: ['451481']}\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("units[1].id"));
  EXPECT_THAT(status.message(), HasSubstr("fusui-psb"));
}

TEST(UnitDirectory, RejectsUnknownField) {
  const absl::Status status = ParseError("- {id: fusui-psb, jurisdiction: ['451421']}\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("units[0]"));
  EXPECT_THAT(status.message(), HasSubstr("'jurisdiction'"));
}

TEST(UnitDirectory, RejectsUnknownSupervisor) {
  const absl::Status status = ParseError(
      "- {id: guangxi-ops, jurisdictions: ['45']}\n"
      "- {id: fusui-psb, jurisdictions: ['451421'], supervisor: chongzuo-ops}\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("units[1].supervisor"));
  EXPECT_THAT(status.message(), HasSubstr("chongzuo-ops"));
}

TEST(UnitDirectory, RejectsSupervisorLoops) {
  const absl::Status cycle = ParseError(
      "- {id: a, jurisdictions: ['45'], supervisor: c}\n"
      "- {id: b, jurisdictions: ['4514'], supervisor: a}\n"
      "- {id: c, jurisdictions: ['451421'], supervisor: b}\n");
  EXPECT_EQ(cycle.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cycle.message(), HasSubstr("loops"));

  const absl::Status self = ParseError("- {id: a, jurisdictions: ['45'], supervisor: a}\n");
  EXPECT_EQ(self.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(self.message(), HasSubstr("loops"));
}

TEST(UnitDirectory, RejectsJurisdictionsThatAreNotDigitPrefixes) {
  for (const char* code : {"45a1", "4", "", "45 14", "４５"}) {
    const absl::Status status =
        ParseError(std::string("- {id: a, jurisdictions: ['") + code + "']}\n");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "'" << code << "'";
    EXPECT_THAT(status.message(), HasSubstr("units[0].jurisdictions")) << code;
  }
}

TEST(UnitDirectory, RejectsMalformedShapes) {
  EXPECT_EQ(ParseError("{id: a}").code(), absl::StatusCode::kInvalidArgument);  // not a list
  EXPECT_EQ(ParseError("- just-a-string\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("- {id: a, jurisdictions: '45'}\n").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("- {name: no id, jurisdictions: ['45']}\n").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("- {id: 'has space', jurisdictions: ['45']}\n").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(UnitDirectory, FromUnitsValidatesLikeFromYaml) {
  absl::StatusOr<UnitDirectory> ok = UnitDirectory::FromUnits({
      {"guangxi-ops",
       "Guangxi",
       {"45"},
       "",
       std::nullopt,
       infobus::common::v1::CLASSIFICATION_UNSPECIFIED,
       {}},
      {"chongzuo-ops",
       "Chongzuo",
       {"4514"},
       "guangxi-ops",
       std::nullopt,
       infobus::common::v1::CLASSIFICATION_UNSPECIFIED,
       {}},
  });
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_THAT(Ids(*ok), ElementsAre("guangxi-ops", "chongzuo-ops"));

  absl::StatusOr<UnitDirectory> loop = UnitDirectory::FromUnits({
      {"a", "A", {"45"}, "b", std::nullopt, infobus::common::v1::CLASSIFICATION_UNSPECIFIED, {}},
      {"b", "B", {"4514"}, "a", std::nullopt, infobus::common::v1::CLASSIFICATION_UNSPECIFIED, {}},
  });
  EXPECT_EQ(loop.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace infobus::dispatch
