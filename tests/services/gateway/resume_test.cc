#include "services/gateway/resume.h"

#include <gtest/gtest.h>

#include "infobus/dispatch/v1/dispatch_service.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"
#include "services/gateway/query_request.h"

namespace infobus::gateway {
namespace {

TEST(ApplyLastEventId, OverridesTheQuerysAfterSeq) {
  infobus::dispatch::v1::SubscribeRequest request;
  ASSERT_TRUE(SetFieldsFromQuery({{"unitId", "fusui-psb"}, {"afterSeq", "0"}}, &request).ok());
  ASSERT_TRUE(ApplyLastEventId("41", &request).ok());
  EXPECT_EQ(request.after_seq(), 41u);
  EXPECT_EQ(request.unit_id(), "fusui-psb");
}

TEST(ApplyLastEventId, OverridesAQuerysSinceToo) {
  // judgment's Subscribe starts at `since` when it is set, whatever after_seq says.
  infobus::judgment::v1::SubscribeRequest request;
  ASSERT_TRUE(SetFieldsFromQuery({{"since", "2026-11-03T08:00:00Z"}}, &request).ok());
  ASSERT_TRUE(ApplyLastEventId("7", &request).ok());
  EXPECT_EQ(request.after_seq(), 7u);
  EXPECT_FALSE(request.has_since());
}

TEST(ApplyLastEventId, NoHeaderLeavesTheQuery) {
  infobus::judgment::v1::SubscribeRequest request;
  request.set_after_seq(9);
  ASSERT_TRUE(ApplyLastEventId("", &request).ok());
  EXPECT_EQ(request.after_seq(), 9u);
}

TEST(ApplyLastEventId, AnIdThatIsNoSeqIsRefused) {
  for (const char* bad : {"abc", "-1", "1.0", " 5", "18446744073709551616"}) {
    infobus::judgment::v1::SubscribeRequest request;
    EXPECT_EQ(ApplyLastEventId(bad, &request).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ApplyLastEventId, ARequestThatCannotResumeIsRefused) {
  infobus::dispatch::v1::ListUnitsRequest request;
  EXPECT_EQ(ApplyLastEventId("3", &request).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace infobus::gateway
