// DispatchServiceImpl over fakes, on an in-process gRPC server: a sign-off whose dispatch event
// Kafka has not acknowledged holds no gRPC thread, is not recorded, and holds up the escalation
// check of its delivery only. The events go to a FakeProducer the test controls.
#include "services/dispatch/dispatch_service.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/server.h"
#include "gtest/gtest.h"
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
  testing::CallbackReturns returns;
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
    ASSERT_TRUE(store_->Write(&batch).ok());
    inbox_->CommitStaged();

    Unit unit;
    unit.id = "fusui-psb";
    unit.jurisdictions = {"451421"};
    auto units = UnitDirectory::FromUnits({unit});
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

}  // namespace
}  // namespace infobus::dispatch
