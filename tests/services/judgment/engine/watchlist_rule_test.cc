// Watchlist rules (watchlist_rule.h).
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

using WatchlistRuleTest = EngineTest;

TEST_F(WatchlistRuleTest, WatchlistHitTakesTheHigherOfListAndEntrySeverity) {
  WatchlistEntry entry;
  entry.set_list_id("wanted_person");
  entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  entry.mutable_subject()->set_value(kPerson);
  entry.set_severity(infobus::common::v1::SEVERITY_MEDIUM);
  watchlist_.Add(entry);
  entry.set_list_id("ignored_list");
  watchlist_.Add(entry);
  engine_.SetRules(Rules(R"(
version: 1
rules:
  - id: watchlist-hit
    version: 1
    kind: watchlist
    lists: {wanted_person: critical, stolen_vehicle: high}
    only_listed: true
)"));
  // Lower-case x: normalised before the lookup.
  auto fired = Feed(MakeEvent("e1", kT0, "lodging.checkin", "451421", "11010519491231002x"));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].severity(), infobus::common::v1::SEVERITY_CRITICAL);
  EXPECT_EQ(fired[0].judgment_id(), StableId({"watchlist-hit", "wanted_person",
                                              std::string("ID_NUMBER:") + kPerson, "src", "e1"}));
  EXPECT_EQ(fired[0].title(),
            std::string("Watchlist hit: ID_NUMBER:") + kPerson + " on wanted_person");
  EXPECT_EQ(fired[0].evidence(0).trace_id(), "trace-e1");
}

TEST_F(WatchlistRuleTest, WatchlistListsSetFloorsAndOtherListsStillCount) {
  WatchlistEntry entry;
  entry.set_list_id("local_list");
  entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  entry.mutable_subject()->set_value(kPerson);
  entry.set_severity(infobus::common::v1::SEVERITY_LOW);
  watchlist_.Add(entry);
  engine_.SetRules(Rules(R"(
version: 1
rules:
  - id: watchlist-hit
    version: 1
    kind: watchlist
    lists: {wanted_person: critical}
)"));
  auto fired = Feed(MakeEvent("e1", kT0, "lodging.checkin", "451421", kPerson));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].severity(), infobus::common::v1::SEVERITY_LOW);
}

}  // namespace
}  // namespace infobus::judgment::engine_test
