// Restoring state records (state_records.h).
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

using StateRecordsTest = EngineTest;

TEST_F(StateRecordsTest, StateWrittenBeforeScopingIsDroppedOnRestore) {
  engine_.SetRules(Rules(kHotspotRules));
  infobus::judgment::storage::v1::WindowState window;
  window.set_rule_id("alarm-hotspot");
  window.set_group_key("alarm.call|4514");
  window.set_window_start_ns(absl::ToUnixNanos(kT0));
  window.set_window_end_ns(absl::ToUnixNanos(kT0 + absl::Hours(1)));
  window.set_close_at_ns(absl::ToUnixNanos(kT0 + absl::Minutes(70)));
  window.set_count(2);
  const std::string legacy_window =
      "*\x1f"
      "alarm-hotspot\x1f"
      "W\x1f"
      "alarm.call|4514\x1f"
      "0";
  infobus::judgment::storage::v1::EngineMeta meta;
  meta.set_stream_time_ns(absl::ToUnixNanos(kT0));
  ASSERT_TRUE(engine_.Restore(legacy_window, window.SerializeAsString()).ok());
  ASSERT_TRUE(engine_.Restore(Engine::kLegacyMetaKey, meta.SerializeAsString()).ok());
  EXPECT_EQ(engine_.stats().windows_open, 0);
  std::set<std::string> deleted;
  for (const StateChange& change : engine_.TakeStateChanges()) {
    EXPECT_FALSE(change.value.has_value()) << change.key;
    deleted.insert(change.key);
  }
  EXPECT_EQ(deleted, (std::set<std::string>{legacy_window, Engine::kLegacyMetaKey}));
}

TEST_F(StateRecordsTest, AKeyOrRecordThatDoesNotParseIsDataLoss) {
  engine_.SetRules(Rules(std::string(kHotspotRules) + kCrossCountyRule));
  const std::string window_key =
      "events/0\x1f"
      "alarm-hotspot\x1fW\x1f"
      "alarm.call|4514\x1f"
      "0";
  const std::string pattern_key = "events/0\x1f\x1fS\x1fID_NUMBER:1";
  for (const std::string& key :
       {std::string("events/0\x1fno-type"), std::string("events/0\x1f\x1fXY\x1f")}) {
    EXPECT_EQ(engine_.Restore(key, "").code(), absl::StatusCode::kDataLoss) << key;
  }
  EXPECT_EQ(engine_.Restore("events/0\x1f\x1fQ\x1f", "").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(engine_.Restore(Engine::MetaKey("events/0"), "\xff").code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(engine_.Restore(window_key, "\xff").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(engine_.Restore(pattern_key, "\xff").code(), absl::StatusCode::kDataLoss);
  // Evidence that does not parse, and an index past the evidence.
  infobus::judgment::storage::v1::WindowState window;
  window.set_rule_id("alarm-hotspot");
  window.add_evidence("\xff\xff");
  EXPECT_EQ(engine_.Restore(window_key, window.SerializeAsString()).code(),
            absl::StatusCode::kDataLoss);
  infobus::judgment::storage::v1::SubjectPatterns pattern;
  auto* rule = pattern.add_rules();
  rule->set_rule_id("cross-county");
  rule->add_time_ns(1);
  rule->add_evidence_index(0);
  EXPECT_EQ(engine_.Restore(pattern_key, pattern.SerializeAsString()).code(),
            absl::StatusCode::kDataLoss);
}

// A record of a rule that is gone, or is no longer of its kind, is dropped with a deletion; a
// subject's record loses only the rules that are gone.
TEST_F(StateRecordsTest, RecordsOfRulesThatAreGoneAreDeletedOnRestore) {
  const RuleSet rules = Rules(std::string(kHotspotRules) + kCrossCountyRule);
  engine_.SetRules(rules);
  Feed(MakeEvent("a", kT0 + absl::Minutes(1), "alarm.call", "451421", kPerson));
  std::unique_ptr<Engine> restarted = Restarted(Rules(R"(
version: 2
rules:
  - id: alarm-hotspot
    version: 1
    kind: watchlist
    severity: high
)" + std::string(kCrossCountyRule)));
  EXPECT_EQ(restarted->stats().windows_open, 0);
  EXPECT_EQ(restarted->stats().subjects_tracked, 1);
  int deleted = 0;
  for (const StateChange& change : restarted->TakeStateChanges()) {
    if (!change.value.has_value()) {
      EXPECT_NE(change.key.find("\x1fW\x1f"), std::string::npos) << change.key;
      ++deleted;
    }
  }
  EXPECT_EQ(deleted, 1);
}

}  // namespace
}  // namespace infobus::judgment::engine_test
