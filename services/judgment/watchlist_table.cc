#include "services/judgment/watchlist_table.h"

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/codec/watchlist_decoder.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/consumer_loop.h"
#include "common/kafka/dead_letter.h"
#include "common/kafka/record_from.h"
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

  // The applied offsets live in the store.
  const std::map<std::string, std::string> settings = {
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", "100"},  // an entry added elsewhere arrives within moments
  };
  auto consumer =
      kafka::NewAssignOnlyConsumer(bootstrap_servers, table->topic_ + "-reader", settings);
  if (!consumer.ok()) return consumer.status();
  table->consumer_ = std::move(*consumer);
  // Offsets are asked on a connection of their own: a broker answers one connection's
  // requests in order, so behind the reader's long-polling fetch they would wait for it.
  auto offsets_client =
      kafka::NewAssignOnlyConsumer(bootstrap_servers, table->topic_ + "-offsets", settings);
  if (!offsets_client.ok()) return offsets_client.status();
  table->offsets_client_ = std::move(*offsets_client);

  // Every partition of the topic, from the offset applied last (or the beginning). A topic
  // created a moment ago may not be in the metadata yet: PartitionCount waits for it.
  auto partitions = kafka::PartitionCount(bootstrap_servers, table->topic_, absl::Seconds(30));
  if (!partitions.ok()) return partitions.status();
  std::vector<RdKafka::TopicPartition*> assignment;
  for (int32_t id = 0; id < *partitions; ++id) {
    int64_t offset = RdKafka::Topic::OFFSET_BEGINNING;
    auto stored = store->Get(kOffsetsFamily, kafka::OffsetKey(table->topic_, id));
    if (!stored.ok()) {
      RdKafka::TopicPartition::destroy(assignment);
      return stored.status();
    }
    int64_t applied = 0;
    if (stored->has_value()) {
      applied = static_cast<int64_t>(DecodeBigEndian64(**stored));
      offset = applied;
    }
    table->partitions_.push_back(id);
    {
      absl::MutexLock lock(&table->mutex_);
      table->applied_[id] = applied;
    }
    assignment.push_back(RdKafka::TopicPartition::create(table->topic_, id, offset));
  }
  RdKafka::ErrorCode code = table->consumer_->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("watchlist reader assign: ", RdKafka::err2str(code)));
  }
  kafka::ExportDeadLetters(table->topic_);
  table->thread_ = std::thread([t = table.get()] { t->Run(); });
  return table;
}

WatchlistTable::~WatchlistTable() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (consumer_) consumer_->close();
  if (offsets_client_) offsets_client_->close();
}

void WatchlistTable::Run() {
  rocksdb::ColumnFamilyHandle* entries = store_->Family(StoredWatchlist::kFamily);
  rocksdb::ColumnFamilyHandle* offsets = store_->Family(kOffsetsFamily);
  while (!stopping_.load()) {
    rocksdb::WriteBatch batch;
    std::vector<kafka::OutgoingMessage> letters;
    std::map<int32_t, int64_t> next;
    int timeout_ms = 100;
    for (int i = 0; i < 1000 && !stopping_.load(); ++i) {
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
      timeout_ms = 0;
      if (message->err() == RdKafka::ERR__TIMED_OUT) break;
      if (message->err() == RdKafka::ERR__PARTITION_EOF) continue;
      if (message->err() != RdKafka::ERR_NO_ERROR) {
        INFOBUS_LOG(Warning) << "watchlist reader: " << message->errstr();
        break;
      }
      next[message->partition()] = message->offset() + 1;
      const kafka::Record record = kafka::RecordFrom(*message);
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
    if (next.empty()) continue;
    for (const auto& [partition, offset] : next) {
      batch.Put(offsets, kafka::OffsetKey(topic_, partition),
                EncodeBigEndian64(static_cast<uint64_t>(offset)));
    }
    // The dead letters are out before the offsets past them are stored, as in a consumer loop.
    absl::Status status;
    for (const absl::Status& sent : producer_->ProduceAll(letters)) {
      if (!sent.ok()) status = sent;
    }
    if (status.ok()) status = store_->Write(&batch);
    if (!status.ok()) {
      // Read again from what was applied last.
      INFOBUS_LOG(Error) << "watchlist reader: batch not applied, will retry: " << status;
      absl::MutexLock lock(&mutex_);
      for (const auto& [partition, offset] : next) {
        std::unique_ptr<RdKafka::TopicPartition> target(
            RdKafka::TopicPartition::create(topic_, partition, applied_[partition]));
        consumer_->seek(*target, 5000);
      }
      continue;
    }
    absl::MutexLock lock(&mutex_);
    for (const auto& [partition, offset] : next) applied_[partition] = offset;
  }
}

absl::Status WatchlistTable::WaitForCatchUp(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::map<int32_t, int64_t> targets;
  for (int32_t partition : partitions_) {
    // A topic just created may have no leader for a moment: retry until the deadline.
    while (true) {
      int64_t low = 0, high = 0;
      RdKafka::ErrorCode code =
          offsets_client_->query_watermark_offsets(topic_, partition, &low, &high, 5000);
      if (code == RdKafka::ERR_NO_ERROR) {
        targets[partition] = high;
        break;
      }
      if (absl::Now() >= deadline) {
        return absl::UnavailableError(
            absl::StrCat("watchlist topic offsets: ", RdKafka::err2str(code)));
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  absl::MutexLock lock(&mutex_);
  auto caught_up = [this, &targets]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    for (const auto& [partition, high] : targets) {
      if (applied_[partition] < high) return false;
    }
    return true;
  };
  if (!mutex_.AwaitWithDeadline(absl::Condition(&caught_up), deadline)) {
    return absl::DeadlineExceededError("the watchlist reader has not caught up yet");
  }
  return absl::OkStatus();
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
