// Two judgment instances in one consumer group share the events partitions; a hotspot's group
// key is spread over all of them (events are keyed by subject), and still it is counted whole,
// once: each event's sighting goes through the sightings topic to the one partition (and
// instance) that owns its (rule, group key). A kill -9 of one instance mid-stream changes
// nothing of that; garbage on the sightings topic is dead-lettered.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "infobus/common/v1/dead_letter.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/scrape.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Judgment;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
constexpr int kThreshold = 30;

// Wide grace: the partitions are consumed in no particular interleaving.
const std::string kRules = absl::StrCat(R"(version: 1
rules:
  - id: alarms
    version: 1
    kind: hotspot
    severity: high
    filter: {kinds: [alarm.call]}
    group_by: [kind, "jurisdiction:4"]
    window: 1h
    grace: 48h
    threshold: )",
                                        kThreshold, R"(
    max_evidence: 100
)");

Event Alarm(int i) {
  Event event;
  event.set_event_id(absl::StrCat("alarm-", i));
  event.set_source_id("it-source");
  event.set_trace_id(StableId({"trace", event.event_id()}));
  event.set_kind("alarm.call");
  event.set_county_code(i % 2 == 0 ? "451421" : "451481");
  event.set_classification(infobus::common::v1::CLASSIFICATION_INTERNAL);
  *event.mutable_occurred_at() = ToProtoTimestamp(kT0 + absl::Seconds(60 * i));
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value(absl::StrCat("139", 10000000 + i));  // a key each: spread over partitions
  return event;
}

// Waits until `instance` logs that it was assigned a partition of `topic`.
bool AwaitAssigned(const ServiceProcess& instance, const std::string& topic) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (instance.Log().find("assigned " + topic + "/") != std::string::npos) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

std::vector<Judgment> Judgments(const std::vector<kafka::Record>& records) {
  std::vector<Judgment> out;
  for (const kafka::Record& record : records) {
    EXPECT_TRUE(out.emplace_back().ParseFromString(record.value));
  }
  return out;
}

TEST(JudgmentScaleOut, TwoInstancesCountAHotspotSpreadOverAllPartitionsWholeAndOnce) {
  TestBus bus("jscale");
  const std::string rules = bus.dir() + "/rules.yaml";
  std::ofstream(rules) << kRules;
  const std::string config = "judgment:\n  rules_file: " + rules + "\n";
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");
  const std::string sightings_topic = bus.Topic("infobus.hotspot-sightings.v1");

  auto first = bus.Instance("judgment", 0, config);
  ASSERT_TRUE(first->Start().ok()) << first->Log();
  ASSERT_TRUE(AwaitAssigned(*first, events_topic)) << first->Log();
  auto second = bus.Instance("judgment", 1, config);
  ASSERT_TRUE(second->Start().ok()) << second->Log();
  // The second one's assignment comes from the rebalance that also takes partitions from the
  // first: from here on each judges a share of the events.
  ASSERT_TRUE(AwaitAssigned(*second, events_topic)) << second->Log();

  // Two thirds of the threshold, then a kill -9 of one instance while it works.
  std::vector<Event> before, after;
  for (int i = 0; i < kThreshold; ++i)
    (i < kThreshold * 2 / 3 ? before : after).push_back(Alarm(i));
  ProduceEvents(events_topic, before);
  ASSERT_EQ(ReadTopic(sightings_topic, before.size(), absl::Seconds(60)).size(), before.size());
  second->Kill();
  ASSERT_TRUE(second->Start().ok()) << second->Log();
  // Below the threshold: nothing fired yet (a sighting counted twice would fire it early).
  EXPECT_EQ(ReadTopic(judgments_topic, 1, absl::Seconds(3)).size(), 0u);

  ProduceEvents(events_topic, after);
  ASSERT_EQ(ReadTopic(judgments_topic, 1, absl::Seconds(60)).size(), 1u)
      << first->Log() << second->Log();
  // Read on a little to see any second judgment.
  std::vector<Judgment> judgments = Judgments(ReadTopic(judgments_topic, 2, absl::Seconds(5)));
  ASSERT_EQ(judgments.size(), 1u) << "a hotspot judged twice";
  const Judgment& hotspot = judgments[0];
  EXPECT_EQ(hotspot.judgment_id(),
            StableId({"alarms", "alarm.call|4514", absl::StrCat(absl::ToUnixNanos(kT0))}));
  EXPECT_EQ(hotspot.evidence_count(), kThreshold);
  std::set<std::string> evidence;
  for (const auto& item : hotspot.evidence()) {
    evidence.insert(item.event_id());
    EXPECT_EQ(item.trace_id(), StableId({"trace", item.event_id()}));
  }
  EXPECT_EQ(evidence.size(), static_cast<size_t>(kThreshold)) << "an event counted twice";

  // The first instance (never killed) judged some of the events but not all: the rest were
  // the second's, and without the sightings topic neither would have reached the threshold.
  const double judged_by_first =
      SampleValue(Scrape(first->metrics_port()),
                  "infobus_consumer_records_total{topic=\"" + events_topic + "\"}");
  EXPECT_GT(judged_by_first, 0) << first->Log();
  EXPECT_LT(judged_by_first, kThreshold) << first->Log();

  // Garbage on the sightings topic is dead-lettered, and the loop goes on.
  ProduceRaw(sightings_topic, "alarms\x1fnope", "\xff\xff garbage");
  auto letters = ReadTopic(bus.Topic("infobus.dlq.v1"), 1, absl::Seconds(30));
  ASSERT_EQ(letters.size(), 1u) << first->Log() << second->Log();
  infobus::common::v1::DeadLetter letter;
  ASSERT_TRUE(letter.ParseFromString(letters[0].value));
  EXPECT_EQ(letter.topic(), sightings_topic);
  EXPECT_NE(letter.reason().find("HotspotSighting"), std::string::npos) << letter.reason();
}

}  // namespace
}  // namespace infobus::testing
