#include "services/judgment/engine/engine.h"

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "infobus/judgment/v1/judgment_state.pb.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z, hour-aligned
constexpr char kPerson[] = "11010519491231002X";

Event MakeEvent(const std::string& id, absl::Time at, const std::string& kind = "alarm.call",
                const std::string& county = "451421", const std::string& person = "") {
  Event event;
  event.set_event_id(id);
  event.set_source_id("src");
  event.set_trace_id("trace-" + id);
  event.set_kind(kind);
  event.set_county_code(county);
  event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  *event.mutable_occurred_at() = ToProtoTimestamp(at);
  if (!person.empty()) {
    auto* subject = event.add_subjects();
    subject->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
    subject->set_value(person);
  }
  return event;
}

std::vector<Judgment> ProcessOk(Engine& engine, const Event& event) {
  auto judgments = engine.Process(event, "events/0");
  EXPECT_TRUE(judgments.ok()) << judgments.status();
  return judgments.ok() ? *std::move(judgments) : std::vector<Judgment>();
}

RuleSet Rules(const std::string& yaml) {
  auto rules = ParseRules(yaml);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : RuleSet();
}

constexpr char kHotspotRules[] = R"(
version: 1
rules:
  - id: alarm-hotspot
    version: 1
    kind: hotspot
    severity: high
    title: "{count} alarms in {group}"
    filter: {kinds: [alarm.call], counties: ["45"]}
    group_by: [kind, "jurisdiction:4"]
    window: 1h
    grace: 10m
    threshold: 3
)";

// A movement rule to add to kHotspotRules.
constexpr char kCrossCountyRule[] = R"(
  - id: cross-county
    version: 1
    kind: movement
    severity: medium
    min_counties: 3
    within: 6h
    grace: 5m
)";

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : clock_(std::make_shared<FakeClock>(kT0)), engine_(&watchlist_, clock_) {}

  std::vector<Judgment> Feed(const Event& event, const std::string& scope = "events/0") {
    auto judgments = engine_.Process(event, scope);
    EXPECT_TRUE(judgments.ok()) << judgments.status();
    return judgments.ok() ? *judgments : std::vector<Judgment>();
  }

  // What a restart does: a fresh engine fed every stored record.
  std::unique_ptr<Engine> Restarted(const RuleSet& rules) {
    for (StateChange& change : engine_.TakeStateChanges()) {
      if (change.value) {
        stored_[change.key] = *change.value;
      } else {
        stored_.erase(change.key);
      }
    }
    auto engine = std::make_unique<Engine>(&watchlist_, clock_);
    engine->SetRules(rules);
    for (const auto& [key, value] : stored_) EXPECT_TRUE(engine->Restore(key, value).ok());
    return engine;
  }

  InMemoryWatchlist watchlist_;
  std::shared_ptr<FakeClock> clock_;
  Engine engine_;
  std::map<std::string, std::string> stored_;
};

TEST_F(EngineTest, HotspotFiresOncePerWindowAndKeyWithDeterministicId) {
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

TEST_F(EngineTest, ClassificationIsTheHighestOfTheEvidence) {
  engine_.SetRules(Rules(kHotspotRules));
  Event secret = MakeEvent("b", kT0 + absl::Minutes(2));
  secret.set_classification(infobus::common::v1::CLASSIFICATION_SECRET);
  Feed(MakeEvent("a", kT0 + absl::Minutes(1)));
  Feed(secret);
  auto fired = Feed(MakeEvent("c", kT0 + absl::Minutes(3)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].classification(), infobus::common::v1::CLASSIFICATION_SECRET);
}

Event WithCompartments(Event event, std::vector<std::string> compartments) {
  for (std::string& compartment : compartments) event.add_compartments(std::move(compartment));
  return event;
}

TEST_F(EngineTest, CompartmentsAreTheUnionOfTheEvidence) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(WithCompartments(MakeEvent("a", kT0 + absl::Minutes(1)), {"informant"}));
  Feed(WithCompartments(MakeEvent("b", kT0 + absl::Minutes(2)), {"border", "informant"}));
  auto fired = Feed(MakeEvent("c", kT0 + absl::Minutes(3)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_THAT(fired[0].compartments(), ElementsAre("border", "informant"));
  ASSERT_EQ(fired[0].evidence_size(), 3);
  EXPECT_THAT(fired[0].evidence(1).compartments(), ElementsAre("border", "informant"));
  EXPECT_THAT(fired[0].evidence(2).compartments(), IsEmpty());
}

TEST_F(EngineTest, NoCompartmentedEvidenceNoCompartments) {
  engine_.SetRules(Rules(kHotspotRules));
  Feed(MakeEvent("a", kT0 + absl::Minutes(1)));
  Feed(MakeEvent("b", kT0 + absl::Minutes(2)));
  auto fired = Feed(MakeEvent("c", kT0 + absl::Minutes(3)));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_THAT(fired[0].compartments(), IsEmpty());
}

// The evidence a window or a subject's sightings keep in the store carries the compartments, so
// a judgment made after a restart from stored evidence is as restricted as one made before.
TEST_F(EngineTest, CompartmentsSurviveInStoredEvidenceOfWindowsAndPatterns) {
  const RuleSet rules = Rules(std::string(kHotspotRules) + kCrossCountyRule);
  engine_.SetRules(rules);
  Feed(WithCompartments(MakeEvent("a", kT0 + absl::Minutes(1), "alarm.call", "451421", kPerson),
                        {"informant"}));
  Feed(WithCompartments(MakeEvent("b", kT0 + absl::Minutes(2), "alarm.call", "451481", kPerson),
                        {"border"}));
  std::unique_ptr<Engine> restarted = Restarted(rules);
  auto fired = ProcessOk(*restarted,
                         MakeEvent("c", kT0 + absl::Minutes(3), "alarm.call", "451422", kPerson));
  ASSERT_THAT(fired, SizeIs(2));
  for (const Judgment& judgment : fired) {
    EXPECT_THAT(judgment.compartments(), ElementsAre("border", "informant")) << judgment.rule_id();
    ASSERT_EQ(judgment.evidence_size(), 3) << judgment.rule_id();
    EXPECT_THAT(judgment.evidence(0).compartments(), ElementsAre("informant"));
  }
}

TEST_F(EngineTest, TumblingWindowEdgesAreHalfOpen) {
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

TEST_F(EngineTest, LateEventsCountWithinGraceAndAreDroppedPastIt) {
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

TEST_F(EngineTest, OutOfOrderEventsWithinGraceGiveTheSameJudgment) {
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

TEST_F(EngineTest, HoppingWindowsCountAnEventInEveryWindowThatHoldsIt) {
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

TEST_F(EngineTest, ClosedWindowsLeaveTheState) {
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

constexpr char kMovementRules[] = R"(
version: 1
rules:
  - id: cross-county
    version: 2
    kind: movement
    severity: medium
    min_counties: 3
    within: 6h
    filter: {subject_types: [id_number]}
)";

TEST_F(EngineTest, MovementInThreeCountiesWithinTFires) {
  engine_.SetRules(Rules(kMovementRules));
  EXPECT_THAT(Feed(MakeEvent("a", kT0, "lodging.checkin", "451421", kPerson)), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("b", kT0 + absl::Hours(1), "netcafe.login", "451421", kPerson)),
              IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("c", kT0 + absl::Hours(2), "vehicle.pass", "451481", kPerson)),
              IsEmpty());
  auto fired = Feed(MakeEvent("d", kT0 + absl::Hours(5), "lodging.checkin", "450110", kPerson));
  ASSERT_THAT(fired, SizeIs(1));
  const Judgment& judgment = fired[0];
  EXPECT_EQ(judgment.kind(), infobus::common::v1::JUDGMENT_KIND_MOVEMENT);
  EXPECT_EQ(judgment.rule_version(), 2);
  EXPECT_EQ(judgment.judgment_id(), StableId({"cross-county", std::string("ID_NUMBER:") + kPerson,
                                              absl::StrCat(absl::ToUnixNanos(kT0))}));
  ASSERT_EQ(judgment.evidence_size(), 3);
  EXPECT_EQ(judgment.evidence(0).event_id(), "a");
  EXPECT_EQ(judgment.evidence(1).event_id(), "c");
  EXPECT_EQ(judgment.evidence(2).event_id(), "d");
  EXPECT_EQ(judgment.jurisdiction_code(), "45");
  EXPECT_EQ(FromProtoTimestamp(judgment.window_end()), kT0 + absl::Hours(5));
  // The trip goes on: no second judgment from the same evidence.
  EXPECT_THAT(Feed(MakeEvent("e", kT0 + absl::Hours(5), "tip", "450110", kPerson)), IsEmpty());
}

TEST_F(EngineTest, MovementSpreadWiderThanTDoesNotFire) {
  engine_.SetRules(Rules(kMovementRules));
  Feed(MakeEvent("a", kT0, "lodging.checkin", "451421", kPerson));
  Feed(MakeEvent("b", kT0 + absl::Hours(4), "lodging.checkin", "451481", kPerson));
  EXPECT_THAT(Feed(MakeEvent("c", kT0 + absl::Hours(6) + absl::Seconds(1), "lodging.checkin",
                             "450110", kPerson)),
              IsEmpty());
  // Another person in the same counties is another subject.
  Feed(MakeEvent("p", kT0, "lodging.checkin", "451421", "110105194912310029"));
  EXPECT_THAT(Feed(MakeEvent("q", kT0, "lodging.checkin", "451481", "110105194912310029")),
              IsEmpty());
}

TEST_F(EngineTest, MovementOutOfOrderWithinGraceFires) {
  RuleSet rules = Rules(R"(
version: 1
rules:
  - id: cross-county
    version: 1
    kind: movement
    severity: medium
    min_counties: 2
    within: 1h
    grace: 30m
)");
  engine_.SetRules(rules);
  Feed(MakeEvent("a", kT0 + absl::Hours(3), "lodging.checkin", "451421", kPerson));
  // 1h20 behind stream time: within `within` + grace, and within 1h of nothing... then 1h50.
  EXPECT_THAT(
      Feed(MakeEvent("b", kT0 + absl::Hours(2) + absl::Minutes(10), "tip", "451481", kPerson)),
      SizeIs(1));
  // Past within + grace: dropped.
  EXPECT_THAT(Feed(MakeEvent("c", kT0, "tip", "450110", kPerson)), IsEmpty());
  EXPECT_EQ(engine_.stats().late_dropped, 1);
}

constexpr char kCorrelationRules[] = R"(
version: 1
rules:
  - id: lodging-then-netcafe
    version: 1
    kind: correlation
    severity: high
    sequence: [lodging.checkin, netcafe.login]
    ordered: true
    within: 2h
  - id: any-order
    version: 1
    kind: correlation
    severity: low
    sequence: [vehicle.pass, alarm.call]
    within: 30m
)";

TEST_F(EngineTest, OrderedCorrelationNeedsTheOrder) {
  engine_.SetRules(Rules(kCorrelationRules));
  EXPECT_THAT(Feed(MakeEvent("n", kT0, "netcafe.login", "451421", kPerson)), IsEmpty());
  EXPECT_THAT(Feed(MakeEvent("l", kT0 + absl::Minutes(10), "lodging.checkin", "451421", kPerson)),
              IsEmpty());
  auto fired = Feed(MakeEvent("n2", kT0 + absl::Minutes(90), "netcafe.login", "451421", kPerson));
  ASSERT_THAT(fired, SizeIs(1));
  EXPECT_EQ(fired[0].kind(), infobus::common::v1::JUDGMENT_KIND_CORRELATION);
  ASSERT_EQ(fired[0].evidence_size(), 2);
  EXPECT_EQ(fired[0].evidence(0).event_id(), "l");
  EXPECT_EQ(fired[0].evidence(1).event_id(), "n2");
  EXPECT_EQ(fired[0].jurisdiction_code(), "451421");
}

TEST_F(EngineTest, CorrelationOutsideTDoesNotFire) {
  engine_.SetRules(Rules(kCorrelationRules));
  Feed(MakeEvent("l", kT0, "lodging.checkin", "451421", kPerson));
  EXPECT_THAT(Feed(MakeEvent("n", kT0 + absl::Hours(2) + absl::Seconds(1), "netcafe.login",
                             "451421", kPerson)),
              IsEmpty());
  // Unordered: either order within 30 minutes.
  Feed(MakeEvent("a", kT0 + absl::Hours(3), "alarm.call", "451421", kPerson));
  EXPECT_THAT(Feed(MakeEvent("v", kT0 + absl::Hours(3) + absl::Minutes(29), "vehicle.pass",
                             "451421", kPerson)),
              SizeIs(1));
}

TEST_F(EngineTest, WatchlistHitTakesTheHigherOfListAndEntrySeverity) {
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

TEST_F(EngineTest, WatchlistListsSetFloorsAndOtherListsStillCount) {
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

TEST_F(EngineTest, FiltersOnCountyClassificationAndAttributes) {
  engine_.SetRules(Rules(R"(
version: 1
rules:
  - id: f
    version: 1
    kind: hotspot
    severity: low
    filter:
      counties: ["4514"]
      classification: confidential
      attributes: {weapon: "*", source_type: hotline}
    group_by: [source]
    window: 1h
    grace: 0s
    threshold: 1
)"));
  Event event = MakeEvent("a", kT0);
  (*event.mutable_attributes())["weapon"] = "knife";
  (*event.mutable_attributes())["source_type"] = "hotline";
  EXPECT_THAT(Feed(event), IsEmpty());  // classification too low
  event.set_classification(infobus::common::v1::CLASSIFICATION_SECRET);
  event.set_county_code("450110");
  EXPECT_THAT(Feed(event), IsEmpty());  // county outside 4514
  event.set_county_code("451421");
  (*event.mutable_attributes())["source_type"] = "walk-in";
  EXPECT_THAT(Feed(event), IsEmpty());  // attribute value differs
  (*event.mutable_attributes())["source_type"] = "hotline";
  event.set_event_id("b");
  EXPECT_THAT(Feed(event), SizeIs(1));
}

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

// The evidence a judgment carries is the event's, field for field, whether the event was just
// processed or restored from stored state; a plate subject's key matches the watchlist's.
TEST_F(EngineTest, JudgmentEvidenceIsTheEventsBeforeAndAfterRestore) {
  const RuleSet rules = Rules(R"(
version: 1
rules:
  - id: plates
    version: 1
    kind: watchlist
    severity: high
  - id: tips
    version: 1
    kind: hotspot
    severity: low
    filter: {kinds: [tip]}
    group_by: [kind]
    window: 1h
    grace: 0s
    threshold: 2
)");
  engine_.SetRules(rules);
  WatchlistEntry entry;
  entry.set_list_id("stolen");
  entry.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  entry.mutable_subject()->set_value("桂F12345");
  watchlist_.Add(entry);
  Event first = MakeEvent("a", kT0 + absl::Minutes(1) + absl::Nanoseconds(5), "tip", "451421");
  first.mutable_location()->set_jurisdiction_code("4514210012");
  *first.mutable_ingested_at() = ToProtoTimestamp(kT0 + absl::Minutes(2));
  first.set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  first.add_compartments("border");
  first.add_compartments("informant");
  auto* plate = first.add_subjects();
  plate->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  plate->set_value("桂F12345");
  infobus::common::v1::Evidence expected;
  expected.set_event_id("a");
  expected.set_source_id("src");
  expected.set_trace_id("trace-a");
  expected.set_kind("tip");
  expected.set_county_code("451421");
  *expected.mutable_occurred_at() = first.occurred_at();
  expected.set_classification(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  expected.set_jurisdiction_code("4514210012");
  *expected.mutable_ingested_at() = first.ingested_at();
  expected.add_compartments("border");
  expected.add_compartments("informant");

  auto hit = Feed(first);
  ASSERT_THAT(hit, SizeIs(1));
  EXPECT_EQ(hit[0].group_key(), "PLATE:桂F12345");
  ASSERT_EQ(hit[0].evidence_size(), 1);
  EXPECT_EQ(hit[0].evidence(0).SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(hit[0].jurisdiction_code(), "4514210012");

  // The hotspot's first evidence comes back from the store.
  std::unique_ptr<Engine> restarted = Restarted(rules);
  auto fired = ProcessOk(*restarted, MakeEvent("b", kT0 + absl::Minutes(3), "tip", "451481"));
  ASSERT_THAT(fired, SizeIs(1));
  ASSERT_EQ(fired[0].evidence_size(), 2);
  EXPECT_EQ(fired[0].evidence(0).SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(fired[0].evidence(1).event_id(), "b");
  EXPECT_EQ(fired[0].classification(), infobus::common::v1::CLASSIFICATION_CONFIDENTIAL);
  EXPECT_EQ(fired[0].jurisdiction_code(), "4514");
}

// The engine writes its records itself: they must be exactly what the generated serialisers
// write for the same content (so records written before still restore, and vice versa).
TEST_F(EngineTest, StateRecordsAreTheProtosCanonicalBytes) {
  engine_.SetRules(Rules(std::string(kHotspotRules) + kCrossCountyRule + R"(
  - id: tip-then-alarm
    version: 1
    kind: correlation
    severity: low
    sequence: [tip, alarm.call]
    ordered: true
    within: 1h
)"));
  Feed(MakeEvent("a", kT0 + absl::Minutes(1), "tip", "451421", kPerson));
  Feed(WithCompartments(MakeEvent("b", kT0 + absl::Minutes(2), "alarm.call", "451481", kPerson),
                        {"border", "informant"}));
  Feed(MakeEvent("c", kT0 + absl::Minutes(2), "alarm.call", "451481"));
  int windows = 0, patterns = 0, meta = 0;
  for (const StateChange& change : engine_.TakeStateChanges()) {
    ASSERT_TRUE(change.value.has_value()) << change.key;
    const std::string& value = *change.value;
    if (change.key == Engine::MetaKey("events/0")) {
      infobus::judgment::v1::EngineMeta record;
      ASSERT_TRUE(record.ParseFromString(value));
      EXPECT_EQ(record.SerializeAsString(), value);
      EXPECT_EQ(record.stream_time_ns(), absl::ToUnixNanos(kT0 + absl::Minutes(2)));
      ++meta;
    } else if (change.key.find("\x1fW\x1f") != std::string::npos) {
      infobus::judgment::v1::WindowState record;
      ASSERT_TRUE(record.ParseFromString(value));
      EXPECT_EQ(record.SerializeAsString(), value);
      EXPECT_EQ(record.rule_id(), "alarm-hotspot");
      EXPECT_EQ(record.group_key(), "alarm.call|4514");
      EXPECT_EQ(record.count(), 2);
      EXPECT_EQ(record.evidence_size(), 2);
      ++windows;
    } else {
      infobus::judgment::v1::SubjectPatterns record;
      ASSERT_TRUE(record.ParseFromString(value));
      EXPECT_EQ(record.SerializeAsString(), value);
      EXPECT_EQ(change.key, std::string("events/0\x1f\x1fS\x1fID_NUMBER:") + kPerson);
      EXPECT_EQ(record.subject().value(), kPerson);
      // Event b fed both rules and is stored once.
      ASSERT_EQ(record.evidence_size(), 2);
      infobus::common::v1::Evidence evidence;
      ASSERT_TRUE(evidence.ParseFromString(record.evidence(1)));
      EXPECT_EQ(evidence.SerializeAsString(), record.evidence(1));
      EXPECT_EQ(evidence.event_id(), "b");
      EXPECT_THAT(evidence.compartments(), ElementsAre("border", "informant"));
      // Rules in the order they first saw the subject: the tip fed the correlation first.
      ASSERT_EQ(record.rules_size(), 2);
      EXPECT_EQ(record.rules(0).rule_id(), "tip-then-alarm");
      EXPECT_EQ(record.rules(0).last_fired_ns(), absl::ToUnixNanos(kT0 + absl::Minutes(2)));
      EXPECT_EQ(record.rules(1).rule_id(), "cross-county");
      EXPECT_EQ(record.rules(1).last_fired_ns(), INT64_MIN);
      for (const auto& rule : record.rules()) {
        EXPECT_THAT(rule.evidence_index(), ElementsAre(0, 1));
        EXPECT_THAT(rule.time_ns(), ElementsAre(absl::ToUnixNanos(kT0 + absl::Minutes(1)),
                                                absl::ToUnixNanos(kT0 + absl::Minutes(2))));
      }
      EXPECT_EQ(record.expire_at_ns(),
                absl::ToUnixNanos(kT0 + absl::Minutes(2) + absl::Hours(6) + absl::Minutes(5)));
      ++patterns;
    }
  }
  EXPECT_EQ(windows, 1);
  EXPECT_EQ(patterns, 1);
  EXPECT_EQ(meta, 1);
}

// A window of a changed rule that has the key of a window the change dropped stays open until
// its own close, not the dropped one's.
TEST_F(EngineTest, ChangedRulesWindowOutlivesTheDroppedWindowsClose) {
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

TEST(RulesTest, ErrorsNameTheField) {
  auto check = [](const std::string& yaml, const std::string& field) {
    auto rules = ParseRules(yaml);
    ASSERT_FALSE(rules.ok()) << yaml;
    EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(rules.status().message().rfind(field, 0), 0u) << rules.status();
  };
  check("rules: []", "version");
  check("version: 1\nrules: [{id: a, version: 1, kind: nope}]", "rules[0].kind");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: hotspot, severity: high, group_by: [kind], "
      "window: 1h, threshold: 2}]",
      "rules[0].grace");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: hotspot, severity: high, group_by: [kind], "
      "window: 1hour, grace: 0s, threshold: 2}]",
      "rules[0].window");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: movement, severity: high, within: 1h, "
      "min_counties: 1}]",
      "rules[0].min_counties");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: correlation, severity: high, within: 1h, "
      "sequence: [tip]}]",
      "rules[0].sequence");
  check("version: 1\nrules: [{id: a, version: 1, kind: watchlist, threshold: 3}]",
        "rules[0].threshold");
  check(
      "version: 1\nrules: [{id: a, version: 1, kind: watchlist}, {id: a, version: 1, kind: "
      "watchlist}]",
      "rules[1].id");
  check("version: 1\nrules: [{id: a, version: 1, kind: watchlist, filter: {classification: x}}]",
        "rules[0].filter.classification");
  check("version: [", "rules file");
}

// Found by rules_fuzz: a rule without an id (or a kind) threw yaml-cpp's InvalidNode out of
// ParseRules, which ended the judgment service, at start or when the rules file changed.
TEST(RulesTest, ARuleWithoutIdOrKindIsRefusedNotThrown) {
  auto rules = ParseRules("version: 1\nrules:\n  - {kind: watchlist, severity: high}\n");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(), "rules[0].id: is required");
  rules = ParseRules("version: 1\nrules:\n  - {id: a, version: 1, severity: high}\n");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(), "rules[0].kind: is required");
}

TEST(RulesTest, SampleRulesFileParses) {
  std::ifstream in(std::string(INFOBUS_SOURCE_DIR) + "/deploy/config/rules.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto rules = ParseRules(text.str());
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rules.size(), 5u);
}

// --- Scopes and hotspot sightings

// Routes `event` the way the service does: its hotspot sightings are counted in the scope of the
// sightings partition, `origin_offset` standing in for the event's offset.
std::vector<Judgment> Routed(Engine& engine, const Event& event, const std::string& events_scope,
                             int64_t origin_offset, const std::string& sightings_scope) {
  std::vector<HotspotSighting> sightings;
  auto judgments = engine.Process(event, events_scope, &sightings);
  EXPECT_TRUE(judgments.ok()) << judgments.status();
  std::vector<Judgment> out = judgments.ok() ? *judgments : std::vector<Judgment>();
  for (HotspotSighting& sighting : sightings) {
    EXPECT_EQ(sighting.origin(), events_scope);
    sighting.set_origin_offset(origin_offset);
    auto counted = engine.CountSighting(sighting, sightings_scope);
    EXPECT_TRUE(counted.ok()) << counted.status();
    if (counted.ok()) out.insert(out.end(), counted->begin(), counted->end());
  }
  return out;
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

// The same event record on the events topic twice (at two offsets: a producer retry, or a
// client's resend after collection crashed before storing its key) counts once in a window,
// inline and through sightings, and also after a restart in between.
TEST_F(EngineTest, AnEventOnTheTopicTwiceCountsOncePerWindow) {
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

TEST_F(EngineTest, StateWrittenBeforeScopingIsDroppedOnRestore) {
  engine_.SetRules(Rules(kHotspotRules));
  infobus::judgment::v1::WindowState window;
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
  infobus::judgment::v1::EngineMeta meta;
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
}  // namespace infobus::judgment
