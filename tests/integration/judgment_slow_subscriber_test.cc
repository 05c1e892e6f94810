// A slow analyst stream never holds up the pipeline: while a subscriber reads nothing, the
// service goes on judging; once it reads again it gets what was sent and then
// RESOURCE_EXHAUSTED naming the seq to resume after, and resuming from there loses nothing.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Event;
using infobus::judgment::v1::JudgmentRecord;
using infobus::judgment::v1::JudgmentService;

constexpr int kEvents = 600;
constexpr uint64_t kMaxLag = 20;

TEST(JudgmentSlowSubscriber, IsCutOffWithAResumePointAndTheRestFollowsOnResume) {
  TestBus bus("jslow");
  auto judgment =
      bus.Service("judgment", absl::StrCat("judgment:\n  subscriber_max_lag: ", kMaxLag, "\n"));
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  auto admin = JudgmentService::NewStub(Channel(judgment->address(), AsAdministrator()));
  {
    infobus::judgment::v1::AddWatchlistEntryRequest add;
    add.mutable_entry()->set_list_id("person_of_interest");
    add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    add.mutable_entry()->mutable_subject()->set_value("13800138000");
    add.mutable_entry()->set_severity(infobus::common::v1::SEVERITY_HIGH);
    infobus::judgment::v1::AddWatchlistEntryResponse added;
    grpc::ClientContext context;
    ASSERT_TRUE(admin->AddWatchlistEntry(&context, add, &added).ok());
  }

  // An analyst of Fusui subscribing with small HTTP/2 windows, so that not reading soon stops
  // the server's writes.
  const ClientSecurity analyst = AsAnalyst({"451421"}, "INTERNAL");
  grpc::ChannelArguments arguments;
  arguments.SetInt("grpc.http2.bdp_probe", 0);
  arguments.SetInt("grpc.http2.lookahead_bytes", 8192);
  auto stub = JudgmentService::NewStub(Channel(judgment->address(), analyst, arguments));
  grpc::ClientContext context;
  auto reader = stub->Subscribe(&context, infobus::judgment::v1::SubscribeRequest());

  // The pipeline keeps going while the subscriber reads nothing.
  std::vector<kafka::OutgoingMessage> messages;
  for (int i = 0; i < kEvents; ++i) {
    Event event;
    event.set_event_id(absl::StrCat("slow-", i));
    event.set_source_id("s");
    event.set_kind("netcafe.login");
    event.set_county_code("451421");
    *event.mutable_occurred_at() = ToProtoTimestamp(absl::Now());
    event.set_payload(std::string(200, 'p'));
    auto* subject = event.add_subjects();
    subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
    subject->set_value("13800138000");
    messages.push_back({bus.Topic("infobus.events.v1"),
                        "PHONE:13800138000",
                        event.SerializeAsString(),
                        {{"schema", Event::descriptor()->full_name()}, {"source-id", "s"}}});
  }
  auto producer = kafka::Producer::Create(TestBootstrapServers(), {});
  ASSERT_TRUE(producer.ok());
  for (const absl::Status& status : (*producer)->ProduceAll(messages)) ASSERT_TRUE(status.ok());
  ASSERT_EQ(ReadTopic(bus.Topic("infobus.judgments.v1"), kEvents, absl::Seconds(90)).size(),
            static_cast<size_t>(kEvents))
      << judgment->Log();

  // Now it reads: what was sent, then the cut-off naming where to resume.
  std::vector<JudgmentRecord> first;
  JudgmentRecord record;
  while (reader->Read(&record)) first.push_back(record);
  grpc::Status status = reader->Finish();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  ASSERT_FALSE(first.empty());
  EXPECT_LT(first.size(), static_cast<size_t>(kEvents));
  const uint64_t last = first.back().seq();
  EXPECT_NE(status.error_message().find(absl::StrCat("after_seq=", last)), std::string::npos)
      << status.error_message();

  // Resuming after the last seq received gets the rest, each once.
  grpc::ClientContext resume_context;
  infobus::judgment::v1::SubscribeRequest resume;
  resume.set_after_seq(last);
  auto resume_stub = JudgmentService::NewStub(Channel(judgment->address(), analyst));
  auto rest = resume_stub->Subscribe(&resume_context, resume);
  std::set<uint64_t> seqs;
  for (const auto& r : first) seqs.insert(r.seq());
  while (seqs.size() < static_cast<size_t>(kEvents) && rest->Read(&record)) {
    EXPECT_TRUE(seqs.insert(record.seq()).second) << record.seq();
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), static_cast<uint64_t>(kEvents));
  resume_context.TryCancel();
}

}  // namespace
}  // namespace infobus::testing
