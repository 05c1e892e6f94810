#include "services/judgment/judgment_log.h"

#include <memory>
#include <string>

#include "common/store/store.h"
#include "common/util/time.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Judgment;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

Judgment MakeJudgment(const std::string& id) {
  Judgment judgment;
  judgment.set_judgment_id(id);
  judgment.set_rule_id("movement");
  *judgment.mutable_created_at() = ToProtoTimestamp(kT0);
  return judgment;
}

Judgment Reviewed(Judgment judgment, infobus::common::v1::ReviewStatus status, absl::Time at) {
  judgment.mutable_review()->set_status(status);
  *judgment.mutable_review()->mutable_reviewed_at() = ToProtoTimestamp(at);
  return judgment;
}

class JudgmentLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.Sub("db"), {JudgmentLog::kFamily}, Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    log_ = std::make_unique<JudgmentLog>(store_.get());
    ASSERT_TRUE(log_->Open().ok());
  }

  // Stages `judgment` as read from the topic and commits it; whether it was appended.
  bool FromTopic(const Judgment& judgment) {
    rocksdb::WriteBatch batch;
    auto added = log_->StageFromTopic(judgment, batch);
    EXPECT_TRUE(added.ok()) << added.status();
    EXPECT_TRUE(store_->Write(&batch).ok());
    log_->Committed();
    return added.ok() && *added;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<JudgmentLog> log_;
};

TEST_F(JudgmentLogTest, AJudgmentFromTheTopicIsAppendedOnceAndOnlyLaterReviewsFollow) {
  const Judgment j = MakeJudgment("j1");
  EXPECT_TRUE(FromTopic(j));
  EXPECT_FALSE(FromTopic(j));  // known: our own, or read twice
  EXPECT_EQ(log_->last_seq(), 1u);

  const auto confirmed =
      Reviewed(j, infobus::common::v1::REVIEW_STATUS_CONFIRMED, kT0 + absl::Minutes(1));
  const auto dismissed =
      Reviewed(j, infobus::common::v1::REVIEW_STATUS_DISMISSED, kT0 + absl::Minutes(2));
  EXPECT_TRUE(FromTopic(dismissed));
  // The earlier review arrives late: the later one stays.
  EXPECT_FALSE(FromTopic(confirmed));
  EXPECT_FALSE(FromTopic(dismissed));
  EXPECT_EQ(log_->last_seq(), 2u);
  auto held = log_->Get("j1");
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_EQ((*held)->judgment().review().status(), infobus::common::v1::REVIEW_STATUS_DISMISSED);
  EXPECT_EQ((*held)->seq(), 2u);
}

TEST_F(JudgmentLogTest, AJudgmentReadWithItsReviewIsAppendedWithIt) {
  EXPECT_TRUE(
      FromTopic(Reviewed(MakeJudgment("j2"), infobus::common::v1::REVIEW_STATUS_CONFIRMED, kT0)));
  auto held = log_->Get("j2");
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_EQ((*held)->judgment().review().status(), infobus::common::v1::REVIEW_STATUS_CONFIRMED);
}

TEST_F(JudgmentLogTest, ReadingAfterTheLastOrTheLargestSeqFindsNothing) {
  for (const char* id : {"j1", "j2", "j3"}) ASSERT_TRUE(FromTopic(MakeJudgment(id)));
  uint64_t scanned_to = 0;
  auto all = log_->ReadAfter(0, JudgmentFilter(), 100, 100, &scanned_to);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 3u);
  auto rest = log_->ReadAfter(1, JudgmentFilter(), 100, 100, &scanned_to);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].seq(), 2u);
  // The edges: the last seq, 2^63 and 2^64 - 1 (where after_seq + 1 wraps to 0) send nothing.
  for (uint64_t after : {uint64_t{3}, uint64_t{1} << 63, ~uint64_t{0}}) {
    auto none = log_->ReadAfter(after, JudgmentFilter(), 100, 100, &scanned_to);
    ASSERT_TRUE(none.ok()) << after;
    EXPECT_TRUE(none->empty()) << "after_seq " << after << " gave " << none->size();
    EXPECT_EQ(scanned_to, after);
  }
}

}  // namespace
}  // namespace infobus::judgment
