// The engine as its callers drive it (engine.h): restarts, reloads, crashes, scopes and sightings.
#include "services/judgment/engine/engine.h"

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
#include "tests/services/judgment/engine/engine_test_support.h"

namespace infobus::judgment::engine_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST_F(EngineTest, RestartFromStoredStateContinuesWhereItStopped) {
  const RuleSet rules = Rules(kHotspotRules);
  engine_.SetRules(rules);
  Feed(MakeEvent("a", kT0 + absl::Minutes(1)));
  Feed(MakeEvent("b", kT0 + absl::Minutes(2)));
  auto restarted = Restarted(rules);
  auto fired = restarted->Process(MakeEvent("c", kT0 + absl::Minutes(3)), "events/0");
  ASSERT_TRUE(fired.ok());
  ASSERT_THAT(*fired, SizeIs(1));
  EXPECT_EQ(fired->at(0).evidence_size(), 3);
  EXPECT_EQ(restarted->stream_time("events/0"), kT0 + absl::Minutes(3));
}

TEST_F(EngineTest, ReloadKeepsStateOfUnchangedRulesAndDropsChangedOnes) {
  const std::string movement = R"(
  - id: cross-county
    version: 1
    kind: movement
    severity: medium
    min_counties: 2
    within: 6h
)";
  const std::string hotspot_v1 = R"(
  - id: alarm-hotspot
    version: 1
    kind: hotspot
    severity: high
    group_by: [county]
    window: 1h
    grace: 0s
    threshold: 2
)";
  std::string hotspot_v2 = hotspot_v1;
  hotspot_v2.replace(hotspot_v2.find("version: 1"), 10, "version: 2");
  engine_.SetRules(Rules("version: 1\nrules:" + movement + hotspot_v1));
  Feed(MakeEvent("a", kT0, "alarm.call", "451421", kPerson));

  // The hotspot rule changes; the movement rule does not (comments and order do not matter).
  auto summary =
      engine_.SetRules(Rules("version: 2\nrules:" + hotspot_v2 + "# moved\n" + movement));
  EXPECT_THAT(summary.kept, ElementsAre("cross-county"));
  EXPECT_THAT(summary.changed, ElementsAre("alarm-hotspot"));
  auto fired = Feed(MakeEvent("b", kT0 + absl::Minutes(1), "alarm.call", "451481", kPerson));
  ASSERT_THAT(fired, SizeIs(1));  // movement remembered "a"; the hotspot count restarted
  EXPECT_EQ(fired[0].rule_id(), "cross-county");
  fired =
      Feed(MakeEvent("c", kT0 + absl::Minutes(2), "alarm.call", "451481", "110105194912310029"));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].rule_id(), "alarm-hotspot");
  EXPECT_EQ(fired[0].rule_version(), 2);

  // Removing a rule deletes its stored state.
  summary = engine_.SetRules(Rules("version: 3\nrules:" + movement));
  EXPECT_THAT(summary.removed, ElementsAre("alarm-hotspot"));
  EXPECT_EQ(engine_.stats().windows_open, 0);
}

TEST_F(EngineTest, ReprocessingAfterACrashYieldsTheSameIds) {
  const RuleSet rules = Rules(std::string(kHotspotRules) + R"(
  - id: cross-county
    version: 1
    kind: movement
    severity: medium
    min_counties: 2
    within: 6h
)");
  engine_.SetRules(rules);
  std::vector<Event> events;
  for (int i = 0; i < 12; ++i) {
    events.push_back(MakeEvent(absl::StrCat("e", i), kT0 + absl::Minutes(7 * i), "alarm.call",
                               i % 2 == 0 ? "451421" : "451481", kPerson));
  }
  std::set<std::string> first_run;
  for (const Event& event : events) {
    for (const Judgment& judgment : Feed(event)) first_run.insert(judgment.judgment_id());
  }
  // Crash after event 5 was committed: a restarted engine redoes events 6..11.
  Engine crashed(&watchlist_, clock_);
  crashed.SetRules(rules);
  std::set<std::string> second_run;
  std::map<std::string, std::string> stored;
  for (int i = 0; i < 12; ++i) {
    for (const Judgment& judgment : ProcessOk(crashed, events[i])) {
      second_run.insert(judgment.judgment_id());
    }
    if (i == 5) {
      for (StateChange& change : crashed.TakeStateChanges()) {
        if (change.value) stored[change.key] = *change.value;
      }
    }
  }
  Engine resumed(&watchlist_, clock_);
  resumed.SetRules(rules);
  for (const auto& [key, value] : stored) ASSERT_TRUE(resumed.Restore(key, value).ok());
  for (int i = 6; i < 12; ++i) {
    for (const Judgment& judgment : ProcessOk(resumed, events[i])) {
      second_run.insert(judgment.judgment_id());
    }
  }
  EXPECT_EQ(first_run, second_run);
  EXPECT_FALSE(first_run.empty());
}

TEST_F(EngineTest, WithSightingsHotspotsAreCountedWhereTheSightingsGoNotInProcess) {
  engine_.SetRules(Rules(kHotspotRules));
  std::vector<HotspotSighting> sightings;
  auto judged = engine_.Process(MakeEvent("a", kT0 + absl::Minutes(1)), "events/0", &sightings);
  ASSERT_TRUE(judged.ok());
  EXPECT_THAT(*judged, IsEmpty());
  ASSERT_THAT(sightings, SizeIs(1));
  EXPECT_EQ(sightings[0].rule_id(), "alarm-hotspot");
  EXPECT_EQ(sightings[0].group_key(), "alarm.call|4514");
  EXPECT_EQ(sightings[0].time_ns(), absl::ToUnixNanos(kT0 + absl::Minutes(1)));
  infobus::common::v1::Evidence evidence;
  ASSERT_TRUE(evidence.ParseFromString(sightings[0].evidence()));
  EXPECT_EQ(evidence.event_id(), "a");
  EXPECT_EQ(evidence.trace_id(), "trace-a");
  // Process kept no window: the state is the events partition's stream time only.
  EXPECT_EQ(engine_.stats().windows_open, 0);

  // Events of one group key from three events partitions, counted in one sightings partition:
  // the window is whole and fires once, with the id the inline count gives.
  EXPECT_THAT(Routed(engine_, MakeEvent("b", kT0 + absl::Minutes(2)), "events/1", 7, "hs/2"),
              IsEmpty());
  EXPECT_THAT(Routed(engine_, MakeEvent("c", kT0 + absl::Minutes(3)), "events/2", 4, "hs/2"),
              IsEmpty());
  std::vector<Judgment> fired =
      Routed(engine_, MakeEvent("d", kT0 + absl::Minutes(4)), "events/0", 9, "hs/2");
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].judgment_id(),
            StableId({"alarm-hotspot", "alarm.call|4514", absl::StrCat(absl::ToUnixNanos(kT0))}));
  EXPECT_EQ(fired[0].evidence_count(), 3);
  ASSERT_EQ(fired[0].evidence_size(), 3);
  EXPECT_EQ(fired[0].evidence(2).event_id(), "d");
  EXPECT_EQ(fired[0].evidence(2).trace_id(), "trace-d");
  // Its window lives in the sightings partition's scope.
  bool window_in_scope = false;
  for (const StateChange& change : engine_.TakeStateChanges()) {
    if (change.key.find("\x1fW\x1f") == std::string::npos) continue;
    EXPECT_EQ(change.key.rfind("hs/2\x1f", 0), 0u) << change.key;
    window_in_scope = true;
  }
  EXPECT_TRUE(window_in_scope);
}

TEST_F(EngineTest, ASightingSentAgainIsNotCountedTwiceEvenAfterARestart) {
  engine_.SetRules(Rules(kHotspotRules));
  EXPECT_THAT(Routed(engine_, MakeEvent("a", kT0 + absl::Minutes(1)), "events/0", 10, "hs/0"),
              IsEmpty());
  EXPECT_THAT(Routed(engine_, MakeEvent("b", kT0 + absl::Minutes(2)), "events/0", 11, "hs/0"),
              IsEmpty());
  // The event consumer crashed before committing and redoes offsets 10 and 11: not counted.
  EXPECT_THAT(Routed(engine_, MakeEvent("a", kT0 + absl::Minutes(1)), "events/0", 10, "hs/0"),
              IsEmpty());
  EXPECT_THAT(Routed(engine_, MakeEvent("b", kT0 + absl::Minutes(2)), "events/0", 11, "hs/0"),
              IsEmpty());
  EXPECT_EQ(engine_.stats().sightings, 2);
  EXPECT_EQ(engine_.stats().sightings_duplicate, 2);

  // The marks survive a restart of the counter too.
  std::unique_ptr<Engine> restarted = Restarted(Rules(kHotspotRules));
  EXPECT_THAT(Routed(*restarted, MakeEvent("b", kT0 + absl::Minutes(2)), "events/0", 11, "hs/0"),
              IsEmpty());
  EXPECT_EQ(restarted->stats().sightings_duplicate, 1);
  // Another origin's offsets are its own: offset 3 of events/1 is new.
  std::vector<Judgment> fired =
      Routed(*restarted, MakeEvent("c", kT0 + absl::Minutes(3)), "events/1", 3, "hs/0");
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].evidence_count(), 3);
}

TEST_F(EngineTest, ASightingWhoseEvidenceDoesNotParseIsRefusedAndChangesNothing) {
  engine_.SetRules(Rules(kHotspotRules));
  HotspotSighting sighting;
  sighting.set_rule_id("alarm-hotspot");
  sighting.set_group_key("alarm.call|4514");
  sighting.set_time_ns(absl::ToUnixNanos(kT0));
  sighting.set_evidence("\xff\xff\xff");
  sighting.set_origin("events/0");
  sighting.set_origin_offset(1);
  auto counted = engine_.CountSighting(sighting, "hs/0");
  EXPECT_EQ(counted.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_.stats().windows_open, 0);
  // A sighting of a rule that is not a hotspot (any more) is ignored.
  sighting.set_rule_id("no-such-rule");
  counted = engine_.CountSighting(sighting, "hs/0");
  ASSERT_TRUE(counted.ok());
  EXPECT_THAT(*counted, IsEmpty());
  EXPECT_THAT(engine_.TakeStateChanges(), IsEmpty());
}

// Each scope has its own stream time: a partition far ahead does not make another partition's
// events late, so a partition's windows close the same wherever it is processed.
TEST_F(EngineTest, StreamTimeIsKeptPerScope) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(MakeEvent("ahead", kT0 + absl::Hours(10)), "events/1");
  EXPECT_EQ(engine_.stream_time("events/1"), kT0 + absl::Hours(10));
  EXPECT_EQ(engine_.stream_time("events/0"), absl::InfinitePast());
  EXPECT_THAT(Feed(MakeEvent("a", kT0 + absl::Minutes(1)), "events/0"), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("b", kT0 + absl::Minutes(2)), "events/0"), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("c", kT0 + absl::Minutes(3)), "events/0"), SizeIs(1));
  EXPECT_EQ(engine_.stats().late_dropped, 0);
  // Within a scope, its own stream time still decides what is late.
  Feed(MakeEvent("d", kT0 + absl::Hours(2)), "events/0");
  Feed(MakeEvent("e", kT0 + absl::Minutes(5)), "events/0");
  EXPECT_EQ(engine_.stats().late_dropped, 1);

  // Each scope's clock is its own record, and comes back with it.
  std::unique_ptr<Engine> restarted = Restarted(Rules(kHotspotRules));
  EXPECT_EQ(restarted->stream_time("events/0"), kT0 + absl::Hours(2));
  EXPECT_EQ(restarted->stream_time("events/1"), kT0 + absl::Hours(10));
  EXPECT_EQ(stored_.count(Engine::MetaKey("events/0")), 1u);
  EXPECT_EQ(stored_.count(Engine::MetaKey("events/1")), 1u);
}

// A partition's state is the records under its scope's key prefix: handed to another engine (the
// partition's new owner) with nothing else, it carries on exactly as the old owner would have.
TEST_F(EngineTest, APartitionsStateIsItsKeyPrefixAndCarriesOnElsewhere) {
  const RuleSet rules = Rules(std::string(kHotspotRules) + kCrossCountyRule);
  engine_.SetRules(rules);
  // Partition 1: two alarms and two counties of a mover. Partition 0: other traffic, far ahead.
  Feed(MakeEvent("a", kT0 + absl::Minutes(1), "alarm.call", "451421", kPerson), "events/1");
  Feed(MakeEvent("b", kT0 + absl::Minutes(2), "alarm.call", "451481", kPerson), "events/1");
  Feed(MakeEvent("x", kT0 + absl::Hours(9), "alarm.call", "450110"), "events/0");
  for (StateChange& change : engine_.TakeStateChanges()) {
    if (change.value) stored_[change.key] = *change.value;
  }
  // The old owner goes on with the next event of partition 1 ...
  const Event next = MakeEvent("c", kT0 + absl::Minutes(3), "alarm.call", "451402", kPerson);
  std::vector<Judgment> old_owner = Feed(next, "events/1");
  ASSERT_THAT(old_owner, SizeIs(2));  // the hotspot and the movement

  // ... and so does a new owner given only partition 1's records.
  Engine moved(&watchlist_, clock_);
  moved.SetRules(rules);
  const std::string prefix = "events/1\x1f";
  int records = 0;
  for (const auto& [key, value] : stored_) {
    if (key.rfind(prefix, 0) != 0) continue;
    ASSERT_TRUE(moved.Restore(key, value).ok());
    ++records;
  }
  EXPECT_EQ(records, 3);  // the window, the subject's patterns, the scope's clock
  EXPECT_EQ(moved.stream_time("events/1"), kT0 + absl::Minutes(2));
  auto new_owner = moved.Process(next, "events/1");
  ASSERT_TRUE(new_owner.ok());
  ASSERT_THAT(*new_owner, SizeIs(2));
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*new_owner)[i].judgment_id(), old_owner[i].judgment_id());
    EXPECT_EQ((*new_owner)[i].evidence_size(), old_owner[i].evidence_size());
  }
}

}  // namespace
}  // namespace infobus::judgment::engine_test
