// Every service answers grpc.health.v1 (for the server and for each service it serves, through
// the standard health.proto) and server reflection, which is what grpcurl and orchestrators
// use. Reflection is spoken with a generic stub so no reflection .proto is compiled in here.
// Both want an authenticated caller: health is asked with the service's own certificate (as
// compose's checks do), reflection with the ops' machine identity (as an operator's grpcurl).
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/support/bus.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"
#include "tests/integration/support/raw_grpc.h"

namespace infobus::testing {
namespace {

using grpc::health::v1::HealthCheckResponse;

// The length-delimited values of field `number` in the protobuf bytes `message`.
std::vector<std::string> Field(const std::string& message, int number) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(message)) return {};
  std::vector<std::string> values;
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& field = fields.field(i);
    if (field.number() == number &&
        field.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      values.push_back(field.length_delimited());
    }
  }
  return values;
}

// ServerReflectionInfo{file_containing_symbol: symbol}: the files of the answer's
// file_descriptor_response (field 4, its field 1), empty when reflection does not know it.
std::vector<google::protobuf::FileDescriptorProto> FilesContaining(const std::string& address,
                                                                   const std::string& symbol,
                                                                   grpc::Status* status) {
  std::string request = "\x22";
  request += static_cast<char>(symbol.size());
  request += symbol;
  const std::string response =
      CallRaw(address, AsAdministrator(),
              "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", request, status);
  std::vector<google::protobuf::FileDescriptorProto> files;
  for (const std::string& file_response : Field(response, 4)) {
    for (const std::string& bytes : Field(file_response, 1)) {
      if (!files.emplace_back().ParseFromString(bytes)) files.pop_back();
    }
  }
  return files;
}

class GrpcSurfaceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GrpcSurfaceTest, HealthAnswersPerServiceAndReflectionDescribesServiceAndHealth) {
  TestBus bus("surface-" + GetParam());
  auto service = bus.Service(GetParam());
  ASSERT_TRUE(service->Start().ok()) << service->Log();
  const std::map<std::string, std::string> names = {
      {"collection", "infobus.collection.v1.CollectionService"},
      {"judgment", "infobus.judgment.v1.JudgmentService"},
      {"dispatch", "infobus.dispatch.v1.DispatchService"}};
  const std::string& full_name = names.at(GetParam());

  // Health of the server as a whole and of the service by name; a name it does not serve
  // (another service's) is NOT_FOUND.
  const ClientSecurity probe = ServiceIdentity(GetParam());
  EXPECT_EQ(CheckHealth(service->address(), probe).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  EXPECT_EQ(
      CheckHealth(service->address(), probe, full_name).value_or(HealthCheckResponse::UNKNOWN),
      HealthCheckResponse::SERVING)
      << CheckHealth(service->address(), probe, full_name).status();
  const std::string other =
      GetParam() == "collection" ? names.at("dispatch") : names.at("collection");
  EXPECT_EQ(CheckHealth(service->address(), probe, other).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CheckHealth(service->address(), probe, "no.such.Service").status().code(),
            absl::StatusCode::kNotFound);

  grpc::Status status;
  // ServerReflectionRequest{list_services: ""}: field 7, length-delimited, empty.
  const std::string services =
      CallRaw(service->address(), AsAdministrator(),
              "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
              std::string("\x3a\x00", 2), &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(services.find(full_name), std::string::npos);
  EXPECT_NE(services.find("grpc.health.v1.Health"), std::string::npos);

  // Reflection describes the service and grpc.health.v1.Health (what grpcurl needs to call
  // them without .proto files).
  const auto service_files = FilesContaining(service->address(), full_name, &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_FALSE(service_files.empty()) << "no file descriptor for " << full_name;
  EXPECT_NE(service_files.front().name().find("_service.proto"), std::string::npos);

  const auto health_files = FilesContaining(service->address(), "grpc.health.v1.Health", &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_FALSE(health_files.empty()) << "reflection does not describe grpc.health.v1.Health";
  const google::protobuf::FileDescriptorProto& health = health_files.front();
  EXPECT_EQ(health.name(), "grpc/health/v1/health.proto");
  ASSERT_EQ(health.service_size(), 1);
  std::set<std::string> methods;
  for (const auto& method : health.service(0).method()) methods.insert(method.name());
  EXPECT_TRUE(methods.count("Check") && methods.count("Watch")) << health.DebugString();
}

INSTANTIATE_TEST_SUITE_P(AllServices, GrpcSurfaceTest,
                         ::testing::Values("collection", "judgment", "dispatch"));

}  // namespace
}  // namespace infobus::testing
