// DispatchServiceImpl over fakes, on an in-process gRPC server: a sign-off whose dispatch event
// Kafka has not acknowledged holds no gRPC thread, is not recorded, and holds up the escalation
// check of its delivery only; approval and send-back go the same way, and only a supervisor of a
// unit above the delivery's may decide. The events go to a FakeProducer the test controls.
#include "services/dispatch/dispatch_service.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/call_authenticator.h"
#include "common/grpc/caller.h"
#include "common/grpc/server.h"
#include "common/security/key_set.h"
#include "common/security/token_verifier.h"
#include "common/util/ids.h"
#include "common/util/time.h"
#include "gtest/gtest.h"
#include "tests/common/security/test_keys.h"
#include "tests/support/callback_returns.h"
#include "tests/support/fake_producer.h"
#include "tests/support/temp_dir.h"

namespace infobus::dispatch {
namespace {

using infobus::dispatch::v1::DispatchService;

// The service, telling when its Acknowledge callback has returned to gRPC.
class ProbedService final : public DispatchServiceImpl {
 public:
  using DispatchServiceImpl::DispatchServiceImpl;
  grpc::ServerUnaryReactor* Acknowledge(
      grpc::CallbackServerContext* context,
      const infobus::dispatch::v1::AcknowledgeRequest* request,
      infobus::dispatch::v1::AcknowledgeResponse* response) override {
    grpc::ServerUnaryReactor* reactor =
        DispatchServiceImpl::Acknowledge(context, request, response);
    returns.Returned();
    return reactor;
  }
  grpc::ServerUnaryReactor* Approve(grpc::CallbackServerContext* context,
                                    const infobus::dispatch::v1::ApproveRequest* request,
                                    infobus::dispatch::v1::ApproveResponse* response) override {
    grpc::ServerUnaryReactor* reactor = DispatchServiceImpl::Approve(context, request, response);
    decisions.Returned();
    return reactor;
  }
  grpc::ServerUnaryReactor* SendBack(grpc::CallbackServerContext* context,
                                     const infobus::dispatch::v1::SendBackRequest* request,
                                     infobus::dispatch::v1::SendBackResponse* response) override {
    grpc::ServerUnaryReactor* reactor = DispatchServiceImpl::SendBack(context, request, response);
    decisions.Returned();
    return reactor;
  }
  testing::CallbackReturns returns;
  testing::CallbackReturns decisions;  // Approve and SendBack
};

class DispatchServiceOverFakesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.Sub("db"), Inbox::Families(), Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    inbox_ = std::make_unique<Inbox>(store_.get(), std::make_shared<SystemClock>());
    infobus::common::v1::Judgment judgment;
    judgment.set_judgment_id("j-1");
    judgment.set_rule_id("watchlist-hit");
    judgment.set_jurisdiction_code("451421");
    judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
    rocksdb::WriteBatch batch;
    auto seq = inbox_->Stage("fusui-psb", judgment, &batch);
    ASSERT_TRUE(seq.ok() && seq->has_value()) << seq.status();
    // seq 2: a petition, whose answer its supervisor must approve.
    judgment.set_judgment_id("petition-1");
    judgment.set_rule_id("petition-direct");
    judgment.set_needs_approval(true);
    seq = inbox_->Stage("fusui-psb", judgment, &batch);
    ASSERT_TRUE(seq.ok() && seq->has_value()) << seq.status();
    ASSERT_TRUE(store_->Write(&batch).ok());
    inbox_->Committed();

    Unit above;
    above.id = "chongzuo-ops";
    above.jurisdictions = {"4514"};
    Unit unit;
    unit.id = "fusui-psb";
    unit.jurisdictions = {"451421"};
    unit.supervisor = "chongzuo-ops";
    auto units = UnitDirectory::FromUnits({above, unit});
    ASSERT_TRUE(units.ok()) << units.status();
    routing_ = std::make_unique<RoutingSource>(
        std::make_shared<const RoutingTable>(RoutingTable::ForUnits(*std::move(units))));
    audit_log_ = std::make_unique<audit::AuditLog>(&audit_, "infobus.audit.v1", "dispatch");
    service_ = std::make_unique<ProbedService>(routing_.get(), inbox_.get(), &notifier_, &events_,
                                               "infobus.dispatch-events.v1", audit_log_.get(),
                                               absl::Seconds(30));
    // Insecure: the caller may act for every unit (what is denied to whom is
    // authz_matrix_test's), and is recorded as the request names.
    auto server =
        GrpcServer::Start("127.0.0.1:0", grpc::InsecureServerCredentials(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = DispatchService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override { events_.Release(); }

  grpc::Status Acknowledge(infobus::dispatch::v1::AcknowledgeResponse* response) {
    infobus::dispatch::v1::AcknowledgeRequest request;
    request.set_unit_id("fusui-psb");
    request.set_seq(1);
    request.set_acknowledged_by("officer-0417");
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    return stub_->Acknowledge(&context, request, response);
  }

  // The petition's (seq 2) feedback, as its unit gives it.
  void GiveFeedback(const std::string& note) {
    infobus::common::v1::Feedback feedback;
    feedback.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
    feedback.set_note(note);
    feedback.set_given_by("officer-0417");
    auto given = inbox_->RecordFeedback("fusui-psb", 2, feedback);
    ASSERT_TRUE(given.ok()) << given.status();
    ASSERT_FALSE(given->already_recorded);
  }

  // As `token` (a bearer token) when given; else the insecure caller, naming "li".
  grpc::Status Approve(uint64_t seq, const std::string& note,
                       infobus::dispatch::v1::ApproveResponse* response,
                       const std::string& token = "") {
    infobus::dispatch::v1::ApproveRequest request;
    request.set_unit_id("fusui-psb");
    request.set_seq(seq);
    request.set_note(note);
    if (token.empty()) request.set_decided_by("li");
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    return stub_->Approve(&context, request, response);
  }
  grpc::Status SendBack(uint64_t seq, const std::string& note,
                        infobus::dispatch::v1::SendBackResponse* response,
                        const std::string& token = "", const std::string& unit = "fusui-psb") {
    infobus::dispatch::v1::SendBackRequest request;
    request.set_unit_id(unit);
    request.set_seq(seq);
    request.set_note(note);
    if (token.empty()) request.set_decided_by("li");
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    return stub_->SendBack(&context, request, response);
  }

  // The dispatch events the service produced, of `type`.
  std::vector<infobus::common::v1::DispatchEvent> Events(
      infobus::common::v1::DispatchEventType type) {
    std::vector<infobus::common::v1::DispatchEvent> out;
    for (const kafka::OutgoingMessage& message : events_.sent()) {
      infobus::common::v1::DispatchEvent event;
      EXPECT_TRUE(event.ParseFromString(message.value));
      if (event.type() == type) out.push_back(event);
    }
    return out;
  }

  Inbox::SignOff SignedOff() {
    auto state = inbox_->SignedOffBy("fusui-psb", 1, absl::Now() + absl::Hours(1));
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *state : Inbox::SignOff::kNotSigned;
  }

  testing::TempDir dir_;
  StorePtr store_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<RoutingSource> routing_;
  InboxNotifier notifier_;
  testing::FakeProducer audit_;
  std::unique_ptr<audit::AuditLog> audit_log_;
  std::unique_ptr<ProbedService> service_;
  testing::FakeProducer events_;
  GrpcServerPtr server_;
  std::unique_ptr<DispatchService::Stub> stub_;
};

TEST_F(DispatchServiceOverFakesTest, ASignOffKafkaHasNotAcknowledgedHoldsNoGrpcThread) {
  events_.set_mode(testing::FakeProducer::Mode::kHold);
  grpc::Status status;
  infobus::dispatch::v1::AcknowledgeResponse response;
  std::thread caller([&] { status = Acknowledge(&response); });
  const bool returned = service_->returns.Within(absl::Seconds(10));
  EXPECT_TRUE(returned) << "the Acknowledge callback is still waiting for Kafka";
  // Until Kafka answers, the sign-off is neither recorded nor ruled out.
  ASSERT_EQ(events_.held(), 1u);
  EXPECT_EQ(SignedOff(), Inbox::SignOff::kDeciding);

  events_.Release();  // Kafka gives up on the event: nothing may be recorded
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(SignedOff(), Inbox::SignOff::kNotSigned);
  auto stored = inbox_->Read("fusui-psb", 1);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(stored->has_acknowledged_at());
}

TEST_F(DispatchServiceOverFakesTest, ASignOffIsRecordedOnceKafkaHasItsEvent) {
  infobus::dispatch::v1::AcknowledgeResponse response;
  const grpc::Status status = Acknowledge(&response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.already_acknowledged());
  EXPECT_EQ(response.acknowledged_by(), "officer-0417");
  EXPECT_EQ(events_.sent().size(), 1u);
  EXPECT_EQ(SignedOff(), Inbox::SignOff::kSignedInTime);

  infobus::dispatch::v1::AcknowledgeResponse again;
  ASSERT_TRUE(Acknowledge(&again).ok());
  EXPECT_TRUE(again.already_acknowledged());
  EXPECT_EQ(events_.sent().size(), 1u) << "a second sign-off sent a second event";
}

TEST_F(DispatchServiceOverFakesTest, SendBackReopensAndApprovalClosesEachAfterKafkaHasItsEvent) {
  GiveFeedback("told the petitioner");
  infobus::dispatch::v1::SendBackResponse sent;
  grpc::Status status = SendBack(2, "call her back in person", &sent);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(sent.already_sent_back());
  EXPECT_EQ(sent.sent_back_count(), 1u);
  EXPECT_EQ(sent.approval().decided_by(), "li");
  auto pending = inbox_->Read("fusui-psb", 2);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
  EXPECT_FALSE(pending->has_feedback());
  auto sent_back = Events(infobus::common::v1::DISPATCH_EVENT_TYPE_SENT_BACK);
  ASSERT_EQ(sent_back.size(), 1u);
  EXPECT_EQ(sent_back[0].decided_by(), "li");
  EXPECT_EQ(sent_back[0].note(), "call her back in person");
  EXPECT_EQ(sent_back[0].feedback().note(), "told the petitioner");
  EXPECT_EQ(sent_back[0].sent_back_count(), 1u);
  EXPECT_EQ(sent_back[0].delivery_id(), "fusui-psb/2");

  // The unit reports again; this round's feedback event is not a repeat of the first one's.
  infobus::dispatch::v1::FeedbackRequest feedback;
  feedback.set_unit_id("fusui-psb");
  feedback.set_seq(2);
  feedback.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
  feedback.set_note("visited her");
  feedback.set_given_by("officer-0417");
  infobus::dispatch::v1::FeedbackResponse given;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->Feedback(&context, feedback, &given).ok());
  }
  EXPECT_FALSE(given.already_recorded());
  auto feedbacks = Events(infobus::common::v1::DISPATCH_EVENT_TYPE_FEEDBACK);
  ASSERT_EQ(feedbacks.size(), 1u);
  EXPECT_EQ(feedbacks[0].sent_back_count(), 1u);
  EXPECT_NE(feedbacks[0].event_id(),
            StableId({"DISPATCH_EVENT_TYPE_FEEDBACK", "fusui-psb", "petition-1"}));

  infobus::dispatch::v1::ApproveResponse approved;
  status = Approve(2, "good", &approved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(approved.already_approved());
  EXPECT_EQ(approved.approval().status(), infobus::common::v1::APPROVAL_STATUS_APPROVED);
  EXPECT_EQ(approved.approval().feedback().note(), "visited her");
  infobus::dispatch::v1::ApproveResponse again;
  ASSERT_TRUE(Approve(2, "twice", &again).ok());
  EXPECT_TRUE(again.already_approved());
  EXPECT_EQ(again.approval().note(), "good");
  auto approvals = Events(infobus::common::v1::DISPATCH_EVENT_TYPE_APPROVED);
  ASSERT_EQ(approvals.size(), 1u) << "a repeated approval sent a second event";
  EXPECT_EQ(approvals[0].note(), "good");
  EXPECT_EQ(approvals[0].feedback().note(), "visited her");
  EXPECT_EQ(inbox_->Read("fusui-psb", 2)->status(), infobus::common::v1::DELIVERY_STATUS_APPROVED);
}

TEST_F(DispatchServiceOverFakesTest, ADecisionIsRefusedWhereThereIsNothingToDecide) {
  infobus::dispatch::v1::ApproveResponse approved;
  infobus::dispatch::v1::SendBackResponse sent;
  // No feedback yet.
  EXPECT_EQ(Approve(2, "", &approved).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(SendBack(2, "again", &sent).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Its judgment does not need approval (a watchlist hit's feedback closes it).
  infobus::common::v1::Feedback feedback;
  feedback.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
  ASSERT_TRUE(inbox_->RecordFeedback("fusui-psb", 1, feedback).ok());
  const grpc::Status not_needed = Approve(1, "", &approved);
  EXPECT_EQ(not_needed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(not_needed.error_message().rfind("seq: ", 0), 0u) << not_needed.error_message();
  EXPECT_EQ(Approve(9, "", &approved).error_code(), grpc::StatusCode::NOT_FOUND);
  // Field by field.
  GiveFeedback("done");
  const grpc::Status no_note = SendBack(2, "", &sent);
  EXPECT_EQ(no_note.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_note.error_message().rfind("note: ", 0), 0u) << no_note.error_message();
  const grpc::Status no_seq = SendBack(0, "again", &sent);
  EXPECT_EQ(no_seq.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_seq.error_message().rfind("seq: ", 0), 0u) << no_seq.error_message();
  const grpc::Status long_note = Approve(2, std::string(5000, 'x'), &approved);
  EXPECT_EQ(long_note.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(long_note.error_message().rfind("note: ", 0), 0u) << long_note.error_message();
  const grpc::Status no_unit = SendBack(2, "again", &sent, "", "");
  EXPECT_EQ(no_unit.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_unit.error_message().rfind("unit_id: ", 0), 0u) << no_unit.error_message();
  EXPECT_TRUE(events_.sent().empty()) << "a refused decision sent an event";
}

TEST_F(DispatchServiceOverFakesTest, ADecisionKafkaHasNotAcknowledgedHoldsNoGrpcThread) {
  GiveFeedback("done");
  events_.set_mode(testing::FakeProducer::Mode::kHold);
  grpc::Status status;
  infobus::dispatch::v1::SendBackResponse response;
  std::thread caller([&] { status = SendBack(2, "again", &response); });
  const bool returned = service_->decisions.Within(absl::Seconds(10));
  EXPECT_TRUE(returned) << "the SendBack callback is still waiting for Kafka";
  ASSERT_EQ(events_.held(), 1u);
  events_.Release();  // Kafka gives up: nothing may be recorded
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  auto stored = inbox_->Read("fusui-psb", 2);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->has_feedback());
  EXPECT_EQ(stored->sent_back_count(), 0u);
}

// With an authenticator and tokens, as deployed: who may decide.
class DispatchServiceApprovalAuthzTest : public DispatchServiceOverFakesTest {
 protected:
  void SetUp() override {
    DispatchServiceOverFakesTest::SetUp();
    key_ = security::testing::NewEcKey();
    auto keys = security::KeySet::FromJwks(security::testing::Jwks({{"k1", &key_}}));
    ASSERT_TRUE(keys.ok()) << keys.status();
    auto shared = std::make_shared<const security::KeySet>(*std::move(keys));
    CallAuthenticator::Options options;
    options.current_keys = [shared] { return shared; };
    options.token_rules = {"infobus-test", "infobus"};
    InstallCallAuthenticator(std::make_shared<const CallAuthenticator>(std::move(options)));
  }
  void TearDown() override {
    InstallCallAuthenticator(nullptr);
    DispatchServiceOverFakesTest::TearDown();
  }

  std::string Token(const std::string& subject, const std::string& role, const std::string& unit) {
    security::TokenClaims claims;
    claims.subject = subject;
    claims.roles = {role};
    claims.unit = unit;
    claims.jurisdictions = {"4514"};
    claims.clearance = "SECRET";
    claims.issuer = "infobus-test";
    claims.audience = "infobus";
    claims.expires = absl::Now() + absl::Hours(1);
    auto token = security::MintToken(claims, key_.private_pem, "k1");
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  security::testing::TestKey key_;
};

TEST_F(DispatchServiceApprovalAuthzTest, OnlyASupervisorOfAUnitAboveDecides) {
  GiveFeedback("done");
  infobus::dispatch::v1::ApproveResponse approved;
  infobus::dispatch::v1::SendBackResponse sent;
  // The unit's own officers and its own supervisor gave the answer: they may not approve it.
  for (const std::string& token :
       {Token("officer-0417", "officer", "fusui-psb"), Token("chen", "supervisor", "fusui-psb"),
        Token("zhou", "officer", "chongzuo-ops")}) {
    const grpc::Status refused = Approve(2, "", &approved, token);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << refused.error_message();
    EXPECT_EQ(SendBack(2, "again", &sent, token).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_TRUE(events_.sent().empty());
  // The supervisor above does, recorded as themselves.
  const grpc::Status status =
      Approve(2, "ok", &approved, Token("li", "supervisor", "chongzuo-ops"));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(approved.approval().decided_by(), "li");
}

}  // namespace
}  // namespace infobus::dispatch
