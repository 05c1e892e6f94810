// Every service answers grpc.health.v1 and server reflection, which is what grpcurl and
// orchestrators use; tested with a generic stub so no .proto of theirs is compiled in here.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/raw_grpc.h"

namespace infobus::testing {
namespace {

class GrpcSurfaceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GrpcSurfaceTest, HealthIsServingAndReflectionDescribesTheService) {
  TestBus bus("surface-" + GetParam());
  auto service = bus.Service(GetParam());
  ASSERT_TRUE(service->Start().ok()) << service->Log();

  grpc::Status status;
  // HealthCheckRequest{service: ""} is empty; HealthCheckResponse{status: SERVING} is 08 01.
  EXPECT_EQ(CallRaw(service->address(), "/grpc.health.v1.Health/Check", "", &status),
            std::string("\x08\x01", 2));
  EXPECT_TRUE(status.ok()) << status.error_message();

  const std::map<std::string, std::string> names = {
      {"collection", "infobus.collection.v1.CollectionService"},
      {"judgment", "infobus.judgment.v1.JudgmentService"},
      {"dispatch", "infobus.dispatch.v1.DispatchService"}};
  const std::string& full_name = names.at(GetParam());
  const std::string reflection = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  // ServerReflectionRequest{list_services: ""}: field 7, length-delimited, empty.
  const std::string services =
      CallRaw(service->address(), reflection, std::string("\x3a\x00", 2), &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(services.find(full_name), std::string::npos);
  EXPECT_NE(services.find("grpc.health.v1.Health"), std::string::npos);

  // ServerReflectionRequest{file_containing_symbol: <service>}: field 4.
  std::string by_symbol = "\x22";
  by_symbol += static_cast<char>(full_name.size());
  by_symbol += full_name;
  const std::string files = CallRaw(service->address(), reflection, by_symbol, &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(files.find("_service.proto"), std::string::npos) << "no file descriptor returned";
}

INSTANTIATE_TEST_SUITE_P(AllServices, GrpcSurfaceTest,
                         ::testing::Values("collection", "judgment", "dispatch"));

}  // namespace
}  // namespace infobus::testing
