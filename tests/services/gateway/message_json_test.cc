#include "services/gateway/message_json.h"

#include <gtest/gtest.h>

#include "infobus/dispatch/v1/dispatch_service.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"

namespace infobus::gateway {
namespace {

TEST(RequestFromJson, CamelOrProtoNamesEnumsAndStringInts) {
  infobus::judgment::v1::SubscribeRequest request;
  ASSERT_TRUE(
      RequestFromJson(R"({"filter":{"min_severity":"SEVERITY_HIGH"},"afterSeq":"12"})", &request)
          .ok());
  EXPECT_EQ(request.filter().min_severity(), infobus::common::v1::SEVERITY_HIGH);
  EXPECT_EQ(request.after_seq(), 12u);
}

TEST(RequestFromJson, EmptyBodyIsTheEmptyRequest) {
  infobus::dispatch::v1::AcknowledgeRequest request;
  request.set_seq(3);
  ASSERT_TRUE(RequestFromJson("", &request).ok());
  ASSERT_TRUE(RequestFromJson(" \n", &request).ok());
  EXPECT_EQ(request.seq(), 0u);
}

TEST(RequestFromJson, UnknownFieldsAndBadJsonAreInvalidArgumentWithTheParsersWord) {
  infobus::dispatch::v1::AcknowledgeRequest request;
  absl::Status unknown = RequestFromJson(R"({"unitID":"x"})", &request);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("unitID"), absl::string_view::npos) << unknown;
  EXPECT_EQ(RequestFromJson("{", &request).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RequestFromJson(R"({"seq":"x"})", &request).code(), absl::StatusCode::kInvalidArgument);
}

TEST(MessageToJson, CamelCaseEnumNamesStringInt64sDefaultsOmitted) {
  infobus::judgment::v1::JudgmentRecord record;
  record.set_seq(5);
  record.mutable_judgment()->set_severity(infobus::common::v1::SEVERITY_HIGH);
  record.mutable_judgment()->set_jurisdiction_code("451421");
  absl::StatusOr<std::string> json = MessageToJson(record);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            R"({"seq":"5","judgment":{"severity":"SEVERITY_HIGH","jurisdictionCode":"451421"}})");
  EXPECT_EQ(*MessageToJson(infobus::dispatch::v1::AcknowledgeResponse()), "{}");
}

}  // namespace
}  // namespace infobus::gateway
