#include "common/stream/global_table.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/admin.h"
#include "common/log/log.h"
#include "common/stream/consumer_loop.h"

namespace infobus::stream {

std::pair<std::string, std::string> GlobalTable::OffsetEntry(const std::string& topic,
                                                             int32_t partition, int64_t next) {
  return {OffsetKey(topic, partition), EncodeBigEndian64(static_cast<uint64_t>(next))};
}

absl::StatusOr<Offsets> GlobalTable::StoredOffsets(const Store& store, const std::string& family,
                                                   const std::string& topic, int partitions) {
  Offsets offsets;
  for (int32_t partition = 0; partition < partitions; ++partition) {
    auto stored = store.Get(family, OffsetKey(topic, partition));
    if (!stored.ok()) return stored.status();
    if (stored->has_value() && (*stored)->size() != 8) {
      return absl::DataLossError(
          absl::StrCat("offset of ", topic, "/", partition, " in ", family, " is not 8 bytes"));
    }
    offsets[partition] =
        stored->has_value() ? static_cast<int64_t>(DecodeBigEndian64(**stored)) : 0;
  }
  return offsets;
}

absl::StatusOr<std::unique_ptr<GlobalTable>> GlobalTable::Open(const std::string& bootstrap_servers,
                                                               Options options, Store* store,
                                                               Apply apply) {
  // A topic created a moment ago may not be in the metadata yet: PartitionCount waits for it.
  auto partitions = kafka::PartitionCount(bootstrap_servers, options.topic, absl::Seconds(30));
  if (!partitions.ok()) return partitions.status();
  auto applied = StoredOffsets(*store, options.offsets_family, options.topic, *partitions);
  if (!applied.ok()) return applied.status();
  Offsets from;
  for (const auto& [partition, next] : *applied) {
    from[partition] = next == 0 ? kFromBeginning : next;
  }
  auto reader = OpenKafkaTopicReader(bootstrap_servers, options.topic, options.name, from,
                                     {{"fetch.wait.max.ms", "100"}});  // news within moments
  if (!reader.ok()) return reader.status();
  return Start(std::move(options), *std::move(reader), *std::move(applied), std::move(apply));
}

std::unique_ptr<GlobalTable> GlobalTable::Start(Options options,
                                                std::unique_ptr<TopicReader> reader,
                                                Offsets applied, Apply apply) {
  return std::unique_ptr<GlobalTable>(
      new GlobalTable(std::move(options), std::move(reader), std::move(applied), std::move(apply)));
}

GlobalTable::GlobalTable(Options options, std::unique_ptr<TopicReader> reader, Offsets applied,
                         Apply apply)
    : options_(std::move(options)),
      reader_(std::move(reader)),
      apply_(std::move(apply)),
      applied_(std::move(applied)) {
  thread_ = std::thread([this] { Run(); });
}

GlobalTable::~GlobalTable() {
  stopping_ = true;
  thread_.join();
  std::vector<std::function<void(absl::Status)>> arriving;
  {
    absl::MutexLock lock(&mutex_);
    arriving.swap(arriving_);
  }
  const absl::Status gone = absl::UnavailableError(absl::StrCat(options_.name, ": stopped"));
  for (auto& done : arriving) done(gone);
  for (Waiter& waiter : waiters_) waiter.done(gone);
}

void GlobalTable::WhenCaughtUp(std::function<void(absl::Status)> done) {
  absl::MutexLock lock(&mutex_);
  arriving_.push_back(std::move(done));
}

void GlobalTable::ServeWaiters() {
  std::vector<std::function<void(absl::Status)>> arriving;
  Offsets partitions;
  {
    absl::MutexLock lock(&mutex_);
    arriving.swap(arriving_);
    partitions = applied_;
  }
  if (!arriving.empty()) {
    // One look at the ends serves every waiter that came since the last turn.
    Offsets ends;
    absl::Status learnt;
    for (const auto& [partition, unused] : partitions) {
      auto watermarks = reader_->Watermarks(partition, absl::Seconds(5));
      if (!watermarks.ok()) {
        learnt = watermarks.status();
        break;
      }
      ends[partition] = watermarks->second;
    }
    for (auto& done : arriving) {
      if (!learnt.ok()) {
        done(absl::UnavailableError(absl::StrCat(options_.name, ": ", learnt.message())));
      } else {
        waiters_.push_back({std::move(done), ends});
      }
    }
  }
  if (waiters_.empty()) return;
  std::vector<std::function<void(absl::Status)>> ready;
  {
    absl::MutexLock lock(&mutex_);
    auto caught_up = [this](const Waiter& waiter) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      for (const auto& [partition, end] : waiter.targets) {
        if (applied_[partition] < end) return false;
      }
      return true;
    };
    auto keep = waiters_.begin();
    for (Waiter& waiter : waiters_) {
      if (caught_up(waiter)) {
        ready.push_back(std::move(waiter.done));
      } else {
        *keep++ = std::move(waiter);
      }
    }
    waiters_.erase(keep, waiters_.end());
  }
  for (auto& done : ready) done(absl::OkStatus());
}

void GlobalTable::Run() {
  while (!stopping_.load()) {
    ServeWaiters();
    auto polled = reader_->Poll(options_.max_page, options_.poll_wait);
    if (!polled.ok()) {
      INFOBUS_LOG(Warning) << options_.name << ": " << polled.status();
      continue;  // librdkafka reconnects by itself; the poll waited already
    }
    if (polled->records.empty()) continue;
    Offsets next;
    for (const kafka::Record& record : polled->records) next[record.partition] = record.offset + 1;
    OffsetEntries entries;
    for (const auto& [partition, offset] : next) {
      entries.push_back(OffsetEntry(options_.topic, partition, offset));
    }
    const absl::Status applied = apply_(std::move(polled->records), std::move(entries));
    if (applied.ok()) {
      {
        absl::MutexLock lock(&mutex_);
        for (const auto& [partition, offset] : next) applied_[partition] = offset;
      }
      ServeWaiters();  // at once: a writer waiting for its own record is answered now
      continue;
    }
    // Read the page again from what was applied last, after a pause (the store or the apply's
    // producer may be down for a while).
    INFOBUS_LOG(Warning) << options_.name << ": page not applied, will read it again: " << applied;
    Offsets rewind;
    {
      absl::MutexLock lock(&mutex_);
      for (const auto& [partition, offset] : next) rewind[partition] = applied_[partition];
    }
    for (const auto& [partition, offset] : rewind) {
      const absl::Status sought = reader_->Seek(partition, offset == 0 ? kFromBeginning : offset);
      if (!sought.ok()) {
        INFOBUS_LOG(Warning) << options_.name << ": " << sought;
      }
    }
    for (absl::Time until = absl::Now() + options_.retry_after;
         absl::Now() < until && !stopping_.load();) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
}

absl::Status GlobalTable::WaitForCatchUp(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  Offsets targets;
  {
    absl::MutexLock lock(&mutex_);
    for (const auto& [partition, offset] : applied_) targets[partition] = 0;
  }
  for (auto& [partition, end] : targets) {
    // A topic just created may have no leader for a moment: ask again until the deadline.
    while (true) {
      auto watermarks = reader_->Watermarks(partition, std::min(absl::Seconds(5), timeout));
      if (watermarks.ok()) {
        end = watermarks->second;
        break;
      }
      if (absl::Now() >= deadline) return watermarks.status();
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  absl::MutexLock lock(&mutex_);
  auto caught_up = [this, &targets]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    for (const auto& [partition, end] : targets) {
      if (applied_[partition] < end) return false;
    }
    return true;
  };
  if (!mutex_.AwaitWithDeadline(absl::Condition(&caught_up), deadline)) {
    return absl::DeadlineExceededError(
        absl::StrCat(options_.name, ": has not caught up with ", options_.topic, " yet"));
  }
  return absl::OkStatus();
}

}  // namespace infobus::stream
