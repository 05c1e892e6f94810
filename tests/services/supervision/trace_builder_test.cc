#include "services/supervision/trace_builder.h"

#include <gtest/gtest.h>

#include "common/util/time.h"

namespace infobus::supervision {
namespace {

using storage::v1::DeliveryRecord;
using storage::v1::JudgmentRecord;

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

JudgmentRecord Judged() {
  JudgmentRecord record;
  record.set_judged(true);
  record.mutable_judgment()->set_judgment_id("j1");
  *record.mutable_judgment()->mutable_created_at() = ToProtoTimestamp(kT0);
  return record;
}

DeliveryRecord Delivery(const std::string& unit, uint64_t seq, absl::Duration deadline) {
  DeliveryRecord delivery;
  delivery.set_delivered(true);
  delivery.set_unit_id(unit);
  delivery.set_seq(seq);
  *delivery.mutable_delivered_at() = ToProtoTimestamp(kT0 + absl::Seconds(1));
  *delivery.mutable_deadline() = ToProtoTimestamp(kT0 + deadline);
  return delivery;
}

TEST(TraceBuilderTest, TheStateFollowsEveryDeliveryStillDue) {
  const JudgmentRecord judged = Judged();
  EXPECT_EQ(StateOf(nullptr, {}), v1::JUDGMENT_STATE_UNSPECIFIED);
  EXPECT_EQ(StateOf(&judged, {}), v1::JUDGMENT_STATE_OPEN);
  DeliveryRecord a = Delivery("a", 1, absl::Minutes(5));
  DeliveryRecord b = Delivery("b", 1, absl::Minutes(5));
  EXPECT_EQ(StateOf(&judged, {a, b}), v1::JUDGMENT_STATE_DISPATCHED);
  *a.mutable_acknowledged_at() = ToProtoTimestamp(kT0 + absl::Minutes(1));
  // One unit's sign-off is not the other's.
  EXPECT_EQ(StateOf(&judged, {a, b}), v1::JUDGMENT_STATE_DISPATCHED);
  // An escalated delivery is handed up: the one it went to is due instead.
  *b.mutable_escalated_at() = ToProtoTimestamp(kT0 + absl::Minutes(5));
  EXPECT_EQ(StateOf(&judged, {a, b}), v1::JUDGMENT_STATE_SIGNED);
  DeliveryRecord up = Delivery("up", 7, absl::Minutes(10));
  EXPECT_EQ(StateOf(&judged, {a, b, up}), v1::JUDGMENT_STATE_DISPATCHED);
  // Feedback is a sign-off too.
  up.mutable_feedback()->set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
  *up.mutable_feedback()->mutable_given_at() = ToProtoTimestamp(kT0 + absl::Minutes(6));
  EXPECT_EQ(StateOf(&judged, {a, b, up}), v1::JUDGMENT_STATE_FEEDBACK);
  a.mutable_feedback()->set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_NOT_FOUND);
  EXPECT_EQ(StateOf(&judged, {a, b, up}), v1::JUDGMENT_STATE_CLOSED);

  JudgmentRecord dismissed = Judged();
  dismissed.mutable_judgment()->mutable_review()->set_status(
      infobus::common::v1::REVIEW_STATUS_DISMISSED);
  EXPECT_EQ(StateOf(&dismissed, {Delivery("a", 1, absl::Minutes(5))}),
            v1::JUDGMENT_STATE_CLOSED);
}

TEST(TraceBuilderTest, OverdueUntilSignedAndMissingSaysWhatIsStillToCome) {
  const JudgmentRecord judged = Judged();
  DeliveryRecord late = Delivery("a", 1, absl::Minutes(5));
  auto trace = BuildJudgmentTrace("j1", &judged, {late}, {}, kT0 + absl::Minutes(6));
  EXPECT_TRUE(trace.overdue());
  EXPECT_TRUE(trace.deliveries(0).overdue());
  EXPECT_EQ(std::vector<std::string>(trace.missing().begin(), trace.missing().end()),
            (std::vector<std::string>{"a/1: not signed off", "a/1: no feedback"}));
  *late.mutable_acknowledged_at() = ToProtoTimestamp(kT0 + absl::Minutes(7));
  trace = BuildJudgmentTrace("j1", &judged, {late}, {}, kT0 + absl::Minutes(8));
  EXPECT_FALSE(trace.overdue());
  EXPECT_EQ(std::vector<std::string>(trace.missing().begin(), trace.missing().end()),
            (std::vector<std::string>{"a/1: no feedback"}));
  ASSERT_EQ(trace.hops_size(), 3);  // judged, delivered, signed
  EXPECT_EQ(trace.hops(1).kind(), v1::HOP_KIND_DELIVERED);
  EXPECT_EQ(trace.hops(1).since_previous().seconds(), 1);
  EXPECT_EQ(trace.hops(2).since_previous().seconds(), 7 * 60 - 1);

  auto undelivered = BuildJudgmentTrace("j1", &judged, {}, {}, kT0);
  EXPECT_EQ(undelivered.missing(0), "not delivered to any unit (yet)");
  auto unseen = BuildJudgmentTrace("j9", nullptr, {late}, {}, kT0);
  EXPECT_EQ(unseen.state(), v1::JUDGMENT_STATE_UNSPECIFIED);
  EXPECT_EQ(unseen.missing(0), "judgment: not seen yet (only its dispatch facts)");
}

}  // namespace
}  // namespace infobus::supervision
