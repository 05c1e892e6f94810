// GlobalTable and ReadToEnd over a topic in memory (FakeTopicReader) and RocksDB on disk: what
// is applied, what a restart resumes from, and that a page that cannot be applied is read
// again, never skipped.
#include "common/stream/global_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/stream/read_to_end.h"
#include "tests/support/fake_topic_reader.h"
#include "tests/support/temp_dir.h"

namespace infobus::stream {
namespace {

constexpr char kTopic[] = "infobus.watchlist.v1";
constexpr char kEntries[] = "entries";
constexpr char kOffsets[] = "entries_offsets";

kafka::Record Put(int32_t partition, std::string key, std::string value) {
  kafka::Record record;
  record.topic = kTopic;
  record.partition = partition;
  record.key = std::move(key);
  record.value = std::move(value);
  return record;
}

class GlobalTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.Sub("db"), {kEntries, kOffsets}, Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  GlobalTable::Options TableOptions() const {
    GlobalTable::Options options;
    options.topic = kTopic;
    options.offsets_family = kOffsets;
    options.name = "test-table";
    options.max_page = 2;  // several pages for a few records
    options.poll_wait = absl::Milliseconds(20);
    options.retry_after = absl::Milliseconds(10);
    return options;
  }

  // Writes each record's value under its key, with the offsets, in one batch; fails while
  // `refuse_` is above zero.
  GlobalTable::Apply Writer() {
    return [this](std::vector<kafka::Record> page, GlobalTable::OffsetEntries offsets) {
      if (refuse_.load() > 0) {
        --refuse_;
        return absl::UnavailableError("store refuses");
      }
      rocksdb::WriteBatch batch;
      for (const kafka::Record& record : page) {
        batch.Put(store_->Family(kEntries), record.key, record.value);
        absl::MutexLock lock(&mutex_);
        applied_keys_.push_back(record.key);
      }
      for (const auto& [key, value] : offsets) batch.Put(store_->Family(kOffsets), key, value);
      return store_->Write(&batch);
    };
  }

  std::string Value(const std::string& key) {
    auto value = store_->Get(kEntries, key);
    return value.ok() && value->has_value() ? **value : "";
  }
  std::vector<std::string> AppliedKeys() {
    absl::MutexLock lock(&mutex_);
    return applied_keys_;
  }

  testing::TempDir dir_;
  StorePtr store_;
  std::atomic<int> refuse_{0};
  absl::Mutex mutex_;
  std::vector<std::string> applied_keys_ ABSL_GUARDED_BY(mutex_);
};

TEST_F(GlobalTableTest, AppliesEveryPartitionAndCatchesUp) {
  auto reader = std::make_unique<testing::FakeTopicReader>(Offsets{{0, 0}, {1, 0}});
  testing::FakeTopicReader* topic = reader.get();
  for (int i = 0; i < 5; ++i) topic->Append(Put(i % 2, absl::StrCat("k", i), absl::StrCat("v", i)));
  auto table = GlobalTable::Start(TableOptions(), std::move(reader), {{0, 0}, {1, 0}}, Writer());
  ASSERT_TRUE(table->WaitForCatchUp(absl::Seconds(10)).ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Value(absl::StrCat("k", i)), absl::StrCat("v", i));
  auto offsets = GlobalTable::StoredOffsets(*store_, kOffsets, kTopic, 2);
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  EXPECT_EQ(*offsets, (Offsets{{0, 3}, {1, 2}})) << "the offsets are not the ones applied";

  // News after the catch-up arrives too, and a later wait covers it.
  topic->Append(Put(1, "k5", "v5"));
  ASSERT_TRUE(table->WaitForCatchUp(absl::Seconds(10)).ok());
  EXPECT_EQ(Value("k5"), "v5");
}

TEST_F(GlobalTableTest, APageThatCannotBeAppliedIsReadAgainNotSkipped) {
  auto reader = std::make_unique<testing::FakeTopicReader>(Offsets{{0, 0}});
  testing::FakeTopicReader* topic = reader.get();
  for (int i = 0; i < 4; ++i) topic->Append(Put(0, absl::StrCat("k", i), "v"));
  refuse_ = 3;
  topic->FailPolls(2);  // broker errors on the way do not lose anything either
  auto table = GlobalTable::Start(TableOptions(), std::move(reader), {{0, 0}}, Writer());
  ASSERT_TRUE(table->WaitForCatchUp(absl::Seconds(10)).ok());
  EXPECT_EQ(AppliedKeys(), (std::vector<std::string>{"k0", "k1", "k2", "k3"}))
      << "a refused page was skipped or applied twice";
  EXPECT_GE(topic->seeks(), 3) << "each refusal rewinds to what was applied";
}

TEST_F(GlobalTableTest, ARestartGoesOnFromTheStoredOffsets) {
  testing::FakeTopicReader* topic = nullptr;
  auto first = std::make_unique<testing::FakeTopicReader>(Offsets{{0, 0}});
  topic = first.get();
  for (int i = 0; i < 3; ++i) topic->Append(Put(0, absl::StrCat("k", i), "v"));
  {
    auto table = GlobalTable::Start(TableOptions(), std::move(first), {{0, 0}}, Writer());
    ASSERT_TRUE(table->WaitForCatchUp(absl::Seconds(10)).ok());
  }
  auto stored = GlobalTable::StoredOffsets(*store_, kOffsets, kTopic, 1);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(*stored, (Offsets{{0, 3}}));

  // The same topic with one more record, read by a table started where the store stands.
  auto second = std::make_unique<testing::FakeTopicReader>(*stored);
  for (int i = 0; i < 4; ++i) second->Append(Put(0, absl::StrCat("k", i), "v"));
  auto table = GlobalTable::Start(TableOptions(), std::move(second), *stored, Writer());
  ASSERT_TRUE(table->WaitForCatchUp(absl::Seconds(10)).ok());
  EXPECT_EQ(AppliedKeys(), (std::vector<std::string>{"k0", "k1", "k2", "k3"}))
      << "a restart applied again what the store had";
}

TEST_F(GlobalTableTest, WaitForCatchUpTimesOutWhileTheApplyIsStuck) {
  auto reader = std::make_unique<testing::FakeTopicReader>(Offsets{{0, 0}});
  reader->Append(Put(0, "k0", "v"));
  refuse_ = 1 << 30;
  auto table = GlobalTable::Start(TableOptions(), std::move(reader), {{0, 0}}, Writer());
  const absl::Status waited = table->WaitForCatchUp(absl::Milliseconds(300));
  EXPECT_EQ(waited.code(), absl::StatusCode::kDeadlineExceeded) << waited;
}

TEST_F(GlobalTableTest, StoredOffsetsRefuseAValueThatIsNotAnOffset) {
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(kOffsets), GlobalTable::OffsetEntry(kTopic, 0, 1).first, "short");
  ASSERT_TRUE(store_->Write(&batch).ok());
  EXPECT_EQ(GlobalTable::StoredOffsets(*store_, kOffsets, kTopic, 1).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(ReadToEndTest, ReadsToTheEndAsOfTheCallAndNoFurther) {
  testing::FakeTopicReader reader({{3, kFromBeginning}});
  for (int i = 0; i < 5; ++i) reader.Append(Put(3, absl::StrCat("k", i), "v"));
  reader.DeleteBefore(3, 1);  // compacted away
  std::vector<int64_t> offsets;
  ASSERT_TRUE(ReadToEnd(reader, 3, absl::Seconds(10), [&](const kafka::Record& record) {
                offsets.push_back(record.offset);
                if (record.offset == 2) {
                  kafka::Record later = Put(3, "later", "v");
                  reader.Append(later);  // written after the call began
                }
              }).ok());
  EXPECT_EQ(offsets, (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST(ReadToEndTest, AnEmptyPartitionIsReadAtOnce) {
  testing::FakeTopicReader reader({{0, kFromBeginning}});
  int applied = 0;
  EXPECT_TRUE(
      ReadToEnd(reader, 0, absl::Seconds(1), [&](const kafka::Record&) { ++applied; }).ok());
  EXPECT_EQ(applied, 0);
}

// The broker is gone while a restore learns the partition's end: the read asks in slices, so
// a cancellation (a service stopping) ends it long before its timeout would.
TEST(ReadToEndTest, ACancelledReadEndsWithoutWaitingOutItsTimeout) {
  testing::FakeTopicReader reader({{0, kFromBeginning}});
  reader.Append(Put(0, "k", "v"));
  reader.SetUnreachable(true);
  std::atomic<bool> cancelled{false};
  absl::Status status;
  std::thread restore([&] {
    status = ReadToEnd(
        reader, 0, absl::Seconds(30), [](const kafka::Record&) {}, &cancelled);
  });
  // Once the read has asked at least once, the service stops.
  reader.AwaitWatermarkRequest();
  cancelled = true;
  restore.join();  // 30 s and UNAVAILABLE without the slices
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
}

TEST(ReadToEndTest, AReadWhoseBrokerStaysGoneFailsAtItsTimeout) {
  testing::FakeTopicReader reader({{0, kFromBeginning}});
  reader.SetUnreachable(true);
  const absl::Status status = ReadToEnd(reader, 0, absl::Seconds(2), [](const kafka::Record&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_GE(reader.watermark_requests(), 2) << "asked in slices of at most " << kReadSlice;
}

// A question that fails at once (no leader for a moment) is asked again once its slice is out,
// not in a busy loop, and a later answer is read on from.
TEST(ReadToEndTest, AQuestionThatFailsAtOnceIsAskedAgainAfterItsSlice) {
  testing::FakeTopicReader reader({{0, kFromBeginning}});
  reader.FailWatermarksAtOnce(1 << 30);
  const absl::Status status = ReadToEnd(reader, 0, absl::Seconds(1), [](const kafka::Record&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_LE(reader.watermark_requests(), 4) << "a busy loop asks thousands of times a second";

  testing::FakeTopicReader recovering({{0, kFromBeginning}});
  recovering.Append(Put(0, "k", "v"));
  recovering.FailWatermarksAtOnce(1);
  int applied = 0;
  const absl::Status read =
      ReadToEnd(recovering, 0, absl::Seconds(30), [&](const kafka::Record&) { ++applied; });
  EXPECT_TRUE(read.ok()) << read;
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(recovering.watermark_requests(), 2);
}

TEST(ReadToEndTest, ACancelledReadAppliesNothingMore) {
  testing::FakeTopicReader reader({{0, kFromBeginning}});
  for (int i = 0; i < 3; ++i) reader.Append(Put(0, absl::StrCat("k", i), "v"));
  std::atomic<bool> cancelled{true};
  int applied = 0;
  const absl::Status status = ReadToEnd(
      reader, 0, absl::Seconds(10), [&](const kafka::Record&) { ++applied; }, &cancelled);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  EXPECT_EQ(applied, 0);
}

}  // namespace
}  // namespace infobus::stream
