#include "services/gateway/http_status.h"

#include <gtest/gtest.h>

namespace infobus::gateway {
namespace {

TEST(HttpStatusFor, TheContractsTable) {
  using C = absl::StatusCode;
  const std::vector<std::pair<C, int>> table = {
      {C::kOk, 200},
      {C::kInvalidArgument, 400},
      {C::kFailedPrecondition, 400},
      {C::kOutOfRange, 400},
      {C::kUnauthenticated, 401},
      {C::kPermissionDenied, 403},
      {C::kNotFound, 404},
      {C::kAlreadyExists, 409},
      {C::kAborted, 409},
      {C::kResourceExhausted, 429},
      {C::kCancelled, 499},
      {C::kUnimplemented, 501},
      {C::kUnavailable, 503},
      {C::kDeadlineExceeded, 504},
      {C::kUnknown, 500},
      {C::kInternal, 500},
      {C::kDataLoss, 500},
      {static_cast<C>(42), 500},
  };
  for (const auto& [code, http] : table) {
    EXPECT_EQ(HttpStatusFor(code), http) << absl::StatusCodeToString(code);
  }
}

TEST(ErrorBody, CodeNameAndMessageAsOneLineOfJson) {
  EXPECT_EQ(ErrorBody(absl::PermissionDeniedError("not your \"inbox\"\nsorry")),
            R"({"code":"PERMISSION_DENIED","message":"not your \"inbox\"\nsorry"})");
}

TEST(ErrorBody, BadUtf8IsReplacedNotThrown) {
  const std::string body = ErrorBody(absl::InvalidArgumentError("bad \xff byte"));
  EXPECT_NE(body.find("INVALID_ARGUMENT"), std::string::npos);
  EXPECT_EQ(body.find('\xff'), std::string::npos);
}

}  // namespace
}  // namespace infobus::gateway
