#include "services/gateway/api_route.h"

#include <gtest/gtest.h>

namespace infobus::gateway {
namespace {

TEST(ParseApiPath, SplitsServiceAndMethod) {
  absl::StatusOr<ApiRoute> route = ParseApiPath("/api/v1/dispatch/Acknowledge");
  ASSERT_TRUE(route.ok()) << route.status();
  EXPECT_EQ(route->service, "dispatch");
  EXPECT_EQ(route->method, "Acknowledge");
}

TEST(ParseApiPath, RefusesOtherShapes) {
  for (const char* path : {"/api/v1/dispatch", "/api/v1/dispatch/", "/api/v1//Acknowledge",
                           "/api/v1/dispatch/Acknowledge/x", "/api/v2/dispatch/Acknowledge",
                           "/healthz", "", "/api/v1/"}) {
    absl::StatusOr<ApiRoute> route = ParseApiPath(path);
    EXPECT_EQ(route.status().code(), absl::StatusCode::kNotFound) << path;
  }
}

TEST(FindGeneratedMethod, FindsEveryServicesMethodsInTheGeneratedPool) {
  for (const auto& [service, method] :
       std::vector<std::pair<std::string, std::string>>{{"collection", "Publish"},
                                                        {"judgment", "ListJudgments"},
                                                        {"dispatch", "Acknowledge"},
                                                        {"supervision", "Report"}}) {
    absl::StatusOr<const google::protobuf::MethodDescriptor*> found =
        FindGeneratedMethod({service, method});
    ASSERT_TRUE(found.ok()) << service << "/" << method << ": " << found.status();
    EXPECT_EQ(KindOf(**found), CallKind::kUnary);
  }
}

TEST(FindGeneratedMethod, TheSubscriptionsAreServerStreams) {
  for (const char* service : {"judgment", "dispatch"}) {
    absl::StatusOr<const google::protobuf::MethodDescriptor*> found =
        FindGeneratedMethod({service, "Subscribe"});
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(KindOf(**found), CallKind::kServerStreaming);
  }
}

TEST(FindGeneratedMethod, UnknownServiceOrMethodIsNotFound) {
  EXPECT_EQ(FindGeneratedMethod({"billing", "Pay"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FindGeneratedMethod({"dispatch", "acknowledge"}).status().code(),
            absl::StatusCode::kNotFound);  // exactly as in the .proto
  EXPECT_EQ(FindGeneratedMethod({"dispatch", "Nope"}).status().code(), absl::StatusCode::kNotFound);
}

TEST(GrpcMethodPath, IsServiceFullNameSlashMethod) {
  absl::StatusOr<const google::protobuf::MethodDescriptor*> found =
      FindGeneratedMethod({"supervision", "Trace"});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(GrpcMethodPath(**found), "/infobus.supervision.v1.SupervisionService/Trace");
}

}  // namespace
}  // namespace infobus::gateway
