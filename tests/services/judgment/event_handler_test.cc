// EventHandler without a broker: what it does when a partition's state cannot be restored.
#include "services/judgment/event_handler.h"

#include <memory>
#include <string>
#include <vector>

#include "common/metrics/metrics.h"
#include "common/store/store.h"
#include "gtest/gtest.h"
#include "infobus/judgment/storage/v1/judgment_state.pb.h"
#include "tests/services/judgment/no_watchlist.h"
#include "tests/support/temp_dir.h"

namespace infobus::judgment {
namespace {

using infobus::testing::NoWatchlist;

// The changelog's broker cannot be reached (nothing listens on port 1), so every restore fails.
// That is not fatal: the store's own state and offsets are a consistent pair, so the partition
// goes on from them (it replays more, or starts empty where the store has nothing). It must be
// counted, for it means a partition that moved may have lost its hotspot counts.
TEST(EventHandlerTest, AFailedRestoreIsCountedAndTheLocalStateIsKept) {
  infobus::testing::TempDir dir;
  auto store = Store::Open(
      dir.Sub("db"),
      {EventHandler::kStateFamily, JudgmentLog::kFamily, stream::ConsumerLoop::kOffsetsFamily},
      Store::Options());
  ASSERT_TRUE(store.ok()) << store.status();
  // The scope's local state: its clock, as a crash left it.
  const std::string local_key = Engine::MetaKey("events/0");
  infobus::judgment::storage::v1::EngineMeta meta;
  meta.set_stream_time_ns(12345);
  const std::string local = meta.SerializeAsString();
  rocksdb::WriteBatch batch;
  batch.Put((*store)->Family(EventHandler::kStateFamily), local_key, local);
  ASSERT_TRUE((*store)->Write(&batch).ok());

  NoWatchlist watchlist;
  auto clock = std::make_shared<SystemClock>();
  Engine engine(&watchlist, clock);
  JudgmentLog log(store->get());
  ASSERT_TRUE(log.Open().ok());
  RulesSource rules("");
  StateChangelog changelog("127.0.0.1:1", "changelog", store->get(), EventHandler::kStateFamily,
                           stream::ConsumerLoop::kOffsetsFamily, absl::Seconds(1));
  EventHandler handler(store->get(), &engine, &log, &rules, "judgments", "sightings", &changelog,
                       absl::Seconds(2), clock);
  const absl::Status started = handler.Start();
  ASSERT_TRUE(started.ok()) << started;

  auto& failures =
      metrics::CounterFamily("infobus_judgment_changelog_restore_failures_total", "").Add({});
  const double before = failures.Value();
  handler.OnAssigned({{"events", 0}}, /*kept=*/{});
  EXPECT_EQ(failures.Value(), before + 1);
  auto kept = (*store)->Get(EventHandler::kStateFamily, local_key);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->value_or(""), local) << "the local state was not kept";

  // A partition this instance kept (owned until the rebalance) needs no restore.
  handler.OnAssigned({{"events", 0}}, /*kept=*/{{"events", 0}});
  EXPECT_EQ(failures.Value(), before + 1);
}

// A service that stops cancels the restore (JudgmentServer::Stop): the rebalance callback
// returns at once instead of waiting out the timeout on a broker that is gone, and since these
// partitions' state is not here, no batch of them commits afterwards.
TEST(EventHandlerTest, ARestoreCancelledByAStopReturnsAtOnceAndNoBatchCommitsAfterIt) {
  infobus::testing::TempDir dir;
  auto store = Store::Open(
      dir.Sub("db"),
      {EventHandler::kStateFamily, JudgmentLog::kFamily, stream::ConsumerLoop::kOffsetsFamily},
      Store::Options());
  ASSERT_TRUE(store.ok()) << store.status();
  NoWatchlist watchlist;
  auto clock = std::make_shared<SystemClock>();
  Engine engine(&watchlist, clock);
  JudgmentLog log(store->get());
  ASSERT_TRUE(log.Open().ok());
  RulesSource rules("");
  // Without the cancellation the restore would wait out these 30 s and count a failure.
  StateChangelog changelog("127.0.0.1:1", "changelog", store->get(), EventHandler::kStateFamily,
                           stream::ConsumerLoop::kOffsetsFamily, absl::Seconds(30));
  EventHandler handler(store->get(), &engine, &log, &rules, "judgments", "sightings", &changelog,
                       absl::Seconds(2), clock);
  const absl::Status started = handler.Start();
  ASSERT_TRUE(started.ok()) << started;

  auto& failures =
      metrics::CounterFamily("infobus_judgment_changelog_restore_failures_total", "").Add({});
  const double before = failures.Value();
  changelog.Cancel();
  handler.OnAssigned({{"events", 0}}, /*kept=*/{});
  EXPECT_EQ(failures.Value(), before) << "a cancelled restore is not a failed one";

  kafka::Record record;
  record.topic = "events";
  record.partition = 0;
  record.offset = 7;
  record.value = "an event that must not be judged without its partition's state";
  stream::Transaction transaction("dlq", "group");
  handler.HandleBatch({record}, transaction);
  EXPECT_EQ(transaction.failure().code(), absl::StatusCode::kCancelled) << transaction.failure();
  EXPECT_TRUE(transaction.output().empty());
}

}  // namespace
}  // namespace infobus::judgment
