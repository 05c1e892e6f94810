#include "services/gateway/query_request.h"

#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include "infobus/dispatch/v1/dispatch_service.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"
#include "infobus/supervision/v1/supervision_service.pb.h"

namespace infobus::gateway {
namespace {

using Params = std::multimap<std::string, std::string>;

Params Query(std::initializer_list<std::pair<const std::string, std::string>> pairs) {
  return Params(pairs);
}

TEST(SetFieldsFromQuery, TheContractsJudgmentExample) {
  infobus::judgment::v1::SubscribeRequest request;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"filter.minSeverity", "SEVERITY_HIGH"},
                                        {"filter.kinds", "JUDGMENT_KIND_WATCHLIST_HIT"},
                                        {"filter.kinds", "JUDGMENT_KIND_MOVEMENT"},
                                        {"afterSeq", "0"}}),
                                 &request)
                  .ok());
  EXPECT_EQ(request.filter().min_severity(), infobus::common::v1::SEVERITY_HIGH);
  ASSERT_EQ(request.filter().kinds_size(), 2);  // repeated by repetition, in order
  EXPECT_EQ(request.filter().kinds(0), infobus::common::v1::JUDGMENT_KIND_WATCHLIST_HIT);
  EXPECT_EQ(request.filter().kinds(1), infobus::common::v1::JUDGMENT_KIND_MOVEMENT);
  EXPECT_EQ(request.after_seq(), 0u);
}

TEST(SetFieldsFromQuery, ProtoNamesWorkAsJsonNames) {
  infobus::judgment::v1::SubscribeRequest request;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"filter.jurisdiction_prefixes", "4514"},
                                        {"filter.jurisdictionPrefixes", "4510"},
                                        {"after_seq", "5"}}),
                                 &request)
                  .ok());
  ASSERT_EQ(request.filter().jurisdiction_prefixes_size(), 2);
  EXPECT_EQ(request.after_seq(), 5u);
}

TEST(SetFieldsFromQuery, Uint64TakesTheWholeRangeAndNothingElse) {
  infobus::dispatch::v1::SubscribeRequest request;
  ASSERT_TRUE(SetFieldsFromQuery(
                  Query({{"unitId", "fusui-psb"}, {"afterSeq", "18446744073709551615"}}), &request)
                  .ok());
  EXPECT_EQ(request.unit_id(), "fusui-psb");
  EXPECT_EQ(request.after_seq(), 18446744073709551615u);
  for (const char* bad : {"-1", "18446744073709551616", "5x", "", "1.5"}) {
    infobus::dispatch::v1::SubscribeRequest again;
    const absl::Status status = SetFieldsFromQuery(Query({{"afterSeq", bad}}), &again);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(status.message().find("afterSeq"), absl::string_view::npos) << status;
  }
}

TEST(SetFieldsFromQuery, Bools) {
  infobus::supervision::v1::ReportRequest request;
  ASSERT_TRUE(
      SetFieldsFromQuery(Query({{"includeSubordinates", "true"}, {"unitId", "u"}}), &request).ok());
  EXPECT_TRUE(request.include_subordinates());
  infobus::supervision::v1::ReportRequest off;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"include_subordinates", "0"}}), &off).ok());
  EXPECT_FALSE(off.include_subordinates());
  EXPECT_EQ(SetFieldsFromQuery(Query({{"includeSubordinates", "yes"}}), &off).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SetFieldsFromQuery, EnumsByNameOrNumberButNotUnknown) {
  infobus::judgment::v1::SubscribeRequest request;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"filter.minSeverity", "2"}}), &request).ok());
  EXPECT_EQ(request.filter().min_severity(), infobus::common::v1::SEVERITY_MEDIUM);
  infobus::judgment::v1::SubscribeRequest bad;
  EXPECT_EQ(SetFieldsFromQuery(Query({{"filter.minSeverity", "SEVERITY_HUGE"}}), &bad).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetFieldsFromQuery(Query({{"filter.minSeverity", "99"}}), &bad).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SetFieldsFromQuery, TimestampsInTheirJsonForm) {
  infobus::judgment::v1::SubscribeRequest request;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"since", "2026-11-03T08:00:00Z"}}), &request).ok());
  EXPECT_EQ(request.since().seconds(), 1793692800);
  EXPECT_EQ(SetFieldsFromQuery(Query({{"since", "yesterday"}}), &request).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SetFieldsFromQuery, OtherScalarTypes) {
  google::protobuf::Int32Value int32;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"value", "-7"}}), &int32).ok());
  EXPECT_EQ(int32.value(), -7);
  google::protobuf::DoubleValue real;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"value", "2.5"}}), &real).ok());
  EXPECT_EQ(real.value(), 2.5);
  google::protobuf::BytesValue bytes;
  ASSERT_TRUE(SetFieldsFromQuery(Query({{"value", "aGk="}}), &bytes).ok());
  EXPECT_EQ(bytes.value(), "hi");
}

TEST(SetFieldsFromQuery, UnknownFieldIsAnErrorNamingIt) {
  infobus::dispatch::v1::SubscribeRequest request;
  const absl::Status status = SetFieldsFromQuery(Query({{"unit", "fusui-psb"}}), &request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'unit'"), absl::string_view::npos) << status;
  infobus::judgment::v1::SubscribeRequest nested;
  EXPECT_EQ(SetFieldsFromQuery(Query({{"filter.nope", "1"}}), &nested).code(),
            absl::StatusCode::kInvalidArgument);
  // A path through a scalar is no path.
  EXPECT_EQ(SetFieldsFromQuery(Query({{"afterSeq.x", "1"}}), &nested).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SetFieldsFromQuery, ASingularFieldOnlyOnce) {
  infobus::dispatch::v1::SubscribeRequest request;
  EXPECT_EQ(SetFieldsFromQuery(Query({{"unitId", "a"}, {"unit_id", "b"}}), &request).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace infobus::gateway
