#include "services/judgment/watchlist.h"

#include "absl/strings/str_cat.h"
#include "common/domain/subject.h"

namespace infobus::judgment {
namespace {

std::string SubjectPrefix(const infobus::common::v1::Subject& subject) {
  return absl::StrCat(domain::SubjectKey(subject), "\n");
}

}  // namespace

std::string StoredWatchlist::Key(const std::string& list_id,
                                 const infobus::common::v1::Subject& subject) {
  return absl::StrCat(SubjectPrefix(subject), list_id);
}

absl::StatusOr<bool> StoredWatchlist::Add(const WatchlistEntry& entry) {
  const std::string key = absl::StrCat(SubjectPrefix(entry.subject()), entry.list_id());
  auto existing = store_->Get(kFamily, key);
  if (!existing.ok()) return existing.status();
  rocksdb::WriteBatch batch;
  batch.Put(store_->Family(kFamily), key, entry.SerializeAsString());
  if (absl::Status status = store_->Write(&batch); !status.ok()) return status;
  return existing->has_value();
}

absl::StatusOr<bool> StoredWatchlist::Remove(const std::string& list_id,
                                             const infobus::common::v1::Subject& subject) {
  const std::string key = absl::StrCat(SubjectPrefix(subject), list_id);
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
  const std::string prefix = SubjectPrefix(subject);
  std::vector<WatchlistEntry> entries;
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
