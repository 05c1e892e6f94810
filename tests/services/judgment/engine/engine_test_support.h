#pragma once

// What the engine tests share: events, rules, and a fixture around one Engine with a fake clock,
// an in-memory watchlist and a store for its state records.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/util/time.h"
#include "gtest/gtest.h"
#include "services/judgment/engine/engine.h"

namespace infobus::judgment::engine_test {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

inline const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
inline constexpr char kPerson[] = "11010519491231002X";

inline Event MakeEvent(const std::string& id, absl::Time at, const std::string& kind = "alarm.call",
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

inline Event WithCompartments(Event event, std::vector<std::string> compartments) {
  for (std::string& compartment : compartments) event.add_compartments(std::move(compartment));
  return event;
}

inline std::vector<Judgment> ProcessOk(Engine& engine, const Event& event) {
  auto judgments = engine.Process(event, "events/0");
  EXPECT_TRUE(judgments.ok()) << judgments.status();
  return judgments.ok() ? *std::move(judgments) : std::vector<Judgment>();
}

inline RuleSet Rules(const std::string& yaml) {
  auto rules = ParseRules(yaml);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : RuleSet();
}

inline constexpr char kHotspotRules[] = R"(
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
inline constexpr char kCrossCountyRule[] = R"(
  - id: cross-county
    version: 1
    kind: movement
    severity: medium
    min_counties: 3
    within: 6h
    grace: 5m
)";

// Routes `event` the way the service does: its hotspot sightings are counted in the scope of the
// sightings partition, `origin_offset` standing in for the event's offset.
inline std::vector<Judgment> Routed(Engine& engine, const Event& event,
                                    const std::string& events_scope, int64_t origin_offset,
                                    const std::string& sightings_scope) {
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

}  // namespace infobus::judgment::engine_test
