#include "services/supervision/contributions.h"

#include <gtest/gtest.h>

#include "common/util/time.h"
#include "services/supervision/tally_key.h"

namespace infobus::supervision {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

TEST(ContributionsTest, AJudgmentCountsInTheEventTimeItCoversNotWhenItWasMade) {
  JudgmentRecord record;
  record.set_judged(true);
  *record.mutable_judgment()->mutable_created_at() = ToProtoTimestamp(kT0 + absl::Hours(100));
  *record.mutable_judgment()->mutable_window_end() = ToProtoTimestamp(kT0);
  TallyDeltas deltas;
  AddJudgment(record, +1, &deltas);
  ASSERT_EQ(deltas.size(), 1u);
  auto key = TallyKey::Decode(deltas.begin()->first);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->hour, HourOf(kT0));

  record.mutable_judgment()->clear_window_end();
  TallyDeltas made;
  AddJudgment(record, +1, &made);
  EXPECT_EQ(TallyKey::Decode(made.begin()->first)->hour, HourOf(kT0 + absl::Hours(100)));
}

TEST(ContributionsTest, AReviewOutweighsOutcomesAndAPositiveOutcomeAFalsePositive) {
  JudgmentRecord record;
  EXPECT_EQ(VerdictOf(record), Verdict::kNone);
  (*record.mutable_outcomes())[infobus::common::v1::FEEDBACK_OUTCOME_FALSE_POSITIVE] = 1;
  EXPECT_EQ(VerdictOf(record), Verdict::kNegative);
  (*record.mutable_outcomes())[infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED] = 1;
  EXPECT_EQ(VerdictOf(record), Verdict::kPositive);
  record.mutable_judgment()->mutable_review()->set_status(
      infobus::common::v1::REVIEW_STATUS_DISMISSED);
  EXPECT_EQ(VerdictOf(record), Verdict::kNegative);
}

TEST(ContributionsTest, TakingARecordOutUndoesPuttingItIn) {
  DeliveryRecord delivery;
  delivery.set_delivered(true);
  delivery.set_unit_id("fusui-psb");
  *delivery.mutable_delivered_at() = ToProtoTimestamp(kT0);
  *delivery.mutable_deadline() = ToProtoTimestamp(kT0 + absl::Minutes(15));
  *delivery.mutable_acknowledged_at() = ToProtoTimestamp(kT0 + absl::Minutes(3));
  delivery.mutable_feedback()->set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED);
  TallyDeltas deltas;
  AddDelivery(delivery, +1, &deltas);
  const Tally& tally = deltas.begin()->second;
  EXPECT_EQ(tally.acknowledged_within_deadline(), 1);
  EXPECT_EQ(tally.signoff_latency_size(), 1);
  AddDelivery(delivery, -1, &deltas);
  EXPECT_TRUE(IsEmpty(deltas.begin()->second));
}

}  // namespace
}  // namespace infobus::supervision
