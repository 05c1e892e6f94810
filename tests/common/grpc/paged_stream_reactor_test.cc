// PagedStreamReactor's wake-ups, without a call: a reactor that never writes (its NextLocked
// says Wait) is driven by hand, so the test sees on which thread it reads and when it goes.
#include "common/grpc/paged_stream_reactor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/util/serial_executor.h"

namespace infobus {
namespace {

std::atomic<int> destroyed{0};

// Its "read" (NextLocked) blocks until the test releases it, like a slow RocksDB page.
class SlowReader final : public PagedStreamReactor<int> {
 public:
  explicit SlowReader(SerialExecutor* executor) : PagedStreamReactor<int>(executor) {}
  ~SlowReader() override { ++destroyed; }
  using PagedStreamReactor<int>::Wake;

  absl::Notification reading;
  absl::Notification release;
  std::thread::id reader;

 private:
  Step NextLocked(std::deque<int>& /*buffer*/) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (!reading.HasBeenNotified()) {
      reader = std::this_thread::get_id();
      reading.Notify();
    }
    release.WaitForNotification();
    return Step::Wait();
  }
  void StopListening() override {}
};

// Runs everything queued on `executor` before it returns.
void Drain(SerialExecutor& executor) {
  absl::Notification drained;
  executor.Post([&drained] { drained.Notify(); });
  drained.WaitForNotification();
}

TEST(PagedStreamReactor, AWakeReadsOnTheExecutorNotOnTheThreadThatBringsTheNews) {
  SerialExecutor executor("test-wake");
  auto* stream = new SlowReader(&executor);
  absl::Notification woke;
  std::thread loop([&] {  // stands in for the consumer loop
    stream->Wake();
    woke.Notify();
  });
  const bool returned = woke.WaitForNotificationWithTimeout(absl::Seconds(10));
  EXPECT_TRUE(returned) << "Wake() read the page on the waker's thread";
  ASSERT_TRUE(stream->reading.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_NE(stream->reader, loop.get_id());
  stream->release.Notify();
  loop.join();
  Drain(executor);
  stream->OnDone();
}

TEST(PagedStreamReactor, AStreamDoneWithAWakeQueuedGoesOnceTheWakeHasRun) {
  destroyed = 0;
  SerialExecutor executor("test-wake");
  absl::Notification hold;
  executor.Post([&hold] { hold.WaitForNotification(); });  // the executor is busy elsewhere
  auto* stream = new SlowReader(&executor);
  stream->release.Notify();
  stream->Wake();
  stream->Wake();    // coalesced with the queued one
  stream->OnDone();  // gRPC is done with it, but a wake still points at it
  EXPECT_EQ(destroyed.load(), 0);
  hold.Notify();
  Drain(executor);
  EXPECT_EQ(destroyed.load(), 1);
}

}  // namespace
}  // namespace infobus
