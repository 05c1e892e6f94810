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
    inbox_->Committed();
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
    h.inbox().Aborted();  // the batch is never written
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

// Closure by approval.

Judgment NeedingApproval(const std::string& id) {
  Judgment judgment = MakeJudgment(id);
  judgment.set_needs_approval(true);
  return judgment;
}

// Delivers `judgment` to fusui-psb with a sign-off deadline of `within` from now.
void DeliverWithDeadline(InboxHarness& h, const Judgment& judgment, absl::Duration within) {
  rocksdb::WriteBatch batch;
  Inbox::StageOptions options;
  options.sign_off_within = within;
  auto staged = h.inbox().StageDelivery("fusui-psb", judgment, options, &batch);
  ASSERT_TRUE(staged.ok() && staged->created) << staged.status();
  h.Commit(&batch);
}

Feedback Outcome(infobus::common::v1::FeedbackOutcome outcome, const std::string& note) {
  Feedback feedback;
  feedback.set_outcome(outcome);
  feedback.set_note(note);
  feedback.set_given_by("officer-0417");
  return feedback;
}

Inbox::SignOff SignOffOf(InboxHarness& h, const std::string& unit, uint64_t seq, absl::Time due) {
  auto state = h.inbox().SignedOffBy(unit, seq, due);
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? *state : Inbox::SignOff::kDeciding;
}

Approval Decision(const std::string& by, const std::string& note) {
  Approval decision;
  decision.set_decided_by(by);
  decision.set_note(note);
  return decision;
}

TEST(Inbox, ApprovalClosesFeedbackOnceAndOnlyWhereTheJudgmentNeedsIt) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  h.Deliver("fusui-psb", {NeedingApproval("petition-1"), MakeJudgment("hit-2")});
  // Nothing to decide on before the unit reports, nor where the rule did not ask for approval.
  EXPECT_EQ(h.inbox().Approve("fusui-psb", 1, Decision("li", "")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.inbox().SendBack("fusui-psb", 1, Decision("li", "again")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const Feedback answered =
      Outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "answered the petitioner");
  ASSERT_TRUE(h.inbox().RecordFeedback("fusui-psb", 2, answered).ok());
  const auto not_needed = h.inbox().Approve("fusui-psb", 2, Decision("li", ""));
  EXPECT_EQ(not_needed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(not_needed.status().message()), ::testing::HasSubstr("not need"));
  EXPECT_EQ(h.inbox().Approve("fusui-psb", 9, Decision("li", "")).status().code(),
            absl::StatusCode::kNotFound);

  ASSERT_TRUE(h.inbox().RecordFeedback("fusui-psb", 1, answered).ok());
  h.clock().Advance(absl::Minutes(5));
  int emitted = 0;
  auto count = [&](const Delivery& after) {
    ++emitted;
    EXPECT_EQ(after.status(), infobus::common::v1::DELIVERY_STATUS_APPROVED);
    return absl::OkStatus();
  };
  auto approved = h.inbox().Approve("fusui-psb", 1, Decision("li", "well answered"), count);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_FALSE(approved->already_approved);
  const Approval& approval = approved->delivery.approval();
  EXPECT_EQ(approval.status(), infobus::common::v1::APPROVAL_STATUS_APPROVED);
  EXPECT_EQ(approval.decided_by(), "li");
  EXPECT_EQ(approval.note(), "well answered");
  EXPECT_EQ(FromProtoTimestamp(approval.decided_at()), kStart + absl::Minutes(5));
  EXPECT_EQ(approval.feedback().note(), "answered the petitioner");

  // The first approval stands; an approval is final.
  auto again = h.inbox().Approve("fusui-psb", 1, Decision("zhou", "fine"), count);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_approved);
  EXPECT_EQ(again->delivery.approval().decided_by(), "li");
  EXPECT_EQ(emitted, 1);
  EXPECT_EQ(h.inbox().SendBack("fusui-psb", 1, Decision("li", "no")).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // Listed as approved, not as feedback; a reopened store reads the same.
  h.Reopen();
  Inbox::ListFilter filter;
  filter.statuses = {infobus::common::v1::DELIVERY_STATUS_APPROVED};
  auto page = h.inbox().List("fusui-psb", filter, 0, 10, 100);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Seqs(page->deliveries), ElementsAre(1u));
  filter.statuses = {infobus::common::v1::DELIVERY_STATUS_FEEDBACK};
  page = h.inbox().List("fusui-psb", filter, 0, 10, 100);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Seqs(page->deliveries), ElementsAre(2u));
}

TEST(Inbox, SendBackReopensTheDeliveryWithARenewedDeadlineForANewRound) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  DeliverWithDeadline(h, NeedingApproval("petition-1"), absl::Hours(1));
  const absl::Time first_due = kStart + absl::Hours(1);
  h.clock().Advance(absl::Minutes(20));
  ASSERT_TRUE(h.inbox().Acknowledge("fusui-psb", 1, "officer-0417").ok());
  h.clock().Advance(absl::Minutes(10));
  ASSERT_TRUE(h.inbox()
                  .RecordFeedback("fusui-psb", 1,
                                  Outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "told"))
                  .ok());
  h.clock().Advance(absl::Minutes(10));  // 40 min in: the first deadline has not fired
  const absl::Time sent_back_at = h.clock().Now();

  int emitted = 0;
  auto count = [&](const Delivery& after) {
    ++emitted;
    EXPECT_EQ(after.status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
    return absl::OkStatus();
  };
  auto sent = h.inbox().SendBack("fusui-psb", 1, Decision("li", "call the petitioner"), count);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_FALSE(sent->already_sent_back);
  EXPECT_TRUE(sent->cleared_sign_off);
  for (const Delivery& delivery : {sent->delivery, h.Read("fusui-psb", 0, 1)[0]}) {
    EXPECT_EQ(delivery.status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
    EXPECT_FALSE(delivery.has_acknowledged_at());
    EXPECT_FALSE(delivery.has_feedback());
    EXPECT_EQ(delivery.sent_back_count(), 1u);
    EXPECT_EQ(delivery.approval().status(), infobus::common::v1::APPROVAL_STATUS_SENT_BACK);
    EXPECT_EQ(delivery.approval().note(), "call the petitioner");
    EXPECT_EQ(delivery.approval().feedback().note(), "told");  // what was sent back
    // As long as before (1h), from the send-back.
    EXPECT_EQ(FromProtoTimestamp(delivery.deadline()), sent_back_at + absl::Hours(1));
  }
  // The first deadline is gone (and, read before it went, decides nothing); the renewed one is
  // open and nobody has signed this round.
  auto due = h.inbox().DueDeadlines(first_due + absl::Minutes(1), 10);
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_THAT(*due, IsEmpty());
  EXPECT_EQ(SignOffOf(h, "fusui-psb", 1, first_due), Inbox::SignOff::kSuperseded);
  const absl::Time renewed = sent_back_at + absl::Hours(1);
  due = h.inbox().DueDeadlines(renewed + absl::Seconds(1), 10);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].due, renewed);
  EXPECT_EQ(SignOffOf(h, "fusui-psb", 1, renewed), Inbox::SignOff::kNotSigned);

  // A retry of the same send-back changes nothing; another one has no new feedback to act on.
  auto retry = h.inbox().SendBack("fusui-psb", 1, Decision("li", "call the petitioner"), count);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->already_sent_back);
  EXPECT_EQ(emitted, 1);
  EXPECT_EQ(h.inbox().SendBack("fusui-psb", 1, Decision("li", "other")).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // The unit reports again: the first report of the new round stands and is in time.
  h.clock().Advance(absl::Minutes(30));
  auto again = h.inbox().RecordFeedback(
      "fusui-psb", 1, Outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "called her"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->already_recorded);
  EXPECT_EQ(again->delivery.status(), infobus::common::v1::DELIVERY_STATUS_FEEDBACK);
  EXPECT_EQ(SignOffOf(h, "fusui-psb", 1, renewed), Inbox::SignOff::kSignedInTime);

  // Sent back a second time: the same length again, from then.
  h.clock().Advance(absl::Minutes(5));
  auto second = h.inbox().SendBack("fusui-psb", 1, Decision("li", "in writing"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->cleared_sign_off);  // this round was not signed off
  EXPECT_EQ(second->delivery.sent_back_count(), 2u);
  EXPECT_EQ(FromProtoTimestamp(second->delivery.deadline()), h.clock().Now() + absl::Hours(1));
  h.Reopen();
  EXPECT_EQ(h.Read("fusui-psb", 0, 1)[0].sent_back_count(), 2u);
}

TEST(Inbox, AnEscalationOfAnEarlierRoundDoesNotKeepASentBackDeliveryEscalated) {
  InboxHarness h;
  ASSERT_TRUE(h.ok());
  DeliverWithDeadline(h, NeedingApproval("petition-1"), absl::Hours(1));
  // Overdue: escalated, then the unit reports late, and its supervisor sends it back.
  h.clock().Advance(absl::Hours(2));
  auto due = h.inbox().DueDeadlines(h.clock().Now(), 10);
  ASSERT_TRUE(due.ok() && due->size() == 1) << due.status();
  infobus::dispatch::storage::v1::EscalationRecord escalation;
  *escalation.mutable_escalated_at() = ToProtoTimestamp(h.clock().Now());
  escalation.set_escalated_to("chongzuo-ops/1");
  rocksdb::WriteBatch batch;
  h.inbox().StageDeadlineDone((*due)[0], escalation, &batch);
  h.Commit(&batch);
  ASSERT_TRUE(h.inbox()
                  .RecordFeedback("fusui-psb", 1,
                                  Outcome(infobus::common::v1::FEEDBACK_OUTCOME_HANDLED, "late"))
                  .ok());
  auto sent = h.inbox().SendBack("fusui-psb", 1, Decision("li", "again"));
  ASSERT_TRUE(sent.ok()) << sent.status();
  Delivery read = h.Read("fusui-psb", 0, 1)[0];
  EXPECT_EQ(read.status(), infobus::common::v1::DELIVERY_STATUS_PENDING);
  EXPECT_EQ(read.escalated_to(), "chongzuo-ops/1");  // history stays

  // Overdue again in the new round: escalated again.
  h.clock().Advance(absl::Hours(2));
  due = h.inbox().DueDeadlines(h.clock().Now(), 10);
  ASSERT_TRUE(due.ok() && due->size() == 1) << due.status();
  EXPECT_EQ(SignOffOf(h, "fusui-psb", 1, (*due)[0].due), Inbox::SignOff::kNotSigned);
  *escalation.mutable_escalated_at() = ToProtoTimestamp(h.clock().Now());
  rocksdb::WriteBatch again;
  h.inbox().StageDeadlineDone((*due)[0], escalation, &again);
  h.Commit(&again);
  EXPECT_EQ(h.Read("fusui-psb", 0, 1)[0].status(), infobus::common::v1::DELIVERY_STATUS_ESCALATED);
}

}  // namespace
}  // namespace infobus::dispatch
