#include "services/dispatch/inbox.h"

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/util/clock.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"

namespace infobus::dispatch {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// A fresh RocksDB with the inbox families and a fake clock; the directory is removed afterwards.
// Reopen() closes and reopens the database, as a restart of the process would.
class InboxHarness {
 public:
  InboxHarness() : clock_(std::make_shared<FakeClock>(kStart)) {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "infobus_inbox_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
      return;
    }
    path_ = pattern;
    Reopen();
  }
  ~InboxHarness() {
    inbox_.reset();
    store_.reset();
    std::error_code error;
    if (!path_.empty()) std::filesystem::remove_all(path_, error);
  }
  InboxHarness(const InboxHarness&) = delete;
  InboxHarness& operator=(const InboxHarness&) = delete;

  void Reopen() {
    inbox_.reset();
    store_.reset();
    absl::StatusOr<StorePtr> store =
        Store::Open((path_ / "db").string(), Inbox::Families(), Store::Options());
    if (!store.ok()) {
      ADD_FAILURE() << store.status();
      return;
    }
    store_ = *std::move(store);
    inbox_ = std::make_unique<Inbox>(store_.get(), clock_);
  }

  bool ok() const { return inbox_ != nullptr; }
  Inbox& inbox() { return *inbox_; }
  Store& store() { return *store_; }
  FakeClock& clock() { return *clock_; }

  // Stages and returns the seq (0 for nullopt), failing the test on an error.
  uint64_t Stage(const std::string& unit, const Judgment& judgment, rocksdb::WriteBatch* batch) {
    absl::StatusOr<std::optional<uint64_t>> seq = inbox_->Stage(unit, judgment, batch);
    EXPECT_TRUE(seq.ok()) << seq.status();
    return seq.ok() ? seq->value_or(0) : 0;
  }

  void Commit(rocksdb::WriteBatch* batch) {
    absl::Status status = store_->Write(batch);
    ASSERT_TRUE(status.ok()) << status;
    inbox_->CommitStaged();
  }

  // Delivers each judgment to `unit` in a batch of its own.
  void Deliver(const std::string& unit, const std::vector<Judgment>& judgments) {
    for (const Judgment& judgment : judgments) {
      rocksdb::WriteBatch batch;
      EXPECT_NE(Stage(unit, judgment, &batch), 0u) << judgment.judgment_id();
      Commit(&batch);
    }
  }

  uint64_t LastSeq(const std::string& unit) {
    absl::StatusOr<uint64_t> seq = inbox_->LastSeq(unit);
    EXPECT_TRUE(seq.ok()) << seq.status();
    return seq.ok() ? *seq : ~uint64_t{0};
  }

  std::vector<Delivery> Read(const std::string& unit, uint64_t after_seq, size_t limit) {
    absl::StatusOr<std::vector<Delivery>> deliveries = inbox_->ReadAfter(unit, after_seq, limit);
    EXPECT_TRUE(deliveries.ok()) << deliveries.status();
    return deliveries.ok() ? *deliveries : std::vector<Delivery>();
  }

 private:
  std::filesystem::path path_;
  std::shared_ptr<FakeClock> clock_;
  StorePtr store_;
  std::unique_ptr<Inbox> inbox_;
};

Judgment MakeJudgment(const std::string& id) {
  Judgment judgment;
  judgment.set_judgment_id(id);
  judgment.set_rule_id("watchlist-hit");
  judgment.set_jurisdiction_code("451421");
  judgment.set_severity(infobus::common::v1::SEVERITY_HIGH);
  return judgment;
}

std::vector<uint64_t> Seqs(const std::vector<Delivery>& deliveries) {
  std::vector<uint64_t> seqs;
  for (const Delivery& delivery : deliveries) seqs.push_back(delivery.seq());
  return seqs;
}

std::vector<std::string> JudgmentIds(const std::vector<Delivery>& deliveries) {
  std::vector<std::string> ids;
  for (const Delivery& delivery : deliveries) ids.push_back(delivery.judgment().judgment_id());
  return ids;
}

TEST(Inbox, SeqsStartAtOneAndAreIndependentPerUnit) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.LastSeq("fusui-psb"), 0u);

  rocksdb::WriteBatch batch;
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j1"), &batch), 1u);
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j2"), &batch), 2u);
  EXPECT_EQ(h.Stage("chongzuo-ops", MakeJudgment("j1"), &batch), 1u);
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j3"), &batch), 3u);
  EXPECT_EQ(h.Stage("chongzuo-ops", MakeJudgment("j3"), &batch), 2u);
  h.Commit(&batch);

  EXPECT_EQ(h.LastSeq("fusui-psb"), 3u);
  EXPECT_EQ(h.LastSeq("chongzuo-ops"), 2u);
  EXPECT_EQ(h.LastSeq("guangxi-ops"), 0u);

  rocksdb::WriteBatch next;
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j4"), &next), 4u);
  EXPECT_EQ(h.Stage("guangxi-ops", MakeJudgment("j4"), &next), 1u);
  h.Commit(&next);
  EXPECT_EQ(h.LastSeq("fusui-psb"), 4u);
  EXPECT_EQ(h.LastSeq("guangxi-ops"), 1u);
}

TEST(Inbox, StagedDeliveriesAreInvisibleUntilCommitted) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  rocksdb::WriteBatch batch;
  ASSERT_EQ(h.Stage("fusui-psb", MakeJudgment("j1"), &batch), 1u);
  EXPECT_THAT(h.Read("fusui-psb", 0, 10), IsEmpty());
  EXPECT_EQ(h.LastSeq("fusui-psb"), 0u);
  h.Commit(&batch);
  EXPECT_THAT(JudgmentIds(h.Read("fusui-psb", 0, 10)), ElementsAre("j1"));
  EXPECT_EQ(h.LastSeq("fusui-psb"), 1u);
}

TEST(Inbox, SameJudgmentStagedTwiceInOneBatchIsDeliveredOnce) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  rocksdb::WriteBatch batch;
  absl::StatusOr<std::optional<uint64_t>> first =
      h.inbox().Stage("fusui-psb", MakeJudgment("j1"), &batch);
  absl::StatusOr<std::optional<uint64_t>> second =
      h.inbox().Stage("fusui-psb", MakeJudgment("j1"), &batch);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(*first, Optional(uint64_t{1}));
  EXPECT_EQ(*second, std::nullopt);
  // Another unit still gets it, and the next judgment takes the next seq with no gap.
  EXPECT_EQ(h.Stage("chongzuo-ops", MakeJudgment("j1"), &batch), 1u);
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j2"), &batch), 2u);
  h.Commit(&batch);
  EXPECT_THAT(Seqs(h.Read("fusui-psb", 0, 10)), ElementsAre(1, 2));
}

TEST(Inbox, CommittedJudgmentIsNotDeliveredAgain) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1")});

  rocksdb::WriteBatch batch;
  absl::StatusOr<std::optional<uint64_t>> again =
      h.inbox().Stage("fusui-psb", MakeJudgment("j1"), &batch);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, std::nullopt);
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j2"), &batch), 2u);
  h.Commit(&batch);
  EXPECT_THAT(JudgmentIds(h.Read("fusui-psb", 0, 10)), ElementsAre("j1", "j2"));
}

TEST(Inbox, AbortedStagingReusesTheSeqAndForgetsTheJudgments) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1")});
  {
    rocksdb::WriteBatch dropped;
    EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j2"), &dropped), 2u);
    EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j3"), &dropped), 3u);
    h.inbox().AbortStaged();  // the batch is never written
  }
  rocksdb::WriteBatch batch;
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j3"), &batch), 2u);
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j2"), &batch), 3u);
  h.Commit(&batch);
  const std::vector<Delivery> deliveries = h.Read("fusui-psb", 0, 10);
  EXPECT_THAT(Seqs(deliveries), ElementsAre(1, 2, 3));
  EXPECT_THAT(JudgmentIds(deliveries), ElementsAre("j1", "j3", "j2"));
}

TEST(Inbox, ReadAfterPagesInSeqOrder) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1"), MakeJudgment("j2"), MakeJudgment("j3"),
                          MakeJudgment("j4"), MakeJudgment("j5")});

  EXPECT_THAT(Seqs(h.Read("fusui-psb", 0, 2)), ElementsAre(1, 2));
  EXPECT_THAT(Seqs(h.Read("fusui-psb", 2, 2)), ElementsAre(3, 4));
  EXPECT_THAT(Seqs(h.Read("fusui-psb", 4, 2)), ElementsAre(5));
  EXPECT_THAT(h.Read("fusui-psb", 5, 2), IsEmpty());
  EXPECT_THAT(h.Read("fusui-psb", 0, 0), IsEmpty());
  EXPECT_THAT(JudgmentIds(h.Read("fusui-psb", 1, 100)), ElementsAre("j2", "j3", "j4", "j5"));
}

TEST(Inbox, ReadAfterPassesSeq255To256InNumericOrder) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  rocksdb::WriteBatch batch;
  for (int i = 1; i <= 258; ++i) {
    ASSERT_EQ(h.Stage("fusui-psb", MakeJudgment("j" + std::to_string(i)), &batch),
              static_cast<uint64_t>(i));
  }
  h.Commit(&batch);
  EXPECT_THAT(Seqs(h.Read("fusui-psb", 254, 10)), ElementsAre(255, 256, 257, 258));
}

// Regression: seeking to after_seq + 1 wrapped to seq 0 for after_seq = UINT64_MAX and returned
// the whole inbox instead of nothing; after_seq comes unchecked from SubscribeRequest.
TEST(Inbox, ReadAfterTheLargestSeqReturnsNothing) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1"), MakeJudgment("j2")});
  EXPECT_THAT(Seqs(h.Read("fusui-psb", std::numeric_limits<uint64_t>::max(), 10)), IsEmpty());
  EXPECT_THAT(Seqs(h.Read("fusui-psb", std::numeric_limits<uint64_t>::max() - 1, 10)), IsEmpty());
}

TEST(Inbox, ReadAfterStaysWithinTheUnitEvenWhenIdsSharePrefixes) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui", {MakeJudgment("a1")});
  h.Deliver("fusui-psb", {MakeJudgment("b1"), MakeJudgment("b2")});
  h.Deliver("fus", {MakeJudgment("c1")});
  EXPECT_THAT(JudgmentIds(h.Read("fusui", 0, 10)), ElementsAre("a1"));
  EXPECT_THAT(JudgmentIds(h.Read("fusui-psb", 0, 10)), ElementsAre("b1", "b2"));
  EXPECT_THAT(JudgmentIds(h.Read("fus", 0, 10)), ElementsAre("c1"));
  EXPECT_THAT(h.Read("fu", 0, 10), IsEmpty());
}

TEST(Inbox, DeliveryRecordsUnitSeqJudgmentAndTime) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.clock().Advance(absl::Seconds(30));
  Judgment judgment = MakeJudgment("j1");
  judgment.set_title("Watchlist hit");
  h.Deliver("fusui-psb", {MakeJudgment("j0"), judgment});

  const std::vector<Delivery> deliveries = h.Read("fusui-psb", 1, 10);
  ASSERT_EQ(deliveries.size(), 1u);
  const Delivery& delivery = deliveries[0];
  EXPECT_EQ(delivery.delivery_id(), "fusui-psb/2");
  EXPECT_EQ(delivery.unit_id(), "fusui-psb");
  EXPECT_EQ(delivery.seq(), 2u);
  EXPECT_EQ(delivery.judgment().judgment_id(), "j1");
  EXPECT_EQ(delivery.judgment().title(), "Watchlist hit");
  EXPECT_EQ(delivery.status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
  EXPECT_EQ(FromProtoTimestamp(delivery.delivered_at()), kStart + absl::Seconds(30));
  EXPECT_FALSE(delivery.has_acknowledged_at());
  EXPECT_EQ(delivery.acknowledged_by(), "");
}

TEST(Inbox, AcknowledgeSignsOffOnceAndKeepsTheFirstSigner) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1"), MakeJudgment("j2")});
  h.clock().Advance(absl::Minutes(2));

  absl::StatusOr<Inbox::AckResult> first = h.inbox().Acknowledge("fusui-psb", 2, "officer-0417");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->already_acknowledged);
  EXPECT_EQ(first->delivery.seq(), 2u);
  EXPECT_EQ(first->delivery.judgment().judgment_id(), "j2");
  EXPECT_EQ(first->delivery.status(), infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(FromProtoTimestamp(first->delivery.acknowledged_at()), kStart + absl::Minutes(2));
  EXPECT_EQ(first->delivery.acknowledged_by(), "officer-0417");

  h.clock().Advance(absl::Minutes(5));
  absl::StatusOr<Inbox::AckResult> second = h.inbox().Acknowledge("fusui-psb", 2, "officer-9999");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->already_acknowledged);
  EXPECT_EQ(second->delivery.status(), infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(second->delivery.acknowledged_by(), "officer-0417");
  EXPECT_EQ(FromProtoTimestamp(second->delivery.acknowledged_at()), kStart + absl::Minutes(2));

  // The sign-off is stored; the other delivery is untouched.
  const std::vector<Delivery> stored = h.Read("fusui-psb", 0, 10);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
  EXPECT_EQ(stored[0].acknowledged_by(), "");
  EXPECT_EQ(stored[1].status(), infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(stored[1].acknowledged_by(), "officer-0417");
  EXPECT_EQ(FromProtoTimestamp(stored[1].acknowledged_at()), kStart + absl::Minutes(2));
}

// A sign-off waiting for its dispatch event to reach Kafka holds up only its own delivery: other
// deliveries are signed off meanwhile, and the same delivery's second sign-off waits and then
// finds it signed.
TEST(Inbox, ASignOffWaitingForKafkaDoesNotHoldUpOtherDeliveries) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1"), MakeJudgment("j2")});
  h.Deliver("pingxiang-psb", {MakeJudgment("j1")});

  absl::Notification emitting, release;
  std::thread slow([&] {
    auto result = h.inbox().Acknowledge("fusui-psb", 1, "officer-1", [&](const Delivery&) {
      emitting.Notify();
      release.WaitForNotification();  // Kafka is slow to answer
      return absl::OkStatus();
    });
    EXPECT_TRUE(result.ok()) << result.status();
  });
  emitting.WaitForNotification();

  absl::Notification others_done;
  std::thread others([&] {
    EXPECT_TRUE(h.inbox().Acknowledge("fusui-psb", 2, "officer-2").ok());
    EXPECT_TRUE(h.inbox().Acknowledge("pingxiang-psb", 1, "officer-3").ok());
    auto signed_off = h.inbox().SignedOffBy("pingxiang-psb", 1, kStart + absl::Hours(1));
    EXPECT_TRUE(signed_off.ok() && *signed_off == Inbox::SignOff::kSignedInTime);
    others_done.Notify();
  });
  const bool not_held_up = others_done.WaitForNotificationWithTimeout(absl::Seconds(20));
  release.Notify();
  others.join();
  slow.join();
  EXPECT_TRUE(not_held_up) << "other deliveries waited for the slow sign-off";

  auto again = h.inbox().Acknowledge("fusui-psb", 1, "officer-9");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_acknowledged);
  EXPECT_EQ(again->delivery.acknowledged_by(), "officer-1");
}

TEST(Inbox, AcknowledgeOfUnknownSeqIsNotFound) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1")});
  EXPECT_EQ(h.inbox().Acknowledge("fusui-psb", 2, "officer-0417").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h.inbox().Acknowledge("fusui-psb", 0, "officer-0417").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h.inbox().Acknowledge("chongzuo-ops", 1, "officer-0417").status().code(),
            absl::StatusCode::kNotFound);
  // A staged but uncommitted delivery cannot be signed off either.
  rocksdb::WriteBatch batch;
  ASSERT_EQ(h.Stage("fusui-psb", MakeJudgment("j2"), &batch), 2u);
  EXPECT_EQ(h.inbox().Acknowledge("fusui-psb", 2, "officer-0417").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Inbox, ReopenedStoreContinuesTheSequenceAndRemembersJudgments) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1"), MakeJudgment("j2")});
  h.Deliver("chongzuo-ops", {MakeJudgment("j1")});
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 1, "officer-0417").ok());

  h.Reopen();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.LastSeq("fusui-psb"), 2u);
  EXPECT_EQ(h.LastSeq("chongzuo-ops"), 1u);

  rocksdb::WriteBatch batch;
  absl::StatusOr<std::optional<uint64_t>> old =
      h.inbox().Stage("fusui-psb", MakeJudgment("j2"), &batch);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(*old, std::nullopt);
  EXPECT_EQ(h.Stage("fusui-psb", MakeJudgment("j3"), &batch), 3u);
  EXPECT_EQ(h.Stage("chongzuo-ops", MakeJudgment("j3"), &batch), 2u);
  h.Commit(&batch);

  const std::vector<Delivery> deliveries = h.Read("fusui-psb", 0, 10);
  EXPECT_THAT(Seqs(deliveries), ElementsAre(1, 2, 3));
  EXPECT_THAT(JudgmentIds(deliveries), ElementsAre("j1", "j2", "j3"));
  ASSERT_EQ(deliveries.size(), 3u);
  EXPECT_EQ(deliveries[0].acknowledged_by(), "officer-0417");
}

TEST(Inbox, FeedbackIsRecordedOnceWithWhoAndWhen) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1")});
  h.clock().Advance(absl::Minutes(30));
  Feedback feedback;
  feedback.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED);
  feedback.set_note("taken at the Xinning bus station");
  feedback.set_given_by("officer-0417");
  int emitted = 0;
  auto count = [&](const Delivery& after) {
    ++emitted;
    EXPECT_EQ(after.status(), infobus::common::v1::DELIVERY_STATUS_FEEDBACK);
    return absl::OkStatus();
  };
  absl::StatusOr<Inbox::FeedbackResult> first =
      h.inbox().RecordFeedback("fusui-psb", 1, feedback, count);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->already_recorded);
  EXPECT_EQ(FromProtoTimestamp(first->delivery.feedback().given_at()), kStart + absl::Minutes(30));

  Feedback other = feedback;
  other.set_outcome(infobus::common::v1::FEEDBACK_OUTCOME_NOT_FOUND);
  h.clock().Advance(absl::Minutes(1));
  absl::StatusOr<Inbox::FeedbackResult> second =
      h.inbox().RecordFeedback("fusui-psb", 1, other, count);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->already_recorded);
  EXPECT_EQ(second->delivery.feedback().outcome(),
            infobus::common::v1::FEEDBACK_OUTCOME_APPREHENDED);
  EXPECT_EQ(emitted, 1);

  const Delivery stored = h.Read("fusui-psb", 0, 10)[0];
  EXPECT_EQ(stored.status(), infobus::common::v1::DELIVERY_STATUS_FEEDBACK);
  EXPECT_EQ(stored.feedback().note(), "taken at the Xinning bus station");
  EXPECT_EQ(stored.feedback().given_by(), "officer-0417");
  EXPECT_EQ(h.inbox().RecordFeedback("fusui-psb", 2, feedback).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Inbox, AFailedEmitRecordsNothing) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {MakeJudgment("j1")});
  auto fail = [](const Delivery&) { return absl::UnavailableError("Kafka is down"); };
  EXPECT_EQ(h.inbox().Acknowledge("fusui-psb", 1, "officer-0417", fail).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(h.Read("fusui-psb", 0, 10)[0].status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
  // A retry once Kafka is back goes through.
  absl::StatusOr<Inbox::AckResult> retry = h.inbox().Acknowledge("fusui-psb", 1, "officer-0417");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->already_acknowledged);
}

TEST(Inbox, ListFiltersByStatusAndTimeAndPages) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  for (int i = 1; i <= 6; ++i) {
    h.Deliver("fusui-psb", {MakeJudgment("j" + std::to_string(i))});
    h.clock().Advance(absl::Minutes(1));
  }
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 2, "a").ok());
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 5, "a").ok());

  Inbox::ListFilter pending;
  pending.statuses = {infobus::common::v1::DELIVERY_STATUS_PENDING};
  absl::StatusOr<Inbox::ListPage> page = h.inbox().List("fusui-psb", pending, 0, 10, 100);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Seqs(page->deliveries), ElementsAre(1, 3, 4, 6));
  EXPECT_EQ(page->next_after_seq, 0u);

  // Two at a time: the token carries on where the page stopped.
  page = h.inbox().List("fusui-psb", pending, 0, 2, 100);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Seqs(page->deliveries), ElementsAre(1, 3));
  EXPECT_EQ(page->next_after_seq, 3u);
  page = h.inbox().List("fusui-psb", pending, 3, 2, 100);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Seqs(page->deliveries), ElementsAre(4, 6));

  // Delivered in [+1m, +3m): seqs 2 and 3.
  Inbox::ListFilter window;
  window.delivered_after = kStart + absl::Minutes(1);
  window.delivered_before = kStart + absl::Minutes(3);
  page = h.inbox().List("fusui-psb", window, 0, 10, 100);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Seqs(page->deliveries), ElementsAre(2, 3));

  // A scan limit returns a partial (even empty) page with a token to go on.
  Inbox::ListFilter acked;
  acked.statuses = {infobus::common::v1::DELIVERY_STATUS_ACKNOWLEDGED};
  page = h.inbox().List("fusui-psb", acked, 2, 10, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Seqs(page->deliveries), IsEmpty());
  EXPECT_EQ(page->next_after_seq, 4u);
  page = h.inbox().List("fusui-psb", acked, 4, 10, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Seqs(page->deliveries), ElementsAre(5));
}

}  // namespace
}  // namespace infobus::dispatch
