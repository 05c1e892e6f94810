// Two judgment instances in one consumer group share the events partitions; a hotspot's group
// key is spread over all of them (events are keyed by subject), and still it is counted whole,
// once: each event's sighting goes through the sightings topic to the one partition (and
// instance) that owns its (rule, group key). A kill -9 of one instance mid-stream changes
// nothing of that; garbage on the sightings topic is dead-lettered.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/admin.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "infobus/common/v1/dead_letter.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"
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

// Writes `rules` into the bus's directory; the judgment config that uses them.
std::string ConfigWithRules(const TestBus& bus, const std::string& rules) {
  const std::string path = bus.dir() + "/rules.yaml";
  std::ofstream(path) << rules;
  return "judgment:\n  rules_file: " + path + "\n";
}

// Starts judgment instance `index` and waits for its first assignment; nullptr on failure.
std::unique_ptr<ServiceProcess> StartAssigned(TestBus& bus, int index, const std::string& config) {
  auto instance = bus.Instance("judgment", index, config);
  if (absl::Status status = instance->Start(); !status.ok()) {
    ADD_FAILURE() << status;
    return nullptr;
  }
  if (!AwaitAssigned(*instance, bus.Topic("infobus.events.v1"))) {
    ADD_FAILURE() << "no assignment\n" << instance->Log();
    return nullptr;
  }
  return instance;
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
  const std::string config = ConfigWithRules(bus, kRules);
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");
  const std::string sightings_topic = bus.Topic("infobus.hotspot-sightings.v1");

  auto first = StartAssigned(bus, 0, config);
  ASSERT_NE(first, nullptr);
  // The second one's assignment comes from the rebalance that also takes partitions from the
  // first: from here on each judges a share of the events.
  auto second = StartAssigned(bus, 1, config);
  ASSERT_NE(second, nullptr);

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
      SampleValue(Scrape(first->metrics_port(), AsScraper()),
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

// Waits until `instance` has consumed and committed `count` records of `topic`.
bool AwaitConsumed(const ServiceProcess& instance, const std::string& topic, double count) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (SampleValue(Scrape(instance.metrics_port(), AsScraper()),
                    "infobus_consumer_records_total{topic=\"" + topic + "\"}") >= count) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

constexpr char kMoveRules[] = R"(version: 1
rules:
  - id: movement
    version: 1
    kind: movement
    severity: medium
    filter: {subject_types: [id_number]}
    min_counties: 3
    within: 6h
    grace: 48h
  - id: county-alarms
    version: 1
    kind: hotspot
    severity: high
    filter: {kinds: [alarm.call]}
    group_by: [county]
    window: 1h
    grace: 48h
    threshold: 3
)";

// A valid resident identity number (GB 11643 check character) for mover `i`.
std::string MoverId(int i) {
  std::string id = absl::StrCat("45142119900101", 100 + i);
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int k = 0; k < 17; ++k) sum += (id[static_cast<size_t>(k)] - '0') * kWeights[k];
  return id + "10X98765432"[sum % 11];
}

Event Sighting(const std::string& id, absl::Time at, const std::string& kind,
               const std::string& county, infobus::common::v1::SubjectType type,
               const std::string& subject) {
  Event event = Alarm(0);
  event.set_event_id(id);
  event.set_trace_id(StableId({"trace", id}));
  event.set_kind(kind);
  event.set_county_code(county);
  *event.mutable_occurred_at() = ToProtoTimestamp(at);
  event.mutable_subjects(0)->set_type(type);
  event.mutable_subjects(0)->set_value(subject);
  return event;
}

// Mover `mover` seen for the `n`th time (0-2): each time an hour later, in another county.
Event Move(int mover, int n) {
  static const char* const kCounties[] = {"451421", "451481", "451402"};
  return Sighting(absl::StrCat("move-", mover, "-", n), kT0 + absl::Hours(n), "vehicle.pass",
                  kCounties[n], infobus::common::v1::SUBJECT_TYPE_ID_NUMBER, MoverId(mover));
}

// One instance builds up state for every partition; a second joins and takes some partitions
// over. Their windows and patterns come along through the changelog, so every pattern completed
// after the move fires, once.
TEST(JudgmentScaleOut, APartitionsStateFollowsItToTheInstanceThatTakesItOver) {
  TestBus bus("jmove");
  const std::string config = ConfigWithRules(bus, kMoveRules);
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");
  const std::string sightings_topic = bus.Topic("infobus.hotspot-sightings.v1");
  constexpr int kMovers = 24, kCounties = 12;

  auto first = StartAssigned(bus, 0, config);
  ASSERT_NE(first, nullptr);

  // Two of three counties per mover, two of three alarms per county: all in the first's state.
  auto alarm = [](int county, int n) {
    return Sighting(absl::StrCat("alarm-", county, "-", n), kT0 + absl::Minutes(10 * n),
                    "alarm.call", absl::StrCat(451401 + county),  // 451400 is the city
                    infobus::common::v1::SUBJECT_TYPE_PHONE, absl::StrCat("1390000", county, n));
  };
  std::vector<Event> before, after;
  for (int i = 0; i < kMovers; ++i) {
    before.push_back(Move(i, 0));
    before.push_back(Move(i, 1));
    after.push_back(Move(i, 2));
  }
  for (int c = 0; c < kCounties; ++c) {
    before.push_back(alarm(c, 0));
    before.push_back(alarm(c, 1));
    after.push_back(alarm(c, 2));
  }
  ProduceEvents(events_topic, before);
  ASSERT_TRUE(AwaitConsumed(*first, events_topic, static_cast<double>(before.size())))
      << first->Log();
  ASSERT_TRUE(AwaitConsumed(*first, sightings_topic, 2 * kCounties)) << first->Log();

  auto second = StartAssigned(bus, 1, config);
  ASSERT_NE(second, nullptr);
  ProduceEvents(events_topic, after);

  const size_t expected = kMovers + kCounties;
  ReadTopic(judgments_topic, expected, absl::Seconds(60));
  std::vector<Judgment> judgments =
      Judgments(ReadTopic(judgments_topic, expected + 1, absl::Seconds(5)));
  std::map<std::string, int> per_rule;
  std::set<std::string> ids;
  for (const Judgment& j : judgments) {
    ++per_rule[j.rule_id()];
    EXPECT_TRUE(ids.insert(j.judgment_id()).second) << "judged twice: " << j.judgment_id();
    EXPECT_EQ(j.evidence_count(), 3) << j.rule_id() << " " << j.group_key();
  }
  EXPECT_EQ(per_rule["movement"], kMovers) << first->Log() << second->Log();
  EXPECT_EQ(per_rule["county-alarms"], kCounties) << first->Log() << second->Log();
  // The second took partitions over with their state, and judged their events; the first let
  // go of its copy of what it gave away.
  EXPECT_NE(second->Log().find("restored from"), std::string::npos) << second->Log();
  EXPECT_NE(first->Log().find("dropping the local state of " + events_topic + "/"),
            std::string::npos)
      << first->Log();
  EXPECT_GT(SampleValue(Scrape(second->metrics_port(), AsScraper()),
                        "infobus_consumer_records_total{topic=\"" + events_topic + "\"}"),
            0)
      << second->Log();
}

// The changelog's partition N holds input partition N's state, so judgment refuses to start,
// saying why, rather than stall on a batch it could never write.
TEST(JudgmentScaleOut, RefusesToStartWhenTheChangelogHasFewerPartitionsThanAnInput) {
  TestBus bus("jparts");
  ASSERT_TRUE(
      kafka::EnsureTopics(
          TestBootstrapServers(),
          {{bus.Topic("infobus.events.v1"), 4, 1, {}},
           {bus.Topic("infobus.judgment-changelog.v1"), 3, 1, {{"cleanup.policy", "compact"}}}},
          absl::Seconds(30))
          .ok());
  auto judgment = bus.Service("judgment");
  EXPECT_FALSE(judgment->Start().ok());
  const std::string log = judgment->Log();
  EXPECT_NE(log.find("infobus.events.v1 has 4 partitions but"), std::string::npos) << log;
  EXPECT_NE(log.find("judgment.changelog: false"), std::string::npos) << log;

  // Without the changelog the same bus runs.
  auto without = bus.Service("judgment", "judgment:\n  changelog: false\n");
  EXPECT_TRUE(without->Start().ok()) << without->Log();
}

// The analyst of this file's counties (all in Chongzuo, 4514), cleared for its events.
ClientSecurity Analyst() { return AsAnalyst({"4514"}, "INTERNAL", "analyst-7"); }

// The judgment ids `instance` lists (all of its log), or an empty set on failure.
std::set<std::string> Listed(const ServiceProcess& instance) {
  auto stub =
      infobus::judgment::v1::JudgmentService::NewStub(Channel(instance.address(), Analyst()));
  infobus::judgment::v1::ListJudgmentsRequest request;
  request.set_page_size(1000);
  infobus::judgment::v1::ListJudgmentsResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  std::set<std::string> ids;
  if (!stub->ListJudgments(&context, request, &response).ok()) return ids;
  for (const auto& record : response.records()) ids.insert(record.judgment().judgment_id());
  return ids;
}

// Two instances each make some of the judgments; an analyst asking either one sees them all,
// and a review made on one instance shows on the other.
TEST(JudgmentScaleOut, EveryInstanceListsEveryInstancesJudgmentsAndReviews) {
  TestBus bus("jlog");
  const std::string config = ConfigWithRules(bus, kMoveRules);
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");
  constexpr int kMovers = 24;

  auto first = StartAssigned(bus, 0, config);
  ASSERT_NE(first, nullptr);
  auto second = StartAssigned(bus, 1, config);
  ASSERT_NE(second, nullptr);

  std::vector<Event> events;
  for (int i = 0; i < kMovers; ++i) {
    for (int n = 0; n < 3; ++n) {
      events.push_back(Move(i, n));
    }
  }
  ProduceEvents(events_topic, events);
  std::set<std::string> all;
  for (const Judgment& j : Judgments(ReadTopic(judgments_topic, kMovers, absl::Seconds(60)))) {
    all.insert(j.judgment_id());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kMovers)) << first->Log() << second->Log();
  // Each made only its share (counted once its batch commits, a moment after the topic has it)
  // ...
  auto made = [](const ServiceProcess& instance) {
    return SampleValue(Scrape(instance.metrics_port(), AsScraper()),
                       "infobus_judgments_total{rule=\"movement\"}");
  };
  for (absl::Time deadline = absl::Now() + absl::Seconds(30);
       made(*first) + made(*second) < kMovers && absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(50))) {
  }
  for (const ServiceProcess* instance : {first.get(), second.get()}) {
    EXPECT_GT(made(*instance), 0) << instance->Log();
    EXPECT_LT(made(*instance), kMovers) << instance->Log();
  }
  // ... and each lists them all.
  for (const ServiceProcess* instance : {first.get(), second.get()}) {
    std::set<std::string> listed;
    for (absl::Time deadline = absl::Now() + absl::Seconds(30);
         listed != all && absl::Now() < deadline; absl::SleepFor(absl::Milliseconds(100))) {
      listed = Listed(*instance);
    }
    EXPECT_EQ(listed, all) << instance->Log();
  }

  // A review on the first shows on the second.
  const std::string id = *all.begin();
  {
    auto stub =
        infobus::judgment::v1::JudgmentService::NewStub(Channel(first->address(), Analyst()));
    infobus::judgment::v1::ReviewRequest review;
    review.set_judgment_id(id);
    review.set_status(infobus::common::v1::REVIEW_STATUS_DISMISSED);
    review.set_note("same car, two plates");
    review.set_reviewer("analyst-7");
    infobus::judgment::v1::ReviewResponse reviewed;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    grpc::Status status = stub->Review(&context, review, &reviewed);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  auto stub =
      infobus::judgment::v1::JudgmentService::NewStub(Channel(second->address(), Analyst()));
  infobus::judgment::v1::GetJudgmentRequest get;
  get.set_judgment_id(id);
  infobus::judgment::v1::GetJudgmentResponse got;
  for (absl::Time deadline = absl::Now() + absl::Seconds(30);
       !got.record().judgment().has_review() && absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(100))) {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->GetJudgment(&context, get, &got).ok());
  }
  EXPECT_EQ(got.record().judgment().review().status(),
            infobus::common::v1::REVIEW_STATUS_DISMISSED);
  EXPECT_EQ(got.record().judgment().review().reviewer(), "analyst-7");
}

}  // namespace
}  // namespace infobus::testing
