// Producer::ProduceAll over a producer in memory (FakeProducer): one status per message, in
// order, and a wait that a stopping caller can cut short while reports are still due.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/kafka/producer.h"
#include "tests/support/fake_producer.h"

namespace infobus::kafka {
namespace {

using infobus::testing::FakeProducer;

std::vector<OutgoingMessage> Messages(int count) {
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < count; ++i) messages.push_back({"topic", "key", "value", {}});
  return messages;
}

TEST(ProduceAllTest, EachMessageGetsItsOwnDeliveryReport) {
  FakeProducer producer;
  const std::vector<absl::Status> sent = producer.ProduceAll(Messages(3));
  ASSERT_EQ(sent.size(), 3u);
  for (const absl::Status& status : sent) EXPECT_TRUE(status.ok()) << status;

  producer.set_mode(FakeProducer::Mode::kFail);
  for (const absl::Status& status : producer.ProduceAll(Messages(2))) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  }
}

// The broker is gone and the reports would come only at message.timeout.ms: a stop cuts the
// wait short once its grace is out, and what was not reported is CANCELLED (not kept), never OK.
TEST(ProduceAllTest, ACancelledWaitReturnsWithWhatIsNotReportedCancelled) {
  FakeProducer producer(FakeProducer::Mode::kHold);
  std::atomic<bool> stopping{false};
  std::vector<absl::Status> sent;
  absl::Notification returned;
  std::thread produce([&] {
    sent = producer.ProduceAll(Messages(2), &stopping, absl::Milliseconds(300));
    returned.Notify();
  });
  producer.AwaitHeld(2);  // both are queued and held: the wait is on
  EXPECT_FALSE(returned.WaitForNotificationWithTimeout(Producer::kCancelCheck * 3))
      << "returned before its reports or a cancellation";
  stopping = true;
  const bool in_time = returned.WaitForNotificationWithTimeout(absl::Seconds(30));
  EXPECT_TRUE(in_time) << "still waiting 30 s after the cancellation";
  producer.Release();  // the reports come late, into a wait that is over
  produce.join();
  ASSERT_EQ(sent.size(), 2u);
  for (const absl::Status& status : sent) {
    EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  }
}

// Reports that come within the grace are kept: a stop with the broker up loses no turn.
TEST(ProduceAllTest, ReportsWithinTheGraceAreKept) {
  FakeProducer producer(FakeProducer::Mode::kHold);
  std::atomic<bool> stopping{true};  // already stopping when the turn's output goes out
  std::vector<absl::Status> sent;
  std::thread produce([&] { sent = producer.ProduceAll(Messages(1), &stopping, absl::Hours(1)); });
  producer.AwaitHeld(1);
  producer.Acknowledge();
  produce.join();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].ok()) << sent[0];
}

TEST(ProduceAllTest, WithoutACancellationTheWaitLastsUntilEveryReport) {
  FakeProducer producer(FakeProducer::Mode::kHold);
  std::vector<absl::Status> sent;
  std::thread produce([&] { sent = producer.ProduceAll(Messages(1)); });
  producer.AwaitHeld(1);
  producer.Release();
  produce.join();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].code(), absl::StatusCode::kUnavailable) << sent[0];
}

}  // namespace
}  // namespace infobus::kafka
