#include "services/dispatch/routing_table.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/dispatch/router.h"
#include "services/dispatch/routing_source.h"
#include "yaml-cpp/yaml.h"

#ifndef INFOBUS_SOURCE_DIR
#error "INFOBUS_SOURCE_DIR must name the source tree"
#endif

namespace infobus::dispatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Status ParseError(const std::string& yaml) {
  absl::StatusOr<RoutingTable> table = RoutingTable::FromYaml(YAML::Load(yaml));
  return table.ok() ? absl::OkStatus() : table.status();
}

constexpr char kUnits[] = R"(
units:
  - {id: guangxi-ops, jurisdictions: ["45"]}
  - {id: chongzuo-ops, jurisdictions: ["4514"], supervisor: guangxi-ops}
)";

TEST(RoutingTable, SampleRoutingFileParses) {
  absl::StatusOr<RoutingTable> table =
      RoutingTable::FromFile(INFOBUS_SOURCE_DIR "/deploy/config/routing.yaml");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->units().units().size(), 8u);
  ASSERT_EQ(table->routes().size(), 3u);
  EXPECT_EQ(table->routes()[0].name, "critical-to-province");
  EXPECT_TRUE(table->routes()[0].continue_matching);
  EXPECT_EQ(table->DeadlineFor(infobus::common::v1::SEVERITY_CRITICAL), absl::Minutes(5));
  EXPECT_EQ(table->DeadlineFor(infobus::common::v1::SEVERITY_HIGH), absl::Minutes(15));
  EXPECT_EQ(table->DeadlineFor(infobus::common::v1::SEVERITY_LOW), std::nullopt);
  EXPECT_THAT(table->default_route().send_to, ElementsAre("guangxi-ops"));

  // The sample's intent: a critical hit in Fusui reaches the province and the county bureau.
  infobus::common::v1::Judgment judgment;
  judgment.set_judgment_id("j");
  judgment.set_jurisdiction_code("451421");
  judgment.set_severity(infobus::common::v1::SEVERITY_CRITICAL);
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  EXPECT_THAT(Router(&*table).Route(judgment), ElementsAre("guangxi-ops", "fusui-psb"));
  // A SECRET one is above the county bureau's clearance: the city takes it in its place.
  judgment.set_classification(infobus::common::v1::CLASSIFICATION_SECRET);
  EXPECT_THAT(Router(&*table).Route(judgment), ElementsAre("guangxi-ops", "chongzuo-ops"));
  EXPECT_THAT(table->UnitsWithoutClearance(), ::testing::IsEmpty());
}

TEST(RoutingTable, ErrorsNameTheField) {
  struct Case {
    std::string yaml;
    std::string field;
  };
  const std::vector<Case> cases = {
      {std::string(kUnits) + "routes:\n  - {send_to: [nobody]}\n", "routes[0].send_to"},
      {std::string(kUnits) + "routes:\n  - {match: {min_severity: urgent}}\n",
       "routes[0].match.min_severity"},
      {std::string(kUnits) + "routes:\n  - {match: {kinds: [gossip]}}\n", "routes[0].match.kinds"},
      {std::string(kUnits) + "routes:\n  - {match: {jurisdiction_prefixes: ['4x']}}\n",
       "routes[0].match.jurisdiction_prefixes"},
      {std::string(kUnits) + "routes:\n  - {match: {colour: red}}\n", "routes[0].match"},
      {std::string(kUnits) + "routes:\n  - {send_to_jurisdiction: everyone}\n",
       "routes[0].send_to_jurisdiction"},
      {std::string(kUnits) + "sign_off_deadlines: {high: soon}\n", "sign_off_deadlines.high"},
      {std::string(kUnits) + "sign_off_deadlines: {urgent: 5m}\n", "sign_off_deadlines.urgent"},
      {std::string(kUnits) + "utc_offset: Beijing\n", "utc_offset"},
      {std::string(kUnits) + "default_route: {match: {min_severity: high}}\n", "default_route"},
      {std::string(kUnits) + "rotues: []\n", "rotues"},
      {"units:\n  - {id: a, supervisor: b}\n", "units[0].supervisor"},
      {"units:\n  - {id: a, clearance: RESTRICTED}\n", "units[0].clearance"},
  };
  for (const Case& c : cases) {
    const absl::Status status = ParseError(c.yaml);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.yaml;
    EXPECT_THAT(status.message(), HasSubstr(c.field)) << c.yaml;
  }
}

// A temp directory with a routing file in it.
class RoutingFile {
 public:
  RoutingFile() {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "infobus_routing_XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
    path_ = dir_ + "/routing.yaml";
  }
  ~RoutingFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  void Write(const std::string& text) {
    // Write a new file and rename it over the old one, as editors and deploy tools do.
    const std::string tmp = path_ + ".tmp";
    std::ofstream(tmp, std::ios::trunc) << text;
    std::filesystem::rename(tmp, path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

TEST(RoutingSource, ReloadSwapsInAGoodFileAndKeepsTheOldOneOnABadFile) {
  RoutingFile file;
  file.Write(std::string(kUnits) + "routes:\n  - {send_to: [guangxi-ops]}\n");
  auto source = RoutingSource::Open(file.path());
  ASSERT_TRUE(source.ok()) << source.status();
  const RoutingTablePtr first = (*source)->Current();
  EXPECT_EQ(first->units().units().size(), 2u);

  // Unchanged: nothing happens.
  (*source)->ReloadIfChanged(absl::ZeroDuration());
  EXPECT_EQ((*source)->Current(), first);

  // A bad version is refused; the old table stays in force.
  file.Write(std::string(kUnits) + "routes:\n  - {send_to: [nobody]}\n");
  (*source)->ReloadIfChanged(absl::ZeroDuration());
  EXPECT_EQ((*source)->Current(), first);
  auto refused = (*source)->Reload();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("routes[0].send_to"));
  EXPECT_EQ((*source)->Current(), first);

  // A good version with a third unit replaces it; the old snapshot is still intact for readers.
  file.Write(std::string(kUnits) +
             "  - {id: fusui-psb, jurisdictions: ['451421'], supervisor: chongzuo-ops}\n"
             "routes:\n  - {send_to: [fusui-psb]}\n");
  (*source)->ReloadIfChanged(absl::ZeroDuration());
  const RoutingTablePtr second = (*source)->Current();
  EXPECT_NE(second, first);
  EXPECT_EQ(second->units().units().size(), 3u);
  EXPECT_THAT(second->routes()[0].send_to, ElementsAre("fusui-psb"));
  EXPECT_EQ(first->units().units().size(), 2u);
}

TEST(RoutingSource, MissingOrBadFileAtStartIsAnError) {
  EXPECT_EQ(RoutingSource::Open("/nonexistent/routing.yaml").status().code(),
            absl::StatusCode::kNotFound);
  RoutingFile file;
  file.Write("units: [");
  EXPECT_EQ(RoutingSource::Open(file.path()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace infobus::dispatch
