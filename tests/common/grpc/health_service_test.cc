// The health service of every infobus server, over loopback: Check and List for the server and
// each service it serves, NOT_FOUND for others; Watch hears each change SetServing makes (an
// unknown name stays SERVICE_UNKNOWN), and Shutdown ends every watch after its last status, so
// a server's shutdown does not wait out its grace for streams that never end by themselves.
#include "common/grpc/health_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>

#include "common/grpc/server.h"

namespace infobus {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr char kHealth[] = "grpc.health.v1.Health";

class HealthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = GrpcServer::Start("127.0.0.1:0", grpc::InsecureServerCredentials(), {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Check(const std::string& service, HealthCheckResponse* response) {
    HealthCheckRequest request;
    request.set_service(service);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->Check(&context, request, response);
  }

  // A Watch of `service`, bounded by a deadline.
  struct Watch {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> reader;
    HealthCheckResponse::ServingStatus Next() {
      HealthCheckResponse response;
      return reader->Read(&response) ? response.status() : HealthCheckResponse::UNKNOWN;
    }
  };
  std::unique_ptr<Watch> StartWatch(const std::string& service) {
    auto watch = std::make_unique<Watch>();
    watch->context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(2));
    HealthCheckRequest request;
    request.set_service(service);
    watch->reader = stub_->Watch(&watch->context, request);
    return watch;
  }

  GrpcServerPtr server_;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
};

TEST_F(HealthServiceTest, ChecksTheServerAndEachServiceItServes) {
  HealthCheckResponse response;
  ASSERT_TRUE(Check("", &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(Check(kHealth, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check("no.such.Service", &response).error_code(), grpc::StatusCode::NOT_FOUND);

  server_->SetServing(false);
  ASSERT_TRUE(Check(kHealth, &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);

  grpc::health::v1::HealthListResponse list;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->List(&context, grpc::health::v1::HealthListRequest(), &list).ok());
  EXPECT_EQ(list.statuses().count(""), 1u);
  EXPECT_EQ(list.statuses().count("grpc.reflection.v1alpha.ServerReflection"), 1u);
  ASSERT_EQ(list.statuses().count(kHealth), 1u);
  EXPECT_EQ(list.statuses().at(kHealth).status(), HealthCheckResponse::NOT_SERVING);
}

TEST_F(HealthServiceTest, WatchHearsEachChangeAndShutdownEndsIt) {
  auto overall = StartWatch("");
  auto unknown = StartWatch("no.such.Service");
  EXPECT_EQ(overall->Next(), HealthCheckResponse::SERVING);
  EXPECT_EQ(unknown->Next(), HealthCheckResponse::SERVICE_UNKNOWN);

  server_->SetServing(false);
  EXPECT_EQ(overall->Next(), HealthCheckResponse::NOT_SERVING);
  server_->SetServing(true);
  server_->SetServing(true);  // no change, nothing to say
  EXPECT_EQ(overall->Next(), HealthCheckResponse::SERVING);

  // A grace far longer than the test: only ending the watches lets Shutdown return early.
  server_->Shutdown(absl::Minutes(10));
  EXPECT_EQ(overall->Next(), HealthCheckResponse::NOT_SERVING);  // what shutting down says
  EXPECT_EQ(overall->Next(), HealthCheckResponse::UNKNOWN);      // and the stream ends
  EXPECT_TRUE(overall->reader->Finish().ok());
  // The unknown name heard nothing of the changes: the stream ends after SERVICE_UNKNOWN.
  EXPECT_EQ(unknown->Next(), HealthCheckResponse::UNKNOWN);
  EXPECT_TRUE(unknown->reader->Finish().ok());
}

}  // namespace
}  // namespace infobus
