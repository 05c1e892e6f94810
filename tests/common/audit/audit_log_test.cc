// Access records: what a record says, and that a record that cannot be kept is reported as
// such (the callers then refuse the access), against a producer whose broker is gone.
#include "common/audit/audit_log.h"

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/audit/stream_audit.h"

namespace infobus::audit {
namespace {

security::Principal Analyst() {
  security::Principal caller;
  caller.id = "analyst-4514";
  caller.roles = {security::Role::kAnalyst};
  caller.unit_id = "chongzuo-ops";
  return caller;
}

TEST(AuditRecordTest, SaysWhoDidWhatToWhichItemAndTheDecision) {
  const Item item{"judgment", "j-1", infobus::common::v1::CLASSIFICATION_SECRET};
  AuditRecord denied = NewRecord(Analyst(), "judgment", "JudgmentService/GetJudgment", item,
                                 absl::PermissionDeniedError("clearance is below"),
                                 absl::FromUnixSeconds(1767225600));
  EXPECT_EQ(denied.subject(), "analyst-4514");
  ASSERT_EQ(denied.roles_size(), 1);
  EXPECT_EQ(denied.roles(0), "analyst");
  EXPECT_EQ(denied.unit_id(), "chongzuo-ops");
  EXPECT_EQ(denied.service(), "judgment");
  EXPECT_EQ(denied.method(), "JudgmentService/GetJudgment");
  EXPECT_EQ(denied.item_kind(), "judgment");
  EXPECT_EQ(denied.item_id(), "j-1");
  EXPECT_EQ(denied.item_classification(), infobus::common::v1::CLASSIFICATION_SECRET);
  EXPECT_EQ(denied.decision(), infobus::common::v1::AUDIT_DECISION_DENIED);
  EXPECT_EQ(denied.reason(), "clearance is below");
  EXPECT_EQ(denied.at().seconds(), 1767225600);
  EXPECT_FALSE(denied.audit_id().empty());
  AuditRecord allowed = NewRecord(Analyst(), "judgment", "JudgmentService/GetJudgment", item,
                                  absl::OkStatus(), absl::Now());
  EXPECT_EQ(allowed.decision(), infobus::common::v1::AUDIT_DECISION_ALLOWED);
  EXPECT_TRUE(allowed.reason().empty());
  EXPECT_NE(allowed.audit_id(), denied.audit_id());
}

TEST(AuditRecordTest, OnlyConfidentialAndSecretAreClassified) {
  EXPECT_FALSE(IsClassified(infobus::common::v1::CLASSIFICATION_UNSPECIFIED));
  EXPECT_FALSE(IsClassified(infobus::common::v1::CLASSIFICATION_PUBLIC));
  EXPECT_FALSE(IsClassified(infobus::common::v1::CLASSIFICATION_INTERNAL));
  EXPECT_TRUE(IsClassified(infobus::common::v1::CLASSIFICATION_CONFIDENTIAL));
  EXPECT_TRUE(IsClassified(infobus::common::v1::CLASSIFICATION_SECRET));
}

class UnkeptAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No broker listens on port 1: every record fails once its message timeout passes.
    auto producer = kafka::Producer::Create("127.0.0.1:1", {{"message.timeout.ms", "500"}});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
    log_ = std::make_unique<AuditLog>(producer_.get(), "infobus.audit.v1", "judgment");
  }
  AuditRecord Record() {
    return NewRecord(Analyst(), "judgment", "JudgmentService/GetJudgment",
                     {"judgment", "j-1", infobus::common::v1::CLASSIFICATION_SECRET},
                     absl::OkStatus(), absl::Now());
  }
  kafka::ProducerPtr producer_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(UnkeptAuditTest, ARecordThatCannotBeKeptIsReportedUnavailable) {
  absl::Notification done;
  absl::Status answer;
  log_->Record({Record(), Record()}, [&](absl::Status kept) {
    answer = kept;
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(answer.code(), absl::StatusCode::kUnavailable) << answer;
  EXPECT_NE(answer.message().find("not granted"), absl::string_view::npos) << answer;

  const absl::Status now = log_->RecordNow({Record()});
  EXPECT_EQ(now.code(), absl::StatusCode::kUnavailable) << now;
}

TEST_F(UnkeptAuditTest, NoRecordsNeedNoBroker) {
  bool called = false;
  log_->Record({}, [&](absl::Status kept) {
    EXPECT_TRUE(kept.ok());
    called = true;
  });
  EXPECT_TRUE(called);
  EXPECT_TRUE(log_->RecordNow({}).ok());
}

TEST_F(UnkeptAuditTest, AStreamLearnsOfTheFailureAndAClosedStreamHearsNothing) {
  StreamAudit open(log_.get());
  absl::Notification failed;
  absl::Status answer;
  std::optional<absl::Status> at_once = open.Send({Record()}, [&](absl::Status kept) {
    answer = kept;
    failed.Notify();
  });
  EXPECT_FALSE(at_once.has_value());
  ASSERT_TRUE(failed.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(answer.code(), absl::StatusCode::kUnavailable);

  StreamAudit closed(log_.get());
  std::atomic<bool> heard{false};
  closed.Send({Record()}, [&](absl::Status) { heard = true; });
  closed.Close();
  // The failure report comes after the message timeout; a flush returns once it was served.
  (void)producer_->Flush(absl::Seconds(10));
  EXPECT_FALSE(heard.load()) << "a closed stream was called back";
}

// A stream's page hold-back: sent at once without records, held while they are written, and the
// stream told to finish when they cannot be kept (the page never sent).
TEST_F(UnkeptAuditTest, APageIsHeldUntilItsRecordsAreKeptAndDroppedWhenTheyCannotBe) {
  AuditedPages<int> pages(log_.get());
  std::deque<int> buffer;
  EXPECT_EQ(pages.Check(buffer), AuditedPages<int>::Next::kRead);
  EXPECT_EQ(pages.Offer({1, 2}, {}, buffer, [](absl::Status) {}), AuditedPages<int>::Next::kSend);
  EXPECT_EQ(buffer, (std::deque<int>{1, 2})) << "a page without records goes out at once";
  buffer.clear();

  absl::Notification answered;
  absl::Status kept;
  EXPECT_EQ(pages.Offer({3}, {Record()}, buffer,
                        [&](absl::Status status) {
                          kept = status;
                          answered.Notify();
                        }),
            AuditedPages<int>::Next::kWait);
  EXPECT_TRUE(buffer.empty()) << "a page went out before its records were kept";
  EXPECT_EQ(pages.Check(buffer), AuditedPages<int>::Next::kWait);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  pages.Kept(kept);
  EXPECT_EQ(pages.Check(buffer), AuditedPages<int>::Next::kFail);
  EXPECT_EQ(pages.failure().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(buffer.empty()) << "an unaccounted page was sent";
}

TEST_F(UnkeptAuditTest, AKeptPageIsReleasedOnce) {
  AuditedPages<int> pages(log_.get());
  std::deque<int> buffer;
  ASSERT_EQ(pages.Offer({3, 4}, {Record()}, buffer, [](absl::Status) {}),
            AuditedPages<int>::Next::kWait);
  pages.Close();                 // the log's own (failing) answer is never heard
  pages.Kept(absl::OkStatus());  // as the stream's on_kept does when the records are kept
  EXPECT_EQ(pages.Check(buffer), AuditedPages<int>::Next::kSend);
  EXPECT_EQ(buffer, (std::deque<int>{3, 4}));
  EXPECT_EQ(pages.Check(buffer), AuditedPages<int>::Next::kRead) << "a page released twice";
}

}  // namespace
}  // namespace infobus::audit
