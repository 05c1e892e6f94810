// A message on a topic that cannot be decoded goes to the dead-letter topic with its reason and
// origin, and the consumer goes on to judge the next valid event.
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "common/kafka/message.h"
#include "common/util/time.h"
#include "infobus/common/v1/dead_letter.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Event;

TEST(DeadLetter, GarbageOnEventsTopicIsDeadLetteredAndTheNextEventIsJudged) {
  TestBus bus("dlq");
  auto judgment = bus.Service("judgment");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();

  auto stub = infobus::judgment::v1::JudgmentService::NewStub(Channel(judgment->address()));
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

}  // namespace
}  // namespace infobus::testing
