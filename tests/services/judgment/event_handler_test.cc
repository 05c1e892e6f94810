// EventHandler without a broker: what it does when a partition's state cannot be restored,
// and when its restore is cancelled by a stop.
#include "services/judgment/event_handler.h"

#include <memory>
#include <string>
#include <vector>

#include "common/metrics/metrics.h"
#include "common/store/store.h"
#include "gtest/gtest.h"
#include "infobus/judgment/storage/v1/judgment_state.pb.h"
#include "tests/services/judgment/handler_store.h"
#include "tests/services/judgment/no_watchlist.h"
#include "tests/support/temp_dir.h"

namespace infobus::judgment {
namespace {

using infobus::testing::NoWatchlist;

// An EventHandler whose changelog's broker cannot be reached (nothing listens on port 1), on a
// store on disk. Start() once the store holds what the test needs.
class EventHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = testing::OpenHandlerStore(dir_.Sub("db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    log_ = std::make_unique<JudgmentLog>(store_.get());
    ASSERT_TRUE(log_->Open().ok());
  }

  // `restore_timeout`: how long a restore waits for the changelog before it fails.
  void Start(absl::Duration restore_timeout) {
    changelog_ = std::make_unique<StateChangelog>(
        "127.0.0.1:1", "changelog", store_.get(), EventHandler::kStateFamily,
        stream::ConsumerLoop::kOffsetsFamily, restore_timeout);
    handler_ =
        std::make_unique<EventHandler>(store_.get(), &engine_, log_.get(), &rules_, "judgments",
                                       "sightings", changelog_.get(), absl::Seconds(2), clock_);
    const absl::Status started = handler_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  static prometheus::Counter& RestoreFailures() {
    return metrics::CounterFamily("infobus_judgment_changelog_restore_failures_total", "").Add({});
  }

  infobus::testing::TempDir dir_;
  StorePtr store_;
  NoWatchlist watchlist_;
  std::shared_ptr<SystemClock> clock_ = std::make_shared<SystemClock>();
  Engine engine_{&watchlist_, clock_};
  std::unique_ptr<JudgmentLog> log_;
  RulesSource rules_{""};
  std::unique_ptr<StateChangelog> changelog_;
  std::unique_ptr<EventHandler> handler_;
};

// Every restore fails. That is not fatal: the store's own state and offsets are a consistent
// pair, so the partition goes on from them (it replays more, or starts empty where the store
// has nothing). It must be counted, for it means a partition that moved may have lost its
// hotspot counts.
TEST_F(EventHandlerTest, AFailedRestoreIsCountedAndTheLocalStateIsKept) {
  // The scope's local state: its clock, as a crash left it.
  const std::string local_key = Engine::MetaKey("events/0");
  infobus::judgment::storage::v1::EngineMeta meta;
  meta.set_stream_time_ns(12345);
  const std::string local = meta.SerializeAsString();
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(EventHandler::kStateFamily), local_key, local);
  ASSERT_TRUE(store_->Write(&batch).ok());
  Start(absl::Seconds(1));

  const double before = RestoreFailures().Value();
  handler_->OnAssigned({{"events", 0}}, /*kept=*/{});
  EXPECT_EQ(RestoreFailures().Value(), before + 1);
  auto kept = store_->Get(EventHandler::kStateFamily, local_key);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->value_or(""), local) << "the local state was not kept";

  // A partition this instance kept (owned until the rebalance) needs no restore.
  handler_->OnAssigned({{"events", 0}}, /*kept=*/{{"events", 0}});
  EXPECT_EQ(RestoreFailures().Value(), before + 1);
}

// A service that stops cancels the restore (JudgmentServer::Stop): the rebalance callback
// returns at once instead of waiting out the timeout on a broker that is gone, and since these
// partitions' state is not here, no batch of them commits afterwards.
TEST_F(EventHandlerTest, ARestoreCancelledByAStopReturnsAtOnceAndNoBatchCommitsAfterIt) {
  // Without the cancellation the restore would wait out these 30 s and count a failure.
  Start(absl::Seconds(30));
  const double before = RestoreFailures().Value();
  changelog_->Cancel();
  handler_->OnAssigned({{"events", 0}}, /*kept=*/{});
  EXPECT_EQ(RestoreFailures().Value(), before) << "a cancelled restore is not a failed one";

  kafka::Record record;
  record.topic = "events";
  record.partition = 0;
  record.offset = 7;
  record.value = "an event that must not be judged without its partition's state";
  stream::Transaction transaction("dlq", "group");
  handler_->HandleBatch({record}, transaction);
  EXPECT_EQ(transaction.failure().code(), absl::StatusCode::kCancelled) << transaction.failure();
  EXPECT_TRUE(transaction.output().empty());
}

}  // namespace
}  // namespace infobus::judgment
