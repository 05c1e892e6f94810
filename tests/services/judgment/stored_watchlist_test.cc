#include <memory>
#include <string>

#include "common/domain/subject.h"
#include "common/store/store.h"
#include "gtest/gtest.h"
#include "services/judgment/watchlist.h"
#include "tests/support/temp_dir.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Subject;

Subject Plate(const std::string& value) {
  Subject subject;
  subject.set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  subject.set_value(value);
  return subject;
}

WatchlistEntry Entry(const std::string& list, const Subject& subject) {
  WatchlistEntry entry;
  entry.set_list_id(list);
  *entry.mutable_subject() = subject;
  entry.set_severity(infobus::common::v1::SEVERITY_HIGH);
  return entry;
}

class StoredWatchlistTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    watchlist_.reset();
    store_.reset();
    auto store = Store::Open(dir_.Sub("db"), {StoredWatchlist::kFamily}, Store::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    watchlist_ = std::make_unique<StoredWatchlist>(store_.get());
  }

  size_t Found(const Subject& subject) {
    auto entries = watchlist_->Find(subject);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? entries->size() : 0;
  }

  testing::TempDir dir_;
  StorePtr store_;
  std::unique_ptr<StoredWatchlist> watchlist_;
};

TEST_F(StoredWatchlistTest, FindsEveryListOfASubjectAndNothingForOthers) {
  ASSERT_TRUE(watchlist_->Add(Entry("stolen_vehicle", Plate("桂FA1234"))).ok());
  ASSERT_TRUE(watchlist_->Add(Entry("person_of_interest", Plate("桂FA1234"))).ok());
  EXPECT_EQ(Found(Plate("桂FA1234")), 2u);
  EXPECT_EQ(Found(Plate("桂FA1235")), 0u);
}

// The topic reader writes entries into the family itself: after MayList, lookups see them.
TEST_F(StoredWatchlistTest, AnEntryWrittenByAnotherWriterAfterMayListIsFound) {
  const Subject plate = Plate("桂FB0001");
  EXPECT_EQ(Found(plate), 0u);  // looked up (and not listed) before it is written
  const std::string key = StoredWatchlist::Key("stolen_vehicle", plate);
  watchlist_->MayList(key);
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(StoredWatchlist::kFamily), key,
            Entry("stolen_vehicle", plate).SerializeAsString());
  ASSERT_TRUE(store_->Write(&batch).ok());
  EXPECT_EQ(Found(plate), 1u);
}

TEST_F(StoredWatchlistTest, TheIndexIsRebuiltFromTheStoreOnOpen) {
  ASSERT_TRUE(watchlist_->Add(Entry("stolen_vehicle", Plate("桂FC0002"))).ok());
  Open();
  EXPECT_EQ(Found(Plate("桂FC0002")), 1u);
  EXPECT_EQ(Found(Plate("桂FC0003")), 0u);
}

TEST_F(StoredWatchlistTest, ARemovedEntryIsNotFoundAndTheOtherListsStay) {
  const Subject plate = Plate("桂FD0004");
  ASSERT_TRUE(watchlist_->Add(Entry("stolen_vehicle", plate)).ok());
  ASSERT_TRUE(watchlist_->Add(Entry("person_of_interest", plate)).ok());
  auto removed = watchlist_->Remove("stolen_vehicle", plate);
  ASSERT_TRUE(removed.ok() && *removed);
  auto entries = watchlist_->Find(plate);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].list_id(), "person_of_interest");
  ASSERT_TRUE(watchlist_->Remove("person_of_interest", plate).ok());
  EXPECT_EQ(Found(plate), 0u);
}

}  // namespace
}  // namespace infobus::judgment
