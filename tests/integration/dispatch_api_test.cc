// The dispatch gRPC surface on a running process: Feedback and ListDeliveries, closure by
// approval (SendBack, Approve), bad input named by field, and the routing file reloaded
// without a restart (a bad version refused). Each call
// is made as whoever would make it: a unit's officers, its supervisor, the administrator.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/producer.h"
#include "common/util/time.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {
namespace {

using infobus::common::v1::Delivery;
using infobus::common::v1::Judgment;
using infobus::dispatch::v1::DispatchService;

constexpr char kRouting[] = R"(units:
  - {id: chongzuo-ops, jurisdictions: ["4514"], clearance: INTERNAL}
  - {id: fusui-psb, jurisdictions: ["451421"], supervisor: chongzuo-ops, clearance: INTERNAL}
routes:
  - {send_to_jurisdiction: most_specific}
)";

class DispatchApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    routing_file_ = bus_.dir() + "/routing.yaml";
    WriteRouting(kRouting);
    dispatch_ = bus_.Service("dispatch", "dispatch:\n  routing_file: " + routing_file_ +
                                             "\n  routing_check_interval: 100ms\n");
    ASSERT_TRUE(dispatch_->Start().ok()) << dispatch_->Log();
  }
  void TearDown() override {
    if (HasFailure() && dispatch_) std::cerr << dispatch_->Log();
  }

  std::unique_ptr<DispatchService::Stub> Stub(const ClientSecurity& who) {
    return DispatchService::NewStub(Channel(dispatch_->address(), who));
  }

  void WriteRouting(const std::string& text) {
    std::ofstream(routing_file_ + ".tmp") << text;
    std::filesystem::rename(routing_file_ + ".tmp", routing_file_);
  }

  void Inject(int count) {
    auto producer = kafka::Producer::Create(TestBootstrapServers(), {});
    ASSERT_TRUE(producer.ok()) << producer.status();
    std::vector<kafka::OutgoingMessage> messages;
    for (int i = 1; i <= count; ++i) {
      Judgment judgment;
      judgment.set_judgment_id(absl::StrCat("api-", i));
      judgment.set_rule_id("watchlist-hit");
      judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
      judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
      judgment.set_jurisdiction_code("451421");
      *judgment.mutable_created_at() = ToProtoTimestamp(absl::Now());
      messages.push_back({bus_.Topic("infobus.judgments.v1"),
                          "451421",
                          judgment.SerializeAsString(),
                          {{kafka::kSchemaHeader, Judgment::descriptor()->full_name()}}});
    }
    for (const absl::Status& status : (*producer)->ProduceAll(messages)) {
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  // Given by `by`, an officer of `unit` (the request names the caller, as a client would).
  grpc::Status Feedback(const std::string& unit, uint64_t seq,
                        infobus::common::v1::FeedbackOutcome outcome, const std::string& by,
                        infobus::dispatch::v1::FeedbackResponse* response) {
    return Feedback(unit, seq, outcome, by, AsOfficer(unit, "INTERNAL", by), response);
  }
  grpc::Status Feedback(const std::string& unit, uint64_t seq,
                        infobus::common::v1::FeedbackOutcome outcome, const std::string& by,
                        const ClientSecurity& who,
                        infobus::dispatch::v1::FeedbackResponse* response) {
    infobus::dispatch::v1::FeedbackRequest request;
    request.set_unit_id(unit);
    request.set_seq(seq);
    request.set_outcome(outcome);
    request.set_note("checked the guesthouse register");
    request.set_given_by(by);
    grpc::ClientContext context;
    return Stub(who)->Feedback(&context, request, response);
  }

  // By an officer of the unit listed, unless `who` is given.
  grpc::Status List(const infobus::dispatch::v1::ListDeliveriesRequest& request,
                    infobus::dispatch::v1::ListDeliveriesResponse* response,
                    const ClientSecurity* who = nullptr) {
    grpc::ClientContext context;
    return Stub(who != nullptr ? *who : AsOfficer(request.unit_id()))
        ->ListDeliveries(&context, request, response);
  }

  // As any person may: an officer of Fusui.
  std::vector<std::string> UnitIds() {
    infobus::dispatch::v1::ListUnitsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(Stub(AsOfficer("fusui-psb"))->ListUnits(&context, {}, &response).ok());
    std::vector<std::string> ids;
    for (const auto& unit : response.units()) ids.push_back(unit.unit_id());
    return ids;
  }

  TestBus bus_{"dispatch-api"};
  std::string routing_file_;
  std::unique_ptr<ServiceProcess> dispatch_;
};

TEST_F(DispatchApiTest, FeedbackIsIdempotentAndListDeliveriesFiltersAndPages) {
  // Two connections of one unit (say the duty desk and a patrol car) each get everything.
  InboxReader reader(dispatch_->address(), "fusui-psb", 0);
  InboxReader second(dispatch_->address(), "fusui-psb", 0);
  Inject(5);
  ASSERT_TRUE(reader.WaitForCount(5, absl::Seconds(30)));
  ASSERT_TRUE(second.WaitForCount(5, absl::Seconds(30)));
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(reader.deliveries()[i].seq(), i + 1);
    EXPECT_EQ(second.deliveries()[i].judgment().judgment_id(),
              reader.deliveries()[i].judgment().judgment_id());
  }

  infobus::dispatch::v1::FeedbackResponse first;
  ASSERT_TRUE(Feedback("fusui-psb", 2, infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED,
                       "officer-7", &first)
                  .ok());
  EXPECT_FALSE(first.already_recorded());
  EXPECT_EQ(first.feedback().given_by(), "officer-7");
  EXPECT_TRUE(first.feedback().has_given_at());
  infobus::dispatch::v1::FeedbackResponse again;
  ASSERT_TRUE(
      Feedback("fusui-psb", 2, infobus::common::v1::FEEDBACK_OUTCOME_NOT_FOUND, "officer-9", &again)
          .ok());
  EXPECT_TRUE(again.already_recorded());
  EXPECT_EQ(again.feedback().outcome(), infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED);
  EXPECT_EQ(again.feedback().given_by(), "officer-7");

  // Pending, two per page: seqs 1, 3 then 4, 5.
  infobus::dispatch::v1::ListDeliveriesRequest request;
  request.set_unit_id("fusui-psb");
  request.add_statuses(infobus::common::v1::DELIVERY_STATUS_PENDING);
  request.set_page_size(2);
  std::vector<uint64_t> seqs;
  for (int page = 0; page < 5; ++page) {
    infobus::dispatch::v1::ListDeliveriesResponse response;
    ASSERT_TRUE(List(request, &response).ok());
    for (const Delivery& delivery : response.deliveries()) seqs.push_back(delivery.seq());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 3, 4, 5}));

  infobus::dispatch::v1::ListDeliveriesRequest with_feedback;
  with_feedback.set_unit_id("fusui-psb");
  with_feedback.add_statuses(infobus::common::v1::DELIVERY_STATUS_FEEDBACK);
  infobus::dispatch::v1::ListDeliveriesResponse listed;
  ASSERT_TRUE(List(with_feedback, &listed).ok());
  ASSERT_EQ(listed.deliveries_size(), 1);
  EXPECT_EQ(listed.deliveries(0).feedback().note(), "checked the guesthouse register");

  // A time range that ends before anything was delivered lists nothing.
  infobus::dispatch::v1::ListDeliveriesRequest early;
  early.set_unit_id("fusui-psb");
  *early.mutable_delivered_before() = ToProtoTimestamp(absl::Now() - absl::Hours(1));
  infobus::dispatch::v1::ListDeliveriesResponse none;
  ASSERT_TRUE(List(early, &none).ok());
  EXPECT_EQ(none.deliveries_size(), 0);

  // The feedback is on the events topic, once.
  size_t feedback_events = 0;
  for (const kafka::Record& record :
       ReadTopic(bus_.Topic("infobus.dispatch-events.v1"), 6, absl::Seconds(10))) {
    infobus::common::v1::DispatchEvent event;
    ASSERT_TRUE(event.ParseFromString(record.value));
    if (event.type() == infobus::common::v1::DISPATCH_EVENT_TYPE_FEEDBACK) {
      ++feedback_events;
      EXPECT_EQ(event.feedback().outcome(), infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED);
      EXPECT_EQ(event.delivery_id(), "fusui-psb/2");
    }
  }
  EXPECT_EQ(feedback_events, 1u);
}

// A petition's answer is closed by the unit above: sent back once (pending again, its deadline
// renewed), answered again, then approved; each decision on the events topic, once.
TEST_F(DispatchApiTest, ASentBackAnswerIsOpenAgainUntilTheSupervisorApprovesIt) {
  InboxReader reader(dispatch_->address(), "fusui-psb", 0);
  {
    Judgment judgment;
    judgment.set_judgment_id("petition-1");
    judgment.set_rule_id("petition-direct");
    judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_DIRECT);
    judgment.set_severity(infobus::common::v1::SEVERITY_MEDIUM);
    judgment.set_jurisdiction_code("451421");
    judgment.set_needs_approval(true);
    *judgment.mutable_response_deadline() = ToProtoDuration(absl::Hours(72));
    *judgment.mutable_created_at() = ToProtoTimestamp(absl::Now());
    auto producer = kafka::Producer::Create(TestBootstrapServers(), {});
    ASSERT_TRUE(producer.ok()) << producer.status();
    ASSERT_TRUE(
        (*producer)
            ->ProduceAll({{bus_.Topic("infobus.judgments.v1"),
                           "451421",
                           judgment.SerializeAsString(),
                           {{kafka::kSchemaHeader, Judgment::descriptor()->full_name()}}}})[0]
            .ok());
  }
  ASSERT_TRUE(reader.WaitForCount(1, absl::Seconds(30)));
  const Delivery delivered = reader.deliveries()[0];
  ASSERT_TRUE(delivered.has_deadline());
  const absl::Duration within =
      FromProtoTimestamp(delivered.deadline()) - FromProtoTimestamp(delivered.delivered_at());
  EXPECT_EQ(within, absl::Hours(72));

  infobus::dispatch::v1::FeedbackResponse given;
  ASSERT_TRUE(
      Feedback("fusui-psb", 1, infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "officer-7", &given)
          .ok());
  const ClientSecurity supervisor = AsSupervisor("chongzuo-ops", "INTERNAL", "supervisor-2");
  // The unit that answered does not approve its own answer.
  {
    infobus::dispatch::v1::ApproveRequest request;
    request.set_unit_id("fusui-psb");
    request.set_seq(1);
    infobus::dispatch::v1::ApproveResponse response;
    grpc::ClientContext context;
    const grpc::Status refused = Stub(AsOfficer("fusui-psb", "INTERNAL", "officer-7"))
                                     ->Approve(&context, request, &response);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << refused.error_message();
  }

  infobus::dispatch::v1::SendBackResponse sent;
  {
    infobus::dispatch::v1::SendBackRequest request;
    request.set_unit_id("fusui-psb");
    request.set_seq(1);
    request.set_note("meet the petitioner in person");
    grpc::ClientContext context;
    const grpc::Status status = Stub(supervisor)->SendBack(&context, request, &sent);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(sent.sent_back_count(), 1u);
  EXPECT_EQ(sent.approval().decided_by(), "supervisor-2");
  // Pending again, with the deadline renewed: as long as before, from the send-back.
  infobus::dispatch::v1::ListDeliveriesRequest pending;
  pending.set_unit_id("fusui-psb");
  pending.add_statuses(infobus::common::v1::DELIVERY_STATUS_PENDING);
  infobus::dispatch::v1::ListDeliveriesResponse listed;
  ASSERT_TRUE(List(pending, &listed).ok());
  ASSERT_EQ(listed.deliveries_size(), 1);
  const Delivery reopened = listed.deliveries(0);
  EXPECT_FALSE(reopened.has_feedback());
  EXPECT_EQ(reopened.sent_back_count(), 1u);
  EXPECT_EQ(FromProtoTimestamp(reopened.deadline()),
            FromProtoTimestamp(sent.approval().decided_at()) + within);
  EXPECT_GT(FromProtoTimestamp(reopened.deadline()), FromProtoTimestamp(delivered.deadline()));

  // Answered again (the new round's first answer stands), then approved, once.
  ASSERT_TRUE(Feedback("fusui-psb", 1, infobus::common::v1::FEEDBACK_OUTCOME_TRANSFERRED,
                       "officer-7", &given)
                  .ok());
  EXPECT_FALSE(given.already_recorded());
  EXPECT_EQ(given.feedback().outcome(), infobus::common::v1::FEEDBACK_OUTCOME_TRANSFERRED);
  for (int i = 0; i < 2; ++i) {
    infobus::dispatch::v1::ApproveRequest request;
    request.set_unit_id("fusui-psb");
    request.set_seq(1);
    request.set_note(i == 0 ? "answered" : "again");
    infobus::dispatch::v1::ApproveResponse approved;
    grpc::ClientContext context;
    const grpc::Status status = Stub(supervisor)->Approve(&context, request, &approved);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(approved.already_approved(), i == 1);
    EXPECT_EQ(approved.approval().note(), "answered");
  }
  infobus::dispatch::v1::ListDeliveriesRequest closed;
  closed.set_unit_id("fusui-psb");
  closed.add_statuses(infobus::common::v1::DELIVERY_STATUS_APPROVED);
  ASSERT_TRUE(List(closed, &listed).ok());
  EXPECT_EQ(listed.deliveries_size(), 1);

  // On the topic: delivered, feedback, sent back, feedback (round 1), approved — once each.
  std::vector<std::string> types;
  std::set<std::string> ids;
  for (const kafka::Record& record :
       ReadTopic(bus_.Topic("infobus.dispatch-events.v1"), 6, absl::Seconds(10))) {
    infobus::common::v1::DispatchEvent event;
    ASSERT_TRUE(event.ParseFromString(record.value));
    types.push_back(infobus::common::v1::DispatchEventType_Name(event.type()));
    ids.insert(event.event_id());
    if (event.type() == infobus::common::v1::DISPATCH_EVENT_TYPE_SENT_BACK) {
      EXPECT_EQ(event.decided_by(), "supervisor-2");
      EXPECT_EQ(event.note(), "meet the petitioner in person");
      EXPECT_EQ(event.sent_back_count(), 1u);
      EXPECT_EQ(event.feedback().outcome(), infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
      EXPECT_EQ(event.deadline().seconds(), reopened.deadline().seconds());
    }
    if (event.type() == infobus::common::v1::DISPATCH_EVENT_TYPE_APPROVED) {
      EXPECT_EQ(event.note(), "answered");
      EXPECT_EQ(event.feedback().outcome(), infobus::common::v1::FEEDBACK_OUTCOME_TRANSFERRED);
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{
                       "DISPATCH_EVENT_TYPE_DELIVERED", "DISPATCH_EVENT_TYPE_FEEDBACK",
                       "DISPATCH_EVENT_TYPE_SENT_BACK", "DISPATCH_EVENT_TYPE_FEEDBACK",
                       "DISPATCH_EVENT_TYPE_APPROVED"}));
  EXPECT_EQ(ids.size(), types.size()) << "two changes share an event id";
}

TEST_F(DispatchApiTest, BadInputIsInvalidArgumentNamingTheField) {
  auto expect_invalid = [](const grpc::Status& status, const std::string& field) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_EQ(status.error_message().rfind(field + ":", 0), 0u) << status.error_message();
  };
  infobus::dispatch::v1::FeedbackResponse ignored;
  expect_invalid(Feedback("fusui-psb", 1, infobus::common::v1::FEEDBACK_OUTCOME_UNSPECIFIED,
                          "officer-7", &ignored),
                 "outcome");
  expect_invalid(Feedback("fusui-psb", 1, static_cast<infobus::common::v1::FeedbackOutcome>(99),
                          "o", &ignored),
                 "outcome");
  expect_invalid(
      Feedback("fusui-psb", 0, infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "o", &ignored),
      "seq");
  // Who reports is the caller: an empty given_by means them (FeedbackMustNameWhoGivesIt below
  // has insecure mode's rule), and naming someone else is refused, naming the field.
  const grpc::Status as_other =
      Feedback("fusui-psb", 1, infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "officer-9",
               AsOfficer("fusui-psb", "INTERNAL", "officer-7"), &ignored);
  EXPECT_EQ(as_other.error_code(), grpc::StatusCode::PERMISSION_DENIED) << as_other.error_message();
  EXPECT_EQ(as_other.error_message().rfind("given_by:", 0), 0u) << as_other.error_message();
  expect_invalid(Feedback("", 1, infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "o", &ignored),
                 "unit_id");
  EXPECT_EQ(Feedback("nobody", 1, infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "o", &ignored)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Feedback("fusui-psb", 99, infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "o", &ignored)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  infobus::dispatch::v1::ListDeliveriesResponse listed;
  infobus::dispatch::v1::ListDeliveriesRequest bad_token;
  bad_token.set_unit_id("fusui-psb");
  bad_token.set_page_token("zzz");
  expect_invalid(List(bad_token, &listed), "page_token");
  infobus::dispatch::v1::ListDeliveriesRequest big_page;
  big_page.set_unit_id("fusui-psb");
  big_page.set_page_size(5000);
  expect_invalid(List(big_page, &listed), "page_size");
  infobus::dispatch::v1::ListDeliveriesRequest bad_status;
  bad_status.set_unit_id("fusui-psb");
  bad_status.add_statuses(infobus::common::v1::DELIVERY_STATUS_UNSPECIFIED);
  expect_invalid(List(bad_status, &listed), "statuses[0]");
  infobus::dispatch::v1::ListDeliveriesRequest backwards;
  backwards.set_unit_id("fusui-psb");
  *backwards.mutable_delivered_after() = ToProtoTimestamp(absl::Now());
  *backwards.mutable_delivered_before() = ToProtoTimestamp(absl::Now() - absl::Hours(1));
  expect_invalid(List(backwards, &listed), "delivered_before");
}

TEST_F(DispatchApiTest, RoutingFileReloadsWithoutRestartAndABadVersionIsRefused) {
  EXPECT_EQ(UnitIds(), (std::vector<std::string>{"chongzuo-ops", "fusui-psb"}));

  // A bad version: the RPC names the problem and the routing in force stays.
  WriteRouting(std::string(kRouting) + "  - {send_to: [nobody]}\n");
  infobus::dispatch::v1::ReloadRoutingResponse reloaded;
  {
    grpc::ClientContext context;
    grpc::Status status = Stub(AsAdministrator())->ReloadRouting(&context, {}, &reloaded);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("routes[1].send_to"), std::string::npos)
        << status.error_message();
  }
  EXPECT_EQ(UnitIds(), (std::vector<std::string>{"chongzuo-ops", "fusui-psb"}));

  // A good version with a new unit is picked up by the file watcher alone.
  const std::string with_pingxiang =
      "units:\n"
      "  - {id: chongzuo-ops, jurisdictions: [\"4514\"], clearance: INTERNAL}\n"
      "  - {id: fusui-psb, jurisdictions: [\"451421\"], supervisor: chongzuo-ops, "
      "clearance: INTERNAL}\n"
      "  - {id: pingxiang-psb, jurisdictions: [\"451481\"], supervisor: chongzuo-ops, "
      "clearance: INTERNAL}\n"
      "routes:\n"
      "  - {send_to_jurisdiction: most_specific}\n";
  WriteRouting(with_pingxiang);
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (UnitIds().size() != 3 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));  // awaiting the watcher; nothing to block on
  }
  EXPECT_EQ(UnitIds(), (std::vector<std::string>{"chongzuo-ops", "fusui-psb", "pingxiang-psb"}));
  {
    grpc::ClientContext context;
    ASSERT_TRUE(Stub(AsAdministrator())->ReloadRouting(&context, {}, &reloaded).ok());
    EXPECT_FALSE(reloaded.changed());  // the watcher already has it
    EXPECT_EQ(reloaded.units(), 3u);
    EXPECT_EQ(reloaded.routes(), 1u);
  }
  // And the new unit receives judgments of its jurisdiction.
  InboxReader reader(dispatch_->address(), "pingxiang-psb", 0);
  auto producer = kafka::Producer::Create(TestBootstrapServers(), {});
  ASSERT_TRUE(producer.ok());
  Judgment judgment;
  judgment.set_judgment_id("after-reload");
  judgment.set_rule_id("watchlist-hit");
  judgment.set_kind(infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  judgment.set_jurisdiction_code("451481");
  judgment.set_severity(infobus::common::v1::SEVERITY_MEDIUM);
  *judgment.mutable_created_at() = ToProtoTimestamp(absl::Now());
  ASSERT_TRUE((*producer)
                  ->ProduceAll({{bus_.Topic("infobus.judgments.v1"),
                                 "451481",
                                 judgment.SerializeAsString(),
                                 {{kafka::kSchemaHeader, Judgment::descriptor()->full_name()}}}})[0]
                  .ok());
  ASSERT_TRUE(reader.WaitForCount(1, absl::Seconds(30)));
  EXPECT_EQ(reader.deliveries()[0].judgment().judgment_id(), "after-reload");
}

TEST_F(DispatchApiTest, SupervisorListsWhatIsPendingBelowIt) {
  Inject(3);  // to fusui-psb (most specific)
  InboxReader reader(dispatch_->address(), "fusui-psb", 0);
  ASSERT_TRUE(reader.WaitForCount(3, absl::Seconds(30)));
  {
    infobus::dispatch::v1::AcknowledgeRequest ack;
    ack.set_unit_id("fusui-psb");
    ack.set_seq(2);
    ack.set_acknowledged_by("officer-7");
    infobus::dispatch::v1::AcknowledgeResponse acked;
    grpc::ClientContext context;
    ASSERT_TRUE(Stub(AsOfficer("fusui-psb", "INTERNAL", "officer-7"))
                    ->Acknowledge(&context, ack, &acked)
                    .ok());
  }
  // Chongzuo's own inbox is empty; with its subordinates its supervisor sees Fusui's two pending
  // ones, one per page.
  const ClientSecurity supervisor = AsSupervisor("chongzuo-ops");
  infobus::dispatch::v1::ListDeliveriesRequest request;
  request.set_unit_id("chongzuo-ops");
  request.set_include_subordinates(true);
  request.add_statuses(infobus::common::v1::DELIVERY_STATUS_PENDING);
  request.add_statuses(infobus::common::v1::DELIVERY_STATUS_ESCALATED);
  request.set_page_size(1);
  std::vector<std::string> ids;
  for (int page = 0; page < 10; ++page) {
    infobus::dispatch::v1::ListDeliveriesResponse response;
    grpc::Status status = List(request, &response, &supervisor);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const Delivery& delivery : response.deliveries()) ids.push_back(delivery.delivery_id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"fusui-psb/1", "fusui-psb/3"}));

  request.set_include_subordinates(false);
  request.clear_page_token();
  infobus::dispatch::v1::ListDeliveriesResponse own;
  ASSERT_TRUE(List(request, &own, &supervisor).ok());
  EXPECT_EQ(own.deliveries_size(), 0);
}

// Insecure mode knows no caller, so a report must say who gives it (in the default mode it is
// the caller's). The one rule of that mode this test keeps: it runs insecure for that.
TEST(DispatchApiInsecureTest, FeedbackMustNameWhoGivesIt) {
  TestBus bus("dispatch-api-insecure");
  bus.set_insecure();
  const std::string routing = bus.dir() + "/routing.yaml";
  std::ofstream(routing) << kRouting;
  auto dispatch = bus.Service("dispatch", "dispatch:\n  routing_file: " + routing + "\n");
  ASSERT_TRUE(dispatch->Start().ok()) << dispatch->Log();
  infobus::dispatch::v1::FeedbackRequest request;
  request.set_unit_id("fusui-psb");
  request.set_seq(1);
  request.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
  infobus::dispatch::v1::FeedbackResponse response;
  grpc::ClientContext context;
  const grpc::Status status = DispatchService::NewStub(Channel(dispatch->address(), Plaintext()))
                                  ->Feedback(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(status.error_message().rfind("given_by:", 0), 0u) << status.error_message();
}

}  // namespace
}  // namespace infobus::testing
