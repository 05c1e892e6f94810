// Bad bytes from outside, against the real services: a proto3 string holding invalid UTF-8
// used to fail gRPC's parse, and the caller got UNIMPLEMENTED with no message. Now each service
// answers INVALID_ARGUMENT naming the field, and keeps nothing of it.
#include <gtest/gtest.h>

#include <fstream>

#include "absl/time/clock.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

const std::string kBad("\xe6\xb3\xa8\xff", 4);  // 注 and a stray byte

grpc::ClientContext* WithDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  return context;
}

void ExpectFieldError(const grpc::Status& status, const std::string& field) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(status.error_message(), field + ": not valid UTF-8");
}

TEST(InvalidUtf8, JudgmentAnswersInvalidArgumentNamingTheField) {
  TestBus bus("utf8-judgment");
  auto judgment = bus.Service("judgment");
  ASSERT_TRUE(judgment->Start().ok()) << judgment->Log();
  // Each call as whoever may make it: the administrator changes the watchlist, an analyst
  // reviews and subscribes.
  auto admin = infobus::judgment::v1::JudgmentService::NewStub(
      Channel(judgment->address(), AsAdministrator()));
  auto analyst = infobus::judgment::v1::JudgmentService::NewStub(
      Channel(judgment->address(), AsAnalyst({"45"}, "INTERNAL")));

  infobus::judgment::v1::AddWatchlistEntryRequest add;
  add.mutable_entry()->set_list_id("wanted_person");
  add.mutable_entry()->mutable_subject()->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  add.mutable_entry()->mutable_subject()->set_value("13800138000");
  add.mutable_entry()->set_note(kBad);
  infobus::judgment::v1::AddWatchlistEntryResponse added;
  grpc::ClientContext add_context;
  ExpectFieldError(admin->AddWatchlistEntry(WithDeadline(&add_context), add, &added), "entry.note");

  infobus::judgment::v1::ReviewRequest review;
  review.set_judgment_id("0123456789abcdef0123456789abcdef");
  review.set_status(infobus::common::v1::REVIEW_STATUS_CONFIRMED);
  review.set_note(kBad);
  infobus::judgment::v1::ReviewResponse reviewed;
  grpc::ClientContext review_context;
  ExpectFieldError(analyst->Review(WithDeadline(&review_context), review, &reviewed), "note");

  infobus::judgment::v1::SubscribeRequest subscribe;
  subscribe.mutable_filter()->add_jurisdiction_prefixes(kBad);
  grpc::ClientContext subscribe_context;
  auto reader = analyst->Subscribe(WithDeadline(&subscribe_context), subscribe);
  infobus::judgment::v1::JudgmentRecord record;
  EXPECT_FALSE(reader->Read(&record));
  ExpectFieldError(reader->Finish(), "filter.jurisdiction_prefixes[0]");
}

TEST(InvalidUtf8, DispatchAnswersInvalidArgumentNamingTheField) {
  TestBus bus("utf8-dispatch");
  const std::string routing = bus.dir() + "/routing.yaml";
  std::ofstream(routing)
      << "units:\n  - {id: fusui-psb, jurisdictions: [\"451421\"], clearance: INTERNAL}\n";
  auto dispatch = bus.Service("dispatch", "dispatch:\n  routing_file: " + routing + "\n");
  ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  auto stub = infobus::dispatch::v1::DispatchService::NewStub(
      Channel(dispatch->address(), AsOfficer("fusui-psb")));

  infobus::dispatch::v1::AcknowledgeRequest ack;
  ack.set_unit_id("fusui-psb");
  ack.set_seq(1);
  ack.set_acknowledged_by(kBad);
  infobus::dispatch::v1::AcknowledgeResponse acked;
  grpc::ClientContext ack_context;
  ExpectFieldError(stub->Acknowledge(WithDeadline(&ack_context), ack, &acked), "acknowledged_by");

  infobus::dispatch::v1::FeedbackRequest feedback;
  feedback.set_unit_id("fusui-psb");
  feedback.set_seq(1);
  feedback.set_note(kBad);
  infobus::dispatch::v1::FeedbackResponse given;
  grpc::ClientContext feedback_context;
  ExpectFieldError(stub->Feedback(WithDeadline(&feedback_context), feedback, &given), "note");
}

}  // namespace
}  // namespace infobus::testing
