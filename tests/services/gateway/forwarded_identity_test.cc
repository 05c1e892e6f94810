#include "services/gateway/forwarded_identity.h"

#include <gtest/gtest.h>

namespace infobus::gateway {
namespace {

TEST(ForwardedAuthorization, UnchangedWhateverItSays) {
  EXPECT_EQ(*ForwardedAuthorization("Bearer eyJhbGciOi.x.y"), "Bearer eyJhbGciOi.x.y");
  EXPECT_EQ(*ForwardedAuthorization("Basic dXNlcg=="), "Basic dXNlcg==");  // the service decides
  EXPECT_EQ(*ForwardedAuthorization(""), "");
}

TEST(ForwardedAuthorization, WhatMetadataCannotCarryIsUnauthenticated) {
  EXPECT_EQ(ForwardedAuthorization("Bearer a\nb").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ForwardedAuthorization("Bearer \xe4\xb8\xad").status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace infobus::gateway
