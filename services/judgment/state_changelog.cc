#include "services/judgment/state_changelog.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/stream/read_to_end.h"

namespace infobus::judgment {
namespace {

constexpr char kSep = '\x1f';

// Deletes every state record of `scope` (its keys are "<scope>\x1f…").
void DeleteScope(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family,
                 const std::string& scope) {
  batch.DeleteRange(family, scope + kSep, scope + static_cast<char>(kSep + 1));
}

// What the changelog says of one scope.
struct ScopeLog {
  std::map<std::string, std::optional<std::string>> records;  // latest per key; nullopt: deleted
  int64_t mark = -1;
};

}  // namespace

std::optional<int32_t> StateChangelog::PartitionOf(std::string_view key) {
  const size_t scope_end = key.find(kSep);
  if (scope_end == std::string_view::npos) return std::nullopt;
  const std::string_view scope = key.substr(0, scope_end);
  const size_t slash = scope.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  int32_t partition = 0;
  const std::string_view digits = scope.substr(slash + 1);
  if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &partition) ||
      partition < 0) {
    return std::nullopt;
  }
  return partition;
}

std::string StateChangelog::MarkKey(std::string_view scope) {
  return absl::StrCat(absl::string_view(scope.data(), scope.size()), "\x1f\x1fO\x1f");
}

void StateChangelog::Stage(const StateChange& change, const std::set<std::string>& owned,
                           stream::Transaction& context) const {
  const std::optional<int32_t> partition = PartitionOf(change.key);
  if (!partition.has_value()) return;
  if (owned.count(change.key.substr(0, change.key.find(kSep))) == 0) return;
  kafka::OutgoingMessage message;
  message.topic = topic_;
  message.partition = *partition;
  message.key = change.key;
  if (change.value.has_value()) {
    message.value = *change.value;
  } else {
    message.tombstone = true;
  }
  context.ProduceAfterOutput(std::move(message));
}

void StateChangelog::StageMark(const std::string& scope, int64_t next_offset,
                               stream::Transaction& context) const {
  const std::optional<int32_t> partition = PartitionOf(scope + kSep);
  if (!partition.has_value()) return;
  kafka::OutgoingMessage message;
  message.topic = topic_;
  message.partition = *partition;
  message.key = MarkKey(scope);
  message.value = EncodeBigEndian64(static_cast<uint64_t>(next_offset));
  context.ProduceAfterOutput(std::move(message));
}

absl::Status StateChangelog::DropLocal(const std::set<std::string>& scopes) {
  rocksdb::WriteBatch batch;
  for (const std::string& scope : scopes) {
    DeleteScope(batch, store_->Family(state_family_), scope);
    batch.Delete(store_->Family(offsets_family_), scope);
    INFOBUS_LOG(Info) << "dropping the local state of " << scope
                      << ": another instance owns it now (its changelog has it)";
  }
  return store_->Write(&batch);
}

absl::StatusOr<int> StateChangelog::Restore(
    const std::vector<std::pair<std::string, int32_t>>& partitions) {
  // The scopes to look for, by changelog partition (an events and a sightings partition share
  // one), so each changelog partition is read once.
  std::map<int32_t, std::map<std::string, ScopeLog>> wanted;
  for (const auto& [topic, partition] : partitions) {
    wanted[partition][stream::OffsetKey(topic, partition)];
  }
  // Read everything first, so a read that fails changes nothing.
  for (auto& [partition, scopes] : wanted) {
    size_t read = 0;
    absl::Status status = stream::ReadPartitionToEnd(
        bootstrap_servers_, topic_, partition, timeout_,
        [&](const kafka::Record& record) {
          ++read;
          auto scope = scopes.find(record.key.substr(0, record.key.find(kSep)));
          if (scope == scopes.end()) return;
          if (record.key == MarkKey(scope->first)) {
            if (record.value.size() == 8) {
              scope->second.mark = static_cast<int64_t>(DecodeBigEndian64(record.value));
            }
            return;
          }
          scope->second.records[record.key] =
              record.null_value ? std::nullopt : std::optional<std::string>(record.value);
        },
        &cancelled_);
    if (!status.ok()) return status;
    INFOBUS_LOG(Info) << read << " records read from " << topic_ << "/" << partition;
  }
  int replaced = 0;
  for (const auto& [partition, scopes] : wanted) {
    for (const auto& [scope, log] : scopes) {
      auto stored = store_->Get(offsets_family_, scope);
      if (!stored.ok()) return stored.status();
      const int64_t local =
          stored->has_value() ? static_cast<int64_t>(DecodeBigEndian64(**stored)) : -1;
      if (log.mark <= local) continue;  // the store is as far on (or the changelog has nothing)
      rocksdb::WriteBatch batch;
      rocksdb::ColumnFamilyHandle* family = store_->Family(state_family_);
      DeleteScope(batch, family, scope);
      size_t kept = 0;
      for (const auto& [key, value] : log.records) {
        if (!value.has_value()) continue;
        batch.Put(family, key, *value);
        ++kept;
      }
      batch.Put(store_->Family(offsets_family_), scope,
                EncodeBigEndian64(static_cast<uint64_t>(log.mark)));
      if (absl::Status written = store_->Write(&batch); !written.ok()) return written;
      INFOBUS_LOG(Info) << "state of " << scope << " restored from " << topic_ << "/" << partition
                        << ": " << kept << " records, resuming at offset " << log.mark
                        << " (the store had "
                        << (local < 0 ? std::string("none") : absl::StrCat("offset ", local))
                        << ")";
      ++replaced;
    }
  }
  return replaced;
}

}  // namespace infobus::judgment
