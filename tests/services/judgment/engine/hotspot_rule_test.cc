// Hotspot rules (hotspot_rule.h): windows, grace, lateness, once per event.
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

using HotspotRuleTest = EngineTest;

TEST_F(HotspotRuleTest, HotspotFiresOncePerWindowAndKeyWithDeterministicId) {
  engine_.SetRules(Rules(kHotspotRules));
  EXPECT_THAT(Feed(MakeEvent("a", kT0 + absl::Minutes(1))), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("b", kT0 + absl::Minutes(2))), IsEmpty());
  // Another jurisdiction prefix is another key.
  EXPECT_THAT(Feed(MakeEvent("x", kT0 + absl::Minutes(2), "alarm.call", "450110")), IsEmpty());
  // A filtered-out kind does not count.
  EXPECT_THAT(Feed(MakeEvent("y", kT0 + absl::Minutes(2), "tip")), IsEmpty());
  std::vector<Judgment> fired = Feed(MakeEvent("c", kT0 + absl::Minutes(3)));
  ASSERT_THAT(fired, SizeIs(1));
  const Judgment& judgment = fired[0];
  EXPECT_EQ(judgment.judgment_id(),
            StableId({"alarm-hotspot", "alarm.call|4514", absl::StrCat(absl::ToUnixNanos(kT0))}));
  EXPECT_EQ(judgment.kind(), infobus::common::v1::JUDGMENT_KIND_HOTSPOT);
  EXPECT_EQ(judgment.rule_id(), "alarm-hotspot");
  EXPECT_EQ(judgment.rule_version(), 1);
  EXPECT_EQ(judgment.severity(), infobus::common::v1::SEVERITY_HIGH);
  EXPECT_EQ(judgment.title(), "3 alarms in alarm.call|4514");
  EXPECT_EQ(judgment.jurisdiction_code(), "451421");
  EXPECT_EQ(FromProtoTimestamp(judgment.window_start()), kT0);
  EXPECT_EQ(FromProtoTimestamp(judgment.window_end()), kT0 + absl::Hours(1));
  ASSERT_EQ(judgment.evidence_size(), 3);
  EXPECT_EQ(judgment.evidence(0).event_id(), "a");
  EXPECT_EQ(judgment.evidence(2).trace_id(), "trace-c");
  // More events in the same window: no second judgment.
  EXPECT_THAT(Feed(MakeEvent("d", kT0 + absl::Minutes(4))), IsEmpty());
}

TEST_F(HotspotRuleTest, TumblingWindowEdgesAreHalfOpen) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(MakeEvent("a", kT0 + absl::Minutes(59)));
  Feed(MakeEvent("b", kT0 + absl::Hours(1) - absl::Nanoseconds(1)));
  // Exactly at the end: the next window.
  EXPECT_THAT(Feed(MakeEvent("c", kT0 + absl::Hours(1))), IsEmpty());
  // Back in the first window (within grace): the third event there fires it.
  auto fired = Feed(MakeEvent("d", kT0 + absl::Minutes(30)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(FromProtoTimestamp(fired[0].window_start()), kT0);
}

TEST_F(HotspotRuleTest, LateEventsCountWithinGraceAndAreDroppedPastIt) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(MakeEvent("a", kT0 + absl::Minutes(10)));
  Feed(MakeEvent("b", kT0 + absl::Minutes(20)));
  // Stream time moves to 1h05: the first window [0, 1h) is closed at 1h10.
  Feed(MakeEvent("later", kT0 + absl::Minutes(65)));
  // Late but within grace: counts and fires.
  auto fired = Feed(MakeEvent("c", kT0 + absl::Minutes(30)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(FromProtoTimestamp(fired[0].window_start()), kT0);

  // Second window [1h, 2h): two events, then stream time passes 2h10 and a third arrives late.
  Feed(MakeEvent("e", kT0 + absl::Minutes(70)));
  Feed(MakeEvent("f", kT0 + absl::Minutes(131)));  // stream time 2h11 → window 2 closed
  EXPECT_EQ(engine_.stats().late_dropped, 0);
  EXPECT_THAT(Feed(MakeEvent("g", kT0 + absl::Minutes(80))), IsEmpty());
  EXPECT_EQ(engine_.stats().late_dropped, 1);
}

TEST_F(HotspotRuleTest, OutOfOrderEventsWithinGraceGiveTheSameJudgment) {
  engine_.SetRules(Rules(kHotspotRules));
  std::vector<Event> events = {MakeEvent("a", kT0 + absl::Minutes(50)),
                               MakeEvent("b", kT0 + absl::Minutes(5)),
                               MakeEvent("c", kT0 + absl::Minutes(30))};
  std::vector<Judgment> in_order;
  for (const Event& event : events) {
    for (Judgment& judgment : Feed(event)) in_order.push_back(judgment);
  }
  InMemoryWatchlist watchlist;
  Engine reversed(&watchlist, clock_);
  reversed.SetRules(Rules(kHotspotRules));
  std::vector<Judgment> out_of_order;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    for (Judgment& judgment : ProcessOk(reversed, *it)) {
      out_of_order.push_back(judgment);
    }
  }
  ASSERT_THAT(in_order, SizeIs(1));
  ASSERT_THAT(out_of_order, SizeIs(1));
  EXPECT_EQ(in_order[0].judgment_id(), out_of_order[0].judgment_id());
}

TEST_F(HotspotRuleTest, HoppingWindowsCountAnEventInEveryWindowThatHoldsIt) {
  engine_.SetRules(Rules(R"(
version: 1
rules:
  - id: hop
    version: 1
    kind: hotspot
    severity: low
    group_by: [county]
    window: 1h
    advance: 30m
    grace: 0s
    threshold: 2
)"));
  Feed(MakeEvent("a", kT0 + absl::Minutes(40)));  // windows [0,1h) and [30m,1h30)
  auto fired = Feed(MakeEvent("b", kT0 + absl::Minutes(50)));
  ASSERT_THAT(fired, SizeIs(2));
  std::set<absl::Time> starts;
  for (const Judgment& judgment : fired) starts.insert(FromProtoTimestamp(judgment.window_start()));
  EXPECT_EQ(starts, (std::set<absl::Time>{kT0, kT0 + absl::Minutes(30)}));
  EXPECT_NE(fired[0].judgment_id(), fired[1].judgment_id());
}

TEST_F(HotspotRuleTest, ClosedWindowsLeaveTheState) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(MakeEvent("a", kT0 + absl::Minutes(1)));
  EXPECT_EQ(engine_.stats().windows_open, 1);
  Feed(MakeEvent("b", kT0 + absl::Minutes(71)));  // closes window 1 (end 1h + grace 10m)
  EXPECT_EQ(engine_.stats().windows_open, 1);
  bool deleted = false;
  for (const StateChange& change : engine_.TakeStateChanges()) {
    if (!change.value && change.key.find("alarm-hotspot") != std::string::npos) deleted = true;
  }
  EXPECT_TRUE(deleted);
}

// The same event record on the events topic twice (at two offsets: a producer retry, or a
// client's resend after collection crashed before storing its key) counts once in a window,
// inline and through sightings, and also after a restart in between.
TEST_F(HotspotRuleTest, AnEventOnTheTopicTwiceCountsOncePerWindow) {
  const RuleSet rules = Rules(kHotspotRules);  // threshold 3
  engine_.SetRules(rules);
  EXPECT_THAT(Feed(MakeEvent("a", kT0 + absl::Minutes(1))), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("b", kT0 + absl::Minutes(2))), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("a", kT0 + absl::Minutes(1))), IsEmpty());  // again
  EXPECT_EQ(engine_.stats().events_repeated, 1);
  // Restarted from its state, it still knows "b" was counted.
  std::unique_ptr<Engine> restarted = Restarted(rules);
  auto again = restarted->Process(MakeEvent("b", kT0 + absl::Minutes(2)), "events/0");
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(*again, IsEmpty());
  auto fired = restarted->Process(MakeEvent("c", kT0 + absl::Minutes(3)), "events/0");
  ASSERT_TRUE(fired.ok());
  ASSERT_THAT(*fired, SizeIs(1));
  EXPECT_EQ(fired->at(0).evidence_count(), 3);
  std::set<std::string> ids;
  for (const auto& evidence : fired->at(0).evidence()) ids.insert(evidence.event_id());
  EXPECT_THAT(ids, ElementsAre("a", "b", "c"));

  // Through sightings: the repeat comes at a new offset, so the offset marks do not catch it.
  Engine counter(&watchlist_, clock_);
  counter.SetRules(rules);
  EXPECT_THAT(Routed(counter, MakeEvent("a", kT0 + absl::Minutes(1)), "events/0", 1, "hs/0"),
              IsEmpty());
  EXPECT_THAT(Routed(counter, MakeEvent("b", kT0 + absl::Minutes(2)), "events/0", 2, "hs/0"),
              IsEmpty());
  EXPECT_THAT(Routed(counter, MakeEvent("b", kT0 + absl::Minutes(2)), "events/0", 3, "hs/0"),
              IsEmpty());
  // The same event id from another source is another event.
  Event other_source = MakeEvent("b", kT0 + absl::Minutes(2));
  other_source.set_source_id("another-source");
  std::vector<Judgment> through = Routed(counter, other_source, "events/0", 4, "hs/0");
  ASSERT_THAT(through, SizeIs(1));
  EXPECT_EQ(through[0].evidence_count(), 3);
}

// A window of a changed rule that has the key of a window the change dropped stays open until
// its own close, not the dropped one's.
TEST_F(HotspotRuleTest, ChangedRulesWindowOutlivesTheDroppedWindowsClose) {
  const std::string rule = R"(
version: 1
rules:
  - id: alarms
    version: 1
    kind: hotspot
    severity: low
    group_by: [kind]
    grace: 0s
    threshold: 3
)";
  engine_.SetRules(Rules(rule + "    window: 10m\n"));
  Feed(MakeEvent("a", kT0 + absl::Minutes(1)));        // window [0, 10m)
  engine_.SetRules(Rules(rule + "    window: 1h\n"));  // dropped; now [0, 1h), the same key
  EXPECT_THAT(Feed(MakeEvent("b", kT0 + absl::Minutes(2))), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("c", kT0 + absl::Minutes(11))), IsEmpty());  // past 10m
  EXPECT_EQ(engine_.stats().windows_open, 1);
  auto fired = Feed(MakeEvent("d", kT0 + absl::Minutes(12)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].evidence_count(), 3);
  EXPECT_EQ(FromProtoTimestamp(fired[0].window_end()), kT0 + absl::Hours(1));
}

}  // namespace
}  // namespace infobus::judgment::engine_test
