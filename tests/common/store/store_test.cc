#include "common/store/store.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/iterator.h"
#include "rocksdb/write_batch.h"
#include "tests/support/temp_dir.h"

namespace infobus {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

using testing::TempDir;

StorePtr OpenOrDie(const std::string& path, const std::vector<std::string>& families) {
  absl::StatusOr<StorePtr> store = Store::Open(path, families, Store::Options());
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

std::optional<std::string> GetOrDie(const Store& store, std::string_view family,
                                    std::string_view key) {
  absl::StatusOr<std::optional<std::string>> value = store.Get(family, key);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : std::nullopt;
}

TEST(Store, OpenCreatesTheRequestedFamiliesAndKeepsThemApart) {
  const TempDir dir;
  StorePtr store = OpenOrDie(dir.Sub("db"), {"events", "offsets"});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->path(), dir.Sub("db"));
  ASSERT_NE(store->Family("events"), nullptr);
  ASSERT_NE(store->Family("offsets"), nullptr);
  EXPECT_NE(store->Family("events"), store->Family("offsets"));
  EXPECT_EQ(store->Family("events")->GetName(), "events");
  EXPECT_EQ(store->Family("offsets")->GetName(), "offsets");
  EXPECT_EQ(store->Family("default")->GetName(), "default");

  rocksdb::WriteBatch batch;
  batch.Put(store->Family("events"), "k", "in-events");
  batch.Put(store->Family("offsets"), "k", "in-offsets");
  ASSERT_TRUE(store->Write(&batch).ok());
  EXPECT_THAT(GetOrDie(*store, "events", "k"), Optional(std::string("in-events")));
  EXPECT_THAT(GetOrDie(*store, "offsets", "k"), Optional(std::string("in-offsets")));
  EXPECT_EQ(GetOrDie(*store, "default", "k"), std::nullopt);
}

TEST(Store, GetOfMissingKeyIsEmptyNotAnError) {
  const TempDir dir;
  StorePtr store = OpenOrDie(dir.Sub("db"), {"a"});
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::optional<std::string>> value = store->Get("a", "missing");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_FALSE(value->has_value());

  // An empty value is present, not missing.
  rocksdb::WriteBatch batch;
  batch.Put(store->Family("a"), "empty", "");
  ASSERT_TRUE(store->Write(&batch).ok());
  EXPECT_THAT(GetOrDie(*store, "a", "empty"), Optional(std::string()));
}

TEST(Store, BatchAcrossTwoFamiliesIsInvisibleUntilWrittenThenFullyVisible) {
  const TempDir dir;
  StorePtr store = OpenOrDie(dir.Sub("db"), {"state", "offsets"});
  ASSERT_NE(store, nullptr);
  {
    rocksdb::WriteBatch seed;
    seed.Put(store->Family("state"), "old", "1");
    ASSERT_TRUE(store->Write(&seed).ok());
  }

  rocksdb::WriteBatch batch;
  batch.Put(store->Family("state"), "subject", "seen");
  batch.Delete(store->Family("state"), "old");
  batch.Put(store->Family("offsets"), "events/0", "42");
  // Staged only: nothing of it is visible yet.
  EXPECT_EQ(GetOrDie(*store, "state", "subject"), std::nullopt);
  EXPECT_EQ(GetOrDie(*store, "offsets", "events/0"), std::nullopt);
  EXPECT_THAT(GetOrDie(*store, "state", "old"), Optional(std::string("1")));

  ASSERT_TRUE(store->Write(&batch).ok());
  EXPECT_THAT(GetOrDie(*store, "state", "subject"), Optional(std::string("seen")));
  EXPECT_EQ(GetOrDie(*store, "state", "old"), std::nullopt);
  EXPECT_THAT(GetOrDie(*store, "offsets", "events/0"), Optional(std::string("42")));
}

TEST(Store, ReopenKeepsDataAndOpensFamiliesOnDiskThatAreNotListed) {
  const TempDir dir;
  const std::string path = dir.Sub("db");
  {
    StorePtr store = OpenOrDie(path, {"a", "b"});
    ASSERT_NE(store, nullptr);
    rocksdb::WriteBatch batch;
    batch.Put(store->Family("a"), "ka", "va");
    batch.Put(store->Family("b"), "kb", "vb");
    ASSERT_TRUE(store->Write(&batch).ok());
  }
  {
    // An "older binary" that knows only family a.
    StorePtr store = OpenOrDie(path, {"a"});
    ASSERT_NE(store, nullptr);
    EXPECT_THAT(GetOrDie(*store, "a", "ka"), Optional(std::string("va")));
    EXPECT_THAT(GetOrDie(*store, "b", "kb"), Optional(std::string("vb")));
  }
  {
    // Knowing no family at all still opens both, and a newly listed one is created.
    StorePtr store = OpenOrDie(path, {"c"});
    ASSERT_NE(store, nullptr);
    EXPECT_THAT(GetOrDie(*store, "a", "ka"), Optional(std::string("va")));
    EXPECT_THAT(GetOrDie(*store, "b", "kb"), Optional(std::string("vb")));
    EXPECT_EQ(GetOrDie(*store, "c", "ka"), std::nullopt);
  }
}

TEST(Store, OpenFailsWhenThePathCannotBeCreated) {
  const TempDir dir;
  const std::string file = dir.Sub("not-a-directory");
  std::ofstream(file) << "x";
  absl::StatusOr<StorePtr> store = Store::Open(file + "/db", {"a"}, Store::Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
}

TEST(Store, SyncWritesStillReadBack) {
  const TempDir dir;
  Store::Options options;
  options.sync_writes = true;
  absl::StatusOr<StorePtr> store = Store::Open(dir.Sub("db"), {"a"}, options);
  ASSERT_TRUE(store.ok()) << store.status();
  rocksdb::WriteBatch batch;
  batch.Put((*store)->Family("a"), "k", "v");
  ASSERT_TRUE((*store)->Write(&batch).ok());
  EXPECT_THAT(GetOrDie(**store, "a", "k"), Optional(std::string("v")));
}

TEST(BigEndian64, EncodesMostSignificantByteFirstInEightBytes) {
  EXPECT_EQ(EncodeBigEndian64(0x0102030405060708ULL),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(EncodeBigEndian64(0), std::string(8, '\0'));
  EXPECT_EQ(EncodeBigEndian64(256), std::string("\0\0\0\0\0\0\x01\x00", 8));
  EXPECT_EQ(EncodeBigEndian64(std::numeric_limits<uint64_t>::max()), std::string(8, '\xff'));
}

TEST(BigEndian64, RoundTrips) {
  for (uint64_t value : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256},
                         uint64_t{0x7fffffff}, uint64_t{0x100000000}, uint64_t{0x8000000000000000},
                         std::numeric_limits<uint64_t>::max()}) {
    const std::string encoded = EncodeBigEndian64(value);
    EXPECT_EQ(encoded.size(), 8u);
    EXPECT_EQ(DecodeBigEndian64(encoded), value) << value;
  }
}

TEST(BigEndian64, ByteOrderIsNumericOrder) {
  EXPECT_LT(EncodeBigEndian64(255), EncodeBigEndian64(256));
  EXPECT_LT(EncodeBigEndian64(9), EncodeBigEndian64(10));
  EXPECT_LT(EncodeBigEndian64(0x00ffffffffffffffULL), EncodeBigEndian64(0x0100000000000000ULL));
  // std::string compares chars as unsigned via char_traits, like RocksDB's bytewise comparator.
  EXPECT_LT(EncodeBigEndian64(0x7f), EncodeBigEndian64(0x80));

  std::vector<uint64_t> values = {65536, 1, 256, 0x8000000000000000ULL, 255, 0, 257, 10};
  std::vector<std::string> encoded;
  for (uint64_t v : values) encoded.push_back(EncodeBigEndian64(v));
  std::sort(values.begin(), values.end());
  std::sort(encoded.begin(), encoded.end());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(DecodeBigEndian64(encoded[i]), values[i]);
}

TEST(BigEndian64, RocksDbIteratesKeysInNumericOrder) {
  const TempDir dir;
  StorePtr store = OpenOrDie(dir.Sub("db"), {"seq"});
  ASSERT_NE(store, nullptr);
  rocksdb::WriteBatch batch;
  for (uint64_t v : {uint64_t{256}, uint64_t{1}, uint64_t{65536}, uint64_t{255}, uint64_t{128}}) {
    batch.Put(store->Family("seq"), EncodeBigEndian64(v), "");
  }
  ASSERT_TRUE(store->Write(&batch).ok());
  std::vector<uint64_t> seen;
  std::unique_ptr<rocksdb::Iterator> it = store->NewIterator("seq");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    seen.push_back(DecodeBigEndian64(std::string_view(it->key().data(), it->key().size())));
  }
  ASSERT_TRUE(it->status().ok());
  EXPECT_THAT(seen, ElementsAre(1, 128, 255, 256, 65536));
}

}  // namespace
}  // namespace infobus
