// Which rules are in force: applied in the engine at once, in force only once the turn commits,
// and put back when it aborts; the file is looked at no more often than asked, and a refused
// file leaves the rules in force.
#include "services/judgment/rules_controller.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/util/clock.h"
#include "tests/services/judgment/no_watchlist.h"
#include "tests/support/temp_dir.h"

namespace infobus::judgment {
namespace {

// One direct rule; `version` is the file's version.
std::string RulesFile(int version) {
  return "version: " + std::to_string(version) + R"(
rules:
  - id: petition-direct
    version: 1
    kind: direct
    severity: medium
    title: "Petition {kind}"
    filter: {kinds: [petition]}
    response_deadline: 72h
)";
}

class RulesControllerTest : public ::testing::Test {
 protected:
  void Write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }

  infobus::testing::TempDir dir_;
  const std::string path_ = dir_.Sub("rules.yaml");
  infobus::testing::NoWatchlist watchlist_;
  Engine engine_{&watchlist_, std::make_shared<SystemClock>()};
  RulesSource source_{path_};
  std::vector<int64_t> applied_;  // the versions given to the on-apply hook
  RulesController rules_{&source_, &engine_, absl::Seconds(2),
                         [this](const RuleSet& rules) { applied_.push_back(rules.version); }};
  const absl::Time start_ = absl::FromUnixSeconds(1'800'000'000);
};

TEST_F(RulesControllerTest, ANewFileIsInTheEngineAtOnceAndInForceOnlyOnceItsTurnCommits) {
  Write(RulesFile(1));
  ASSERT_TRUE(rules_.Load().ok());
  EXPECT_EQ(rules_.version(), 1);
  Write(RulesFile(22));
  rules_.CheckFile(start_);
  EXPECT_EQ(engine_.rules().version, 22) << "the turn's events are judged by the new rules";
  EXPECT_EQ(rules_.version(), 1) << "in force before its turn committed";
  rules_.Committed();
  EXPECT_EQ(rules_.version(), 22);
  EXPECT_EQ(applied_, (std::vector<int64_t>{1, 22}));
}

TEST_F(RulesControllerTest, AnAbortedTurnPutsBackTheRulesInForceAndTheFileIsReadAgain) {
  Write(RulesFile(1));
  ASSERT_TRUE(rules_.Load().ok());
  Write(RulesFile(22));
  rules_.CheckFile(start_);
  rules_.Aborted();
  EXPECT_EQ(engine_.rules().version, 1);
  EXPECT_EQ(rules_.version(), 1);
  // Not waiting out the interval: the file that did not commit is applied on the next tick.
  rules_.CheckFile(start_ + absl::Milliseconds(100));
  EXPECT_EQ(engine_.rules().version, 22);
}

TEST_F(RulesControllerTest, TheFileIsLookedAtNoMoreOftenThanTheInterval) {
  Write(RulesFile(1));
  ASSERT_TRUE(rules_.Load().ok());
  rules_.CheckFile(start_);  // unchanged: nothing applied, and the interval starts
  Write(RulesFile(22));
  rules_.CheckFile(start_ + absl::Seconds(1));
  EXPECT_EQ(engine_.rules().version, 1);
  rules_.CheckFile(start_ + absl::Seconds(2));
  EXPECT_EQ(engine_.rules().version, 22);
}

TEST_F(RulesControllerTest, ARefusedFileLeavesTheRulesInForceAndAReloadSaysWhy) {
  Write(RulesFile(1));
  ASSERT_TRUE(rules_.Load().ok());
  Write("version: 2\nrules: [{id: a, version: 1, kind: nope}]");
  rules_.CheckFile(start_);
  EXPECT_EQ(engine_.rules().version, 1);
  auto reloaded = rules_.Reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(reloaded.status().message().find("rules[0].kind"), std::string::npos)
      << reloaded.status();
  rules_.Committed();
  EXPECT_EQ(rules_.version(), 1);
  EXPECT_EQ(applied_, (std::vector<int64_t>{1}));
}

TEST_F(RulesControllerTest, AReloadAppliesTheFileAndSaysWhatChanged) {
  Write(RulesFile(1));
  ASSERT_TRUE(rules_.Load().ok());
  Write(RulesFile(22));
  auto reloaded = rules_.Reload();
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->kept, (std::vector<std::string>{"petition-direct"}));
  rules_.Committed();
  EXPECT_EQ(rules_.version(), 22);
}

TEST_F(RulesControllerTest, AFileThatCannotBeLoadedAtStartUpIsAnError) {
  EXPECT_FALSE(rules_.Load().ok()) << "no file was written";
}

}  // namespace
}  // namespace infobus::judgment
