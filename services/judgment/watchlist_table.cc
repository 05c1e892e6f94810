#include "services/judgment/watchlist_table.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/codec/watchlist_decoder.h"
#include "common/kafka/dead_letter.h"
#include "common/log/log.h"

namespace infobus::judgment {

absl::StatusOr<std::unique_ptr<WatchlistTable>> WatchlistTable::Create(
    const std::string& bootstrap_servers, std::string topic, DeadLetters dead_letters, Store* store,
    StoredWatchlist* watchlist, kafka::Producer* producer) {
  std::unique_ptr<WatchlistTable> table(new WatchlistTable());
  table->topic_ = std::move(topic);
  table->dead_letters_ = std::move(dead_letters);
  table->store_ = store;
  table->watchlist_ = watchlist;
  table->producer_ = producer;
  auto options =
      stream::GlobalTable::Options::Of(table->topic_, kOffsetsFamily, table->topic_ + "-reader");
  options.max_page = 1000;
  auto global = stream::GlobalTable::OpenFor(bootstrap_servers, std::move(options), store,
                                             table.get(), &WatchlistTable::Apply);
  if (!global.ok()) return global.status();
  table->table_ = *std::move(global);
  kafka::ExportDeadLetters(table->topic_);
  return table;
}

WatchlistTable::~WatchlistTable() = default;

absl::Status WatchlistTable::Apply(std::vector<kafka::Record> page,
                                   stream::GlobalTable::OffsetEntries offsets) {
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* entries = store_->Family(StoredWatchlist::kFamily);
  std::vector<kafka::OutgoingMessage> letters;
  for (const kafka::Record& record : page) {
    auto change = codec::DecodeWatchlistRecord(record);
    if (!change.ok()) {
      letters.push_back(kafka::DeadLetterMessage(record, std::string(change.status().message()),
                                                 dead_letters_.consumer, dead_letters_.topic));
      continue;
    }
    if (!change->entry.has_value()) {
      batch.Delete(entries, change->key);
      continue;
    }
    watchlist_->MayList(change->key);  // before the write, so a lookup never misses it
    batch.Put(entries, change->key, change->entry->SerializeAsString());
  }
  rocksdb::ColumnFamilyHandle* offsets_family = store_->Family(kOffsetsFamily);
  for (const auto& [key, value] : offsets) batch.Put(offsets_family, key, value);
  // The dead letters are out before the offsets past them are stored, as in a consumer loop.
  for (const absl::Status& sent : producer_->ProduceAll(letters)) {
    if (!sent.ok()) return sent;
  }
  return store_->Write(&batch);
}

absl::Status WatchlistTable::WaitForCatchUp(absl::Duration timeout) {
  return table_->WaitForCatchUp(timeout);
}

absl::Status WatchlistTable::Publish(const std::string& key, const std::string* value,
                                     absl::Duration timeout) {
  kafka::OutgoingMessage message;
  message.topic = topic_;
  message.key = key;
  if (value == nullptr) {
    message.tombstone = true;  // compaction then forgets the key
  } else {
    message.value = *value;
  }
  message.headers = {{kafka::kSchemaHeader, WatchlistEntry::descriptor()->full_name()}};
  std::vector<absl::Status> sent = producer_->ProduceAll({message});
  if (!sent[0].ok()) return sent[0];
  return WaitForCatchUp(timeout);
}

absl::StatusOr<bool> WatchlistTable::Put(const WatchlistEntry& entry, absl::Duration timeout) {
  const std::string key = StoredWatchlist::Key(entry.list_id(), entry.subject());
  auto existing = store_->Get(StoredWatchlist::kFamily, key);
  if (!existing.ok()) return existing.status();
  const std::string value = entry.SerializeAsString();
  if (absl::Status status = Publish(key, &value, timeout); !status.ok()) {
    return status;
  }
  return existing->has_value();
}

absl::StatusOr<bool> WatchlistTable::Remove(const std::string& list_id,
                                            const infobus::common::v1::Subject& subject,
                                            absl::Duration timeout) {
  const std::string key = StoredWatchlist::Key(list_id, subject);
  auto existing = store_->Get(StoredWatchlist::kFamily, key);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return false;
  if (absl::Status status = Publish(key, nullptr, timeout); !status.ok()) return status;
  return true;
}

}  // namespace infobus::judgment
