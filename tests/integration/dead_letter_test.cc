// A message on a topic that cannot be decoded goes to the dead-letter topic with its reason and
// origin, and the consumer goes on to judge the next valid event. So does one of another type,
// whatever its schema header says: a Judgment on the events topic, an Event or a DeadLetter on
// the judgments topic, is dead-lettered by every consumer of the topic (judgment's events
// handler; judgment's judgments feed and dispatch) and reaches neither the judgment log nor an
// inbox.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "absl/time/clock.h"
#include "common/kafka/message.h"
#include "common/util/time.h"
#include "infobus/common/v1/dead_letter.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"
#include "tests/integration/support/service_process.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::DeadLetter;
using infobus::common::v1::Event;
using infobus::common::v1::Judgment;
using ::testing::HasSubstr;

TEST(DeadLetter, GarbageOnEventsTopicIsDeadLetteredAndTheNextEventIsJudged) {
  TestBus bus("dlq");
  auto judgment = bus.Service("judgment");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();

  auto stub = infobus::judgment::v1::JudgmentService::NewStub(
      Channel(judgment->address(), AsAdministrator()));
  infobus::judgment::v1::AddWatchlistEntryRequest add;
  add.mutable_entry()->set_list_id("stolen_vehicle");
  add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  add.mutable_entry()->mutable_subject()->set_value("桂F·A1234");
  add.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
  infobus::judgment::v1::AddWatchlistEntryResponse added;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->AddWatchlistEntry(&context, add, &added).ok());

  // Same key, so both land on one partition and the garbage comes first.
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string garbage = "\xff\xfe not a protobuf \x01\x02";
  ProduceRaw(events_topic, "PLATE:桂FA1234", garbage, {{kafka::kTraceIdHeader, "trace-garbage"}});
  Event event;
  event.set_event_id("after-garbage");
  event.set_source_id("pingxiang-checkpoint");
  event.set_county_code("451481");
  event.set_kind("vehicle.pass");
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  event.mutable_location()->set_jurisdiction_code("451481");
  event.set_trace_id("trace-valid");
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  subject->set_value("桂FA1234");
  ProduceEvent(events_topic, event);  // keyed PLATE:桂FA1234 too

  auto judgments = ReadTopic(bus.Topic("infobus.judgments.v1"), 1, absl::Seconds(60));
  ASSERT_EQ(judgments.size(), 1u) << judgment->Log();
  infobus::common::v1::Judgment judged;
  ASSERT_TRUE(judged.ParseFromString(judgments[0].value));
  EXPECT_EQ(judged.evidence(0).event_id(), "after-garbage");
  EXPECT_EQ(judgments[0].HeaderValue(kafka::kTraceIdHeader), "trace-valid");

  auto letters = ReadTopic(bus.Topic("infobus.dlq.v1"), 1, absl::Seconds(30));
  ASSERT_EQ(letters.size(), 1u);
  infobus::common::v1::DeadLetter letter;
  ASSERT_TRUE(letter.ParseFromString(letters[0].value));
  EXPECT_EQ(letter.topic(), events_topic);
  EXPECT_EQ(letter.value(), garbage);
  EXPECT_EQ(letter.key(), "PLATE:桂FA1234");
  EXPECT_GE(letter.offset(), 0);
  EXPECT_NE(letter.reason().find("infobus.common.v1.Event"), std::string::npos) << letter.reason();
  EXPECT_EQ(letters[0].HeaderValue(kafka::kTraceIdHeader), "trace-garbage");
  // The valid event sits right after the garbage on the same partition.
  EXPECT_NE(judgment->Log().find("dead-lettering"), std::string::npos);
}

// One record written where it does not belong, and what its dead letters must say.
struct Misplaced {
  std::string topic;
  std::string value;
  std::vector<kafka::Header> headers;
  std::string judgment_id;  // what the judgment log or an inbox would hold it as
  std::string reason;       // in every dead letter of it
};

TEST(DeadLetter, WrongTypesOnATopicAreDeadLetteredByEveryConsumerWhateverTheirHeaderSays) {
  TestBus bus("dlq-types");
  const std::string routing_file = bus.dir() + "/routing.yaml";
  // Everything goes to fusui-psb: a record taken for a judgment would land in its inbox.
  std::ofstream(routing_file)
      << "units:\n  - {id: fusui-psb, jurisdictions: [\"451421\"], clearance: SECRET}\n"
         "default_route:\n  send_to: [fusui-psb]\n";
  auto judgment = bus.Service("judgment");
  auto dispatch = bus.Service("dispatch", "dispatch:\n  routing_file: " + routing_file + "\n");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  const std::string events_topic = bus.Topic("infobus.events.v1");
  const std::string judgments_topic = bus.Topic("infobus.judgments.v1");
  const std::string event_schema = Event::descriptor()->full_name();
  const std::string judgment_schema = Judgment::descriptor()->full_name();
  const std::string dead_letter_schema = DeadLetter::descriptor()->full_name();

  Judgment stray;  // a judgment as the engine makes it
  stray.set_judgment_id("stray-judgment");
  stray.set_rule_id("watchlist-hit");
  stray.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  stray.set_severity(infobus::common::v1::SEVERITY_HIGH);
  stray.set_jurisdiction_code("451421");
  *stray.mutable_created_at() = ToProtoTimestamp(absl::Now());
  Judgment forged_stray = stray;
  forged_stray.set_judgment_id("forged-stray-judgment");
  // Its created_at (field 11) would read as Event.compartments, a string, and whether a
  // Timestamp's bytes happen to be UTF-8 depends on the clock: without it the reason is fixed.
  forged_stray.clear_created_at();
  Event event;  // an event as collection publishes it
  event.set_event_id("stray-event");
  event.set_source_id("fusui-lodging");
  event.set_county_code("451421");
  event.set_kind("lodging.checkin");
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  Event forged_event = event;
  forged_event.set_event_id("forged-stray-event");
  DeadLetter letter;  // the issue's: its offset read as a severity of 99
  letter.set_reason("stray-letter");
  letter.set_consumer("infobus-judgment");
  letter.set_topic("infobus.events.v1");
  letter.set_partition(1);
  letter.set_offset(99);
  DeadLetter forged_letter = letter;
  forged_letter.set_reason("forged-stray-letter");

  const std::vector<Misplaced> misplaced = {
      {events_topic,
       stray.SerializeAsString(),
       {{kafka::kSchemaHeader, judgment_schema}},
       stray.judgment_id(),
       "schema header is 'infobus.common.v1.Judgment', expected 'infobus.common.v1.Event'"},
      // Fields 1 and 2 read as event_id and source_id; the invariants find no kind.
      {events_topic,
       forged_stray.SerializeAsString(),
       {{kafka::kSchemaHeader, event_schema}},
       forged_stray.judgment_id(),
       "infobus.common.v1.Event.kind: is empty"},
      {judgments_topic,
       event.SerializeAsString(),
       {{kafka::kSchemaHeader, event_schema}},
       event.event_id(),
       "schema header is 'infobus.common.v1.Event', expected 'infobus.common.v1.Judgment'"},
      // event_id and source_id read as judgment_id and rule_id; kind (a string) as no kind.
      {judgments_topic,
       forged_event.SerializeAsString(),
       {{kafka::kSchemaHeader, judgment_schema}},
       forged_event.event_id(),
       "infobus.common.v1.Judgment.kind: is unspecified"},
      {judgments_topic,
       letter.SerializeAsString(),
       {},
       letter.reason(),
       "no schema header, expected 'infobus.common.v1.Judgment'"},
      // partition 1 reads as a known kind (WATCHLIST_HIT), offset 99 as the severity.
      {judgments_topic,
       forged_letter.SerializeAsString(),
       {{kafka::kSchemaHeader, judgment_schema}},
       forged_letter.reason(),
       "infobus.common.v1.Judgment.severity: 99 is not a known infobus.common.v1.Severity"},
  };
  // One key per topic, so they share a partition, in order, and a valid judgment after them
  // shows when they have all been read.
  for (const Misplaced& record : misplaced) {
    ProduceRaw(record.topic, "451421", record.value, record.headers);
  }
  Judgment sentinel = stray;
  sentinel.set_judgment_id("sentinel");
  ProduceRaw(judgments_topic, "451421", sentinel.SerializeAsString(),
             {{kafka::kSchemaHeader, judgment_schema}});

  // On the dead-letter topic: each once per consumer of its topic, with reason and origin.
  std::map<std::string, std::pair<int32_t, int64_t>> origins;  // value -> partition, offset
  for (const std::string& topic : {events_topic, judgments_topic}) {
    for (const kafka::Record& record :
         ReadTopic(topic, topic == events_topic ? 2 : 5, absl::Seconds(30))) {
      origins[record.value] = {record.partition, record.offset};
    }
  }
  const size_t expected_letters = 2 + 4 * 2;
  auto letters = ReadTopic(bus.Topic("infobus.dlq.v1"), expected_letters, absl::Seconds(60));
  EXPECT_EQ(letters.size(), expected_letters) << judgment->Log() << dispatch->Log();
  for (const Misplaced& record : misplaced) {
    std::vector<std::string> consumers;
    for (const kafka::Record& dead : letters) {
      DeadLetter parsed;
      ASSERT_TRUE(parsed.ParseFromString(dead.value));
      if (parsed.value() != record.value) continue;
      EXPECT_EQ(parsed.reason(), record.reason) << record.judgment_id;
      EXPECT_EQ(parsed.topic(), record.topic) << record.judgment_id;
      ASSERT_EQ(origins.count(record.value), 1u) << record.judgment_id;
      EXPECT_EQ(parsed.partition(), origins[record.value].first) << record.judgment_id;
      EXPECT_EQ(parsed.offset(), origins[record.value].second) << record.judgment_id;
      EXPECT_EQ(parsed.key(), "451421");
      EXPECT_EQ(dead.HeaderValue(kafka::kSchemaHeader), dead_letter_schema);
      consumers.push_back(parsed.consumer());
    }
    std::sort(consumers.begin(), consumers.end());
    const std::vector<std::string> expected =
        record.topic == events_topic ? std::vector<std::string>{bus.prefix() + "infobus-judgment"}
                                     : std::vector<std::string>{bus.prefix() + "infobus-dispatch",
                                                                bus.prefix() + "infobus-judgment"};
    EXPECT_EQ(consumers, expected) << record.judgment_id;
  }

  // The sentinel behind them reaches the judgment log and the inbox; none of them does.
  InboxReader inbox(dispatch->address(), "fusui-psb", 0);
  ASSERT_TRUE(inbox.WaitForCount(1, absl::Seconds(30))) << dispatch->Log();
  // An analyst of the whole province, cleared for everything, so that nothing in the log is
  // hidden from the checks below (an unknown id is NOT_FOUND whoever asks).
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(
      Channel(judgment->address(), AsAnalyst({"45"}, "SECRET")));
  auto get = [&stub](const std::string& id, infobus::judgment::v1::GetJudgmentResponse* found) {
    infobus::judgment::v1::GetJudgmentRequest request;
    request.set_judgment_id(id);
    grpc::ClientContext context;
    return stub->GetJudgment(&context, request, found);
  };
  infobus::judgment::v1::GetJudgmentResponse found;
  for (absl::Time deadline = absl::Now() + absl::Seconds(30);
       !get("sentinel", &found).ok() && absl::Now() < deadline;) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(get("sentinel", &found).ok()) << judgment->Log();
  for (const Misplaced& record : misplaced) {
    const grpc::Status status = get(record.judgment_id, &found);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
        << record.judgment_id << ": " << found.ShortDebugString();
  }
  infobus::judgment::v1::ListJudgmentsRequest list;
  list.set_page_size(1000);
  infobus::judgment::v1::ListJudgmentsResponse listed;
  grpc::ClientContext list_context;
  ASSERT_TRUE(stub->ListJudgments(&list_context, list, &listed).ok());
  std::vector<std::string> listed_ids;
  for (const auto& entry : listed.records()) listed_ids.push_back(entry.judgment().judgment_id());
  EXPECT_EQ(listed_ids, std::vector<std::string>{"sentinel"});
  std::vector<std::string> delivered;
  for (const auto& delivery : inbox.deliveries()) {
    delivered.push_back(delivery.judgment().judgment_id());
  }
  EXPECT_EQ(delivered, std::vector<std::string>{"sentinel"});
}

Event PlateEvent(const std::string& id, const std::string& plate) {
  Event event;
  event.set_event_id(id);
  event.set_source_id("pingxiang-checkpoint");
  event.set_county_code("451481");
  event.set_kind("vehicle.pass");
  *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now());
  auto* subject = event.add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  subject->set_value(plate);
  return event;
}

TEST(DeadLetter, AWatchlistRecordThatIsNoValidEntryIsDeadLetteredAndListsNothing) {
  TestBus bus("dlq-watch");
  auto judgment = bus.Service("judgment");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  const std::string watchlists = bus.Topic("infobus.watchlists.v1");
  const std::string listed_key = "PLATE:桂FA1234\nstolen_vehicle";
  // Another plate's entry under 桂FA1234's key: stored as it came, 桂FA1234 would hit it.
  infobus::judgment::v1::WatchlistEntry misfiled;
  misfiled.set_list_id("stolen_vehicle");
  misfiled.mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  misfiled.mutable_subject()->set_value("桂FB9999");
  misfiled.set_severity(infobus::common::v1::SEVERITY_HIGH);
  ProduceRaw(watchlists, listed_key, misfiled.SerializeAsString(),
             {{kafka::kSchemaHeader, misfiled.GetDescriptor()->full_name()}});
  Judgment stray;
  stray.set_judgment_id("stray-judgment");
  stray.set_rule_id("watchlist-hit");
  ProduceRaw(watchlists, listed_key, stray.SerializeAsString(),
             {{kafka::kSchemaHeader, stray.GetDescriptor()->full_name()}});
  // A real entry: AddWatchlistEntry answers once the reader has applied the whole topic.
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(
      Channel(judgment->address(), AsAdministrator()));
  infobus::judgment::v1::AddWatchlistEntryRequest add;
  *add.mutable_entry() = misfiled;
  add.mutable_entry()->mutable_subject()->set_value("桂FC5678");
  infobus::judgment::v1::AddWatchlistEntryResponse added;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->AddWatchlistEntry(&context, add, &added).ok());

  auto letters = ReadTopic(bus.Topic("infobus.dlq.v1"), 2, absl::Seconds(30));
  EXPECT_EQ(letters.size(), 2u) << judgment->Log();
  std::vector<std::string> reasons;
  for (const kafka::Record& record : letters) {
    DeadLetter letter;
    ASSERT_TRUE(letter.ParseFromString(record.value));
    EXPECT_EQ(letter.topic(), watchlists);
    EXPECT_EQ(letter.key(), listed_key);
    EXPECT_EQ(letter.consumer(), bus.prefix() + "infobus-judgment");
    reasons.push_back(letter.reason());
  }
  std::sort(reasons.begin(), reasons.end());
  EXPECT_EQ(reasons,
            (std::vector<std::string>{
                "infobus.judgment.v1.WatchlistEntry keyed 'PLATE:桂FA1234\\nstolen_vehicle', "
                "not by its own subject and list: 'PLATE:桂FB9999\\nstolen_vehicle'",
                "schema header is 'infobus.common.v1.Judgment', expected "
                "'infobus.judgment.v1.WatchlistEntry'"}));

  // On one partition, in order: 桂FA1234 (listed by nothing valid), then 桂FC5678. The first
  // judgment is 桂FC5678's.
  const std::string events = bus.Topic("infobus.events.v1");
  const std::string schema = Event::descriptor()->full_name();
  ProduceRaw(events, "plates", PlateEvent("misfiled-plate", "桂FA1234").SerializeAsString(),
             {{kafka::kSchemaHeader, schema}, {kafka::kSourceIdHeader, "pingxiang-checkpoint"}});
  ProduceRaw(events, "plates", PlateEvent("listed-plate", "桂FC5678").SerializeAsString(),
             {{kafka::kSchemaHeader, schema}, {kafka::kSourceIdHeader, "pingxiang-checkpoint"}});
  auto judgments = ReadTopic(bus.Topic("infobus.judgments.v1"), 1, absl::Seconds(30));
  ASSERT_EQ(judgments.size(), 1u) << judgment->Log();
  Judgment first;
  ASSERT_TRUE(first.ParseFromString(judgments[0].value));
  EXPECT_EQ(first.evidence(0).event_id(), "listed-plate") << first.ShortDebugString();
}

}  // namespace
}  // namespace infobus::testing
