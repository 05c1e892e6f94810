// JudgmentServiceImpl over fakes, on an in-process gRPC server: no callback waits for Kafka or
// for the consumer loop. The audit records go to a FakeProducer the test controls, and the
// EventHandler is not driven by any loop, so nothing queued to it ever commits.
#include "services/judgment/judgment_service.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/server.h"
#include "gtest/gtest.h"
#include "tests/services/judgment/handler_store.h"
#include "tests/services/judgment/no_watchlist.h"
#include "tests/support/callback_returns.h"
#include "tests/support/fake_producer.h"
#include "tests/support/temp_dir.h"

namespace infobus::judgment {
namespace {

using infobus::judgment::v1::JudgmentService;

using infobus::testing::NoWatchlist;

// The service, telling when its ReloadRules callback has returned to gRPC.
class ProbedService final : public JudgmentServiceImpl {
 public:
  using JudgmentServiceImpl::JudgmentServiceImpl;
  grpc::ServerUnaryReactor* ReloadRules(
      grpc::CallbackServerContext* context,
      const infobus::judgment::v1::ReloadRulesRequest* request,
      infobus::judgment::v1::ReloadRulesResponse* response) override {
    grpc::ServerUnaryReactor* reactor =
        JudgmentServiceImpl::ReloadRules(context, request, response);
    returns.Returned();
    return reactor;
  }
  testing::CallbackReturns returns;
};

class JudgmentServiceOverFakesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = testing::OpenHandlerStore(dir_.Sub("db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    engine_ = std::make_unique<Engine>(&watchlist_, clock_);
    log_ = std::make_unique<JudgmentLog>(store_.get());
    ASSERT_TRUE(log_->Open().ok());
    handler_ =
        std::make_unique<EventHandler>(store_.get(), engine_.get(), log_.get(), &rules_,
                                       "judgments", "sightings", nullptr, absl::Seconds(2), clock_);
    ASSERT_TRUE(handler_->Start().ok());
    audit_log_ = std::make_unique<audit::AuditLog>(&audit_, "infobus.audit.v1", "judgment");
    JudgmentServiceImpl::Options options;
    options.apply_timeout = absl::Seconds(1);
    service_ = std::make_unique<ProbedService>(nullptr, handler_.get(), log_.get(),
                                               audit_log_.get(), options);
    // Insecure: the caller is unrestricted, so the gate lets the change through to its audit
    // record (what is denied to whom is authz_matrix_test's).
    auto server =
        GrpcServer::Start("127.0.0.1:0", grpc::InsecureServerCredentials(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = JudgmentService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    audit_.Release();  // so that, were a callback stuck on it, the server could still stop
  }

  grpc::Status ReloadRules() {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    infobus::judgment::v1::ReloadRulesResponse response;
    return stub_->ReloadRules(&context, {}, &response);
  }

  testing::TempDir dir_;
  ClockPtr clock_ = std::make_shared<SystemClock>();
  NoWatchlist watchlist_;
  RulesSource rules_{""};
  StorePtr store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<JudgmentLog> log_;
  std::unique_ptr<EventHandler> handler_;
  testing::FakeProducer audit_;
  std::unique_ptr<audit::AuditLog> audit_log_;
  std::unique_ptr<ProbedService> service_;
  GrpcServerPtr server_;
  std::unique_ptr<JudgmentService::Stub> stub_;
};

// The audit record is never acknowledged: the callback hands the change on and returns (it used
// to wait in AdmitChange for the acknowledgement, holding a gRPC thread for as long), and the
// caller hears at apply_timeout that nothing was applied.
TEST_F(JudgmentServiceOverFakesTest, AChangeWhoseRecordIsNeverAcknowledgedHoldsNoGrpcThread) {
  audit_.set_mode(testing::FakeProducer::Mode::kHold);
  grpc::Status status;
  std::thread caller([&] { status = ReloadRules(); });
  const bool returned = service_->returns.Within(absl::Seconds(10));
  EXPECT_TRUE(returned) << "the ReloadRules callback is still waiting for Kafka";
  EXPECT_EQ(audit_.held(), 1u);
  if (!returned) audit_.Release();
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
}

// The record is kept but the loop never commits (nothing drives the handler): the callback
// returns at once, and the caller is told in time that the change may still apply.
TEST_F(JudgmentServiceOverFakesTest, AChangeTheLoopNeverCommitsIsAnsweredAtTheApplyTimeout) {
  const absl::Time start = absl::Now();
  const grpc::Status status = ReloadRules();
  EXPECT_TRUE(service_->returns.Within(absl::ZeroDuration()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_NE(status.error_message().find("it may still apply"), std::string::npos);
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));
  ASSERT_EQ(audit_.sent().size(), 1u);
}

}  // namespace
}  // namespace infobus::judgment
