// gRPC by method path with raw bytes, against a loopback server's standard health service
// (Check is unary, Watch server-streaming): replies, errors, reads one at a time, the end of a
// stream by the server and by Cancel, and a call destroyed in any state never hangs.
#include "services/gateway/grpc_calls.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/grpc/server.h"
#include "grpc/health/v1/health.pb.h"

namespace infobus::gateway {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr char kCheck[] = "/grpc.health.v1.Health/Check";
constexpr char kWatch[] = "/grpc.health.v1.Health/Watch";

class GrpcCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = GrpcServer::Start("127.0.0.1:0", grpc::InsecureServerCredentials(), {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }

  static std::string Request(const std::string& service = "") {
    HealthCheckRequest request;
    request.set_service(service);
    return request.SerializeAsString();
  }
  static HealthCheckResponse::ServingStatus StatusIn(const std::string& bytes) {
    HealthCheckResponse response;
    EXPECT_TRUE(response.ParseFromString(bytes));
    return response.status();
  }
  // The next message of `call`, or UNKNOWN when none came in time.
  static HealthCheckResponse::ServingStatus Next(ServerStreamCall& call) {
    std::string bytes;
    if (call.Read(absl::Seconds(20), &bytes) != ServerStreamCall::Next::kMessage) {
      return HealthCheckResponse::UNKNOWN;
    }
    return StatusIn(bytes);
  }

  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<grpc::GenericStub> stub_;
};

TEST_F(GrpcCallsTest, UnaryReplyAsBytes) {
  absl::StatusOr<std::string> reply = CallUnary(*stub_, kCheck, Request(), "", absl::Seconds(10));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(StatusIn(*reply), HealthCheckResponse::SERVING);
}

TEST_F(GrpcCallsTest, UnaryErrorsAreTheCallsStatus) {
  EXPECT_EQ(CallUnary(*stub_, kCheck, Request("no.Such"), "", absl::Seconds(10)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      CallUnary(*stub_, "/grpc.health.v1.Health/Nope", Request(), "Bearer x", absl::Seconds(10))
          .status()
          .code(),
      absl::StatusCode::kUnimplemented);
  // Bytes that are no request: the server's refusal, whatever its code.
  EXPECT_FALSE(CallUnary(*stub_, kCheck, "\xff\xff not a request", "", absl::Seconds(10)).ok());
}

TEST_F(GrpcCallsTest, StreamReadsEachMessageThenTimesOut) {
  ServerStreamCallPtr call = ServerStreamCall::Start(*stub_, kWatch, Request(), "");
  EXPECT_EQ(Next(*call), HealthCheckResponse::SERVING);
  std::string bytes;
  EXPECT_EQ(call->Read(absl::Milliseconds(50), &bytes), ServerStreamCall::Next::kTimeout);
  server_->SetServing(false);
  EXPECT_EQ(Next(*call), HealthCheckResponse::NOT_SERVING);
}

TEST_F(GrpcCallsTest, CancelEndsTheStreamWithCancelled) {
  ServerStreamCallPtr call = ServerStreamCall::Start(*stub_, kWatch, Request(), "");
  EXPECT_EQ(Next(*call), HealthCheckResponse::SERVING);
  call->Cancel();  // a read is pending
  std::string bytes;
  EXPECT_EQ(call->Read(absl::Seconds(20), &bytes), ServerStreamCall::Next::kEnd);
  EXPECT_EQ(call->status().code(), absl::StatusCode::kCancelled);
}

TEST_F(GrpcCallsTest, TheServersEndIsOk) {
  ServerStreamCallPtr call = ServerStreamCall::Start(*stub_, kWatch, Request(), "");
  EXPECT_EQ(Next(*call), HealthCheckResponse::SERVING);
  server_->Shutdown(absl::Seconds(1));  // ends watches after their last status
  std::string bytes;
  ServerStreamCall::Next next;
  while ((next = call->Read(absl::Seconds(20), &bytes)) == ServerStreamCall::Next::kMessage) {
  }
  EXPECT_EQ(next, ServerStreamCall::Next::kEnd);
  EXPECT_TRUE(call->status().ok()) << call->status();
}

TEST_F(GrpcCallsTest, DestroyedInAnyStateWithoutHanging) {
  // Never read (its one message held or on the way), read once (a read pending), cancelled
  // with a message held: each destructor must return.
  { ServerStreamCallPtr unread = ServerStreamCall::Start(*stub_, kWatch, Request(), ""); }
  {
    ServerStreamCallPtr once = ServerStreamCall::Start(*stub_, kWatch, Request(), "");
    EXPECT_EQ(Next(*once), HealthCheckResponse::SERVING);
  }
  {
    ServerStreamCallPtr held = ServerStreamCall::Start(*stub_, kWatch, Request(), "");
    EXPECT_EQ(Next(*held), HealthCheckResponse::SERVING);
    server_->SetServing(false);  // arrives into the pending read and stays held
    held->Cancel();
  }
  { ServerStreamCallPtr unknown = ServerStreamCall::Start(*stub_, "/no.Such/Call", "", ""); }
}

}  // namespace
}  // namespace infobus::gateway
