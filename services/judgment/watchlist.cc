#include "services/judgment/watchlist.h"

#include "absl/strings/str_cat.h"
#include "common/codec/watchlist_decoder.h"
#include "common/domain/subject.h"
#include "common/log/log.h"

namespace infobus::judgment {
StoredWatchlist::StoredWatchlist(Store* store) : store_(store) {
  absl::flat_hash_set<std::string> listed;
  auto it = store_->NewIterator(kFamily);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    listed.emplace(key.substr(0, key.find('\n')));
  }
  absl::MutexLock lock(&mutex_);
  if (!it->status().ok()) {
    INFOBUS_LOG(Error) << "watchlist index not built, every lookup reads the store: "
                       << it->status().ToString();
    return;
  }
  listed_ = std::move(listed);
  index_complete_ = true;
}

void StoredWatchlist::MayList(std::string_view store_key) {
  absl::MutexLock lock(&mutex_);
  listed_.emplace(store_key.substr(0, store_key.find('\n')));
}

std::string StoredWatchlist::Key(const std::string& list_id,
                                 const infobus::common::v1::Subject& subject) {
  return codec::WatchlistKey(list_id, subject);
}

absl::StatusOr<bool> StoredWatchlist::Add(const WatchlistEntry& entry) {
  const std::string key = Key(entry.list_id(), entry.subject());
  auto existing = store_->Get(kFamily, key);
  if (!existing.ok()) return existing.status();
  MayList(key);
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(kFamily), key, entry.SerializeAsString());
  if (absl::Status status = store_->Write(&batch); !status.ok()) return status;
  return existing->has_value();
}

absl::StatusOr<bool> StoredWatchlist::Remove(const std::string& list_id,
                                             const infobus::common::v1::Subject& subject) {
  const std::string key = Key(list_id, subject);
  auto existing = store_->Get(kFamily, key);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return false;
  rocksdb::WriteBatch batch;
  batch.Delete(store_->Family(kFamily), key);
  if (absl::Status status = store_->Write(&batch); !status.ok()) return status;
  return true;
}

absl::StatusOr<std::vector<WatchlistEntry>> StoredWatchlist::Find(
    const infobus::common::v1::Subject& subject) const {
  return FindByKey(subject, domain::SubjectKey(subject));
}

absl::StatusOr<std::vector<WatchlistEntry>> StoredWatchlist::FindByKey(
    const infobus::common::v1::Subject& subject, std::string_view key) const {
  (void)subject;
  std::vector<WatchlistEntry> entries;
  {
    absl::ReaderMutexLock lock(&mutex_);
    if (index_complete_ && !listed_.contains(absl::string_view(key.data(), key.size()))) {
      return entries;
    }
  }
  const std::string prefix = absl::StrCat(absl::string_view(key.data(), key.size()), "\n");
  auto it = store_->NewIterator(kFamily);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    WatchlistEntry entry;
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("corrupt watchlist entry ", it->key().ToString()));
    }
    entries.push_back(std::move(entry));
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  return entries;
}

}  // namespace infobus::judgment
