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

WatchlistTable::~WatchlistTable() {
  // A delivery report still to come calls into table_: wait for it (the producer reports every
  // message it accepted, within its delivery timeout), then the table answers its waiters.
  absl::MutexLock lock(&mutex_);
  auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return unreported_ == 0; };
  mutex_.Await(absl::Condition(&settled));
}

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

void WatchlistTable::Publish(const std::string& key, const std::string* value,
                             std::function<void(absl::Status)> done) {
  kafka::OutgoingMessage message;
  message.topic = topic_;
  message.key = key;
  if (value == nullptr) {
    message.tombstone = true;  // compaction then forgets the key
  } else {
    message.value = *value;
  }
  message.headers = {{kafka::kSchemaHeader, WatchlistEntry::descriptor()->full_name()}};
  {
    absl::MutexLock lock(&mutex_);
    ++unreported_;
  }
  auto shared = std::make_shared<std::function<void(absl::Status)>>(std::move(done));
  const absl::Status queued = producer_->ProduceAsync(
      message, [this, shared, key, present = value != nullptr](absl::Status sent) {
        if (!sent.ok()) {
          (*shared)(sent);
        } else {
          // Acknowledged: answered once this instance has read it back, so a lookup right after
          // the call sees the change.
          AnswerWhenApplied(key, present, shared, kVisibilityChecks);
        }
        absl::MutexLock lock(&mutex_);
        --unreported_;
      });
  if (!queued.ok()) {
    {
      absl::MutexLock lock(&mutex_);
      --unreported_;
    }
    (*shared)(queued);
  }
}

void WatchlistTable::AnswerWhenApplied(std::string key, bool present,
                                       std::shared_ptr<std::function<void(absl::Status)>> done,
                                       int checks_left) {
  table_->WhenCaughtUp(
      [this, key = std::move(key), present, done, checks_left](absl::Status caught_up) {
        if (!caught_up.ok()) return (*done)(std::move(caught_up));  // also: the table is stopping
        // Caught up with the ends as learnt; the entry itself is the proof (the ends of a moment
        // after the acknowledgement were seen to trail it under load).
        auto stored = store_->Get(StoredWatchlist::kFamily, key);
        if ((stored.ok() && stored->has_value() == present) || checks_left <= 0) {
          if (checks_left <= 0) {
            INFOBUS_LOG(Warning) << "watchlist change acknowledged but not yet read back here";
          }
          return (*done)(absl::OkStatus());
        }
        AnswerWhenApplied(key, present, done, checks_left - 1);
      });
}

void WatchlistTable::Put(const WatchlistEntry& entry, Done done) {
  const std::string key = StoredWatchlist::Key(entry.list_id(), entry.subject());
  auto existing = store_->Get(StoredWatchlist::kFamily, key);
  if (!existing.ok()) return done(existing.status());
  const std::string value = entry.SerializeAsString();
  Publish(key, &value, [done = std::move(done), existed = existing->has_value()](absl::Status s) {
    if (!s.ok()) return done(s);
    done(existed);
  });
}

void WatchlistTable::Remove(const std::string& list_id, const infobus::common::v1::Subject& subject,
                            Done done) {
  const std::string key = StoredWatchlist::Key(list_id, subject);
  auto existing = store_->Get(StoredWatchlist::kFamily, key);
  if (!existing.ok()) return done(existing.status());
  if (!existing->has_value()) return done(false);
  Publish(key, nullptr, [done = std::move(done)](absl::Status s) {
    if (!s.ok()) return done(s);
    done(true);
  });
}

}  // namespace infobus::judgment
