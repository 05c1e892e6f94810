#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/store/store.h"
#include "infobus/common/v1/audit.pb.h"
#include "infobus/common/v1/dead_letter.pb.h"
#include "infobus/common/v1/dispatch_event.pb.h"
#include "infobus/common/v1/event.pb.h"
#include "infobus/common/v1/judgment.pb.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/write_batch.h"
#include "services/supervision/contributions.h"

namespace infobus::supervision {

// The supervision store's families and keys (ledger.cc says what each holds). Every key starts
// with the repartition topic's partition whose records made it (PartitionKey), so that one
// partition's state is one key prefix in each family.
struct Families {
  static constexpr char kEvents[] = "events";                   // "<source>\x1f<event>"
  static constexpr char kTraces[] = "traces";                   // trace id -> events key
  static constexpr char kEventJudgments[] = "event_judgments";  // "<events key>\x1f<judgment>"
  static constexpr char kJudgments[] = "judgments";             // judgment id
  static constexpr char kDeliveries[] = "deliveries";           // "<judgment>\x1f<delivery>"
  static constexpr char kDeadLetters[] = "dead_letters";        // "<topic>\x1f<part>\x1f<offset>"
  static constexpr char kTallies[] = "tallies";                 // TallyKey
  static constexpr char kDailyTallies[] = "daily_tallies";      // TallyKey of the day's first hour
  static constexpr char kAccesses[] = "accesses";               // AccessKey
  // "partitioned" -> "1": the keys carry their partition (a store from before has no such key).
  static constexpr char kLayout[] = "layout";
  static std::vector<std::string> All();
  // The hourly tallies add their Merge()d deltas (tally_add_operator.h): open the store with it.
  static std::map<std::string, std::shared_ptr<rocksdb::MergeOperator>> MergeOperators();
};

// What `family` holds at `key` (`bytes`, as read) as a Record: nullopt when absent, DATA_LOSS
// when it does not parse. For the Ledger and its reader.
template <typename Record>
absl::StatusOr<std::optional<Record>> ParseStored(
    const char* family, const std::string& key, absl::StatusOr<std::optional<std::string>> bytes) {
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Record>();
  Record record;
  if (!record.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat(family, " record '", key, "' does not parse"));
  }
  return std::optional<Record>(std::move(record));
}

// `key` within partition `partition` of the repartition topic: 2 bytes big-endian, then `key`.
std::string PartitionKey(int32_t partition, std::string_view key);
// The partition of a key PartitionKey made, and the key within it.
int32_t PartitionOf(std::string_view key);
inline std::string_view WithinPartition(std::string_view key) { return key.substr(2); }

std::string EventKey(const std::string& source_id, const std::string& event_id);
std::string DeliveryKey(const std::string& judgment_id, const std::string& delivery_id);

// Where the audit records of an item are (family "accesses", oldest first): the prefix of a
// judgment's (its own and its deliveries'), and of an event's ("e" or "j", \x1f, the id, \x1f);
// a record's key is its item's prefix, its time (8 bytes big-endian) and its audit id.
std::string JudgmentAccessPrefix(const std::string& judgment_id);
std::string EventAccessPrefix(const std::string& event_key);

// Folds the bus's facts into one record per item (event, judgment, delivery) and into the
// hourly tallies, staging every change for one WriteBatch: a batch of facts is applied with the
// offsets it came from, or not at all. Facts may arrive in any order (a delivery's sign-off
// before its judgment, on another topic) and more than once (a producer's redo, a reviewed
// judgment produced again): each record is updated idempotently, and the tallies take the
// change of its contribution (contributions.h). Reads the store and what this batch staged so
// far. Every fact belongs to the partition of the repartition topic it was read from
// (Into()): it reads and changes only that partition's records and tallies, so a partition's
// state is a function of its records alone and can be rebuilt by replaying them. Not
// thread-safe: the consumer loop's thread only.
class Ledger {
 public:
  explicit Ledger(Store* store) : store_(store) {}

  // The partition the facts staged from now on came from.
  void Into(int32_t partition) { partition_ = partition; }

  absl::Status StageEvent(const infobus::common::v1::Event& event);
  absl::Status StageJudgment(const infobus::common::v1::Judgment& judgment);
  absl::Status StageDispatchEvent(const infobus::common::v1::DispatchEvent& event);
  absl::Status StageDeadLetter(const infobus::common::v1::DeadLetter& dead_letter);
  // An access record: kept under its item (a judgment's or an event's), once per audit id; a
  // REJECTED one (an event collection would not take) is counted too. A record of no item a
  // trace shows (watchlist, rules, a report) is skipped: false.
  absl::StatusOr<bool> StageAudit(const infobus::common::v1::AuditRecord& record);

  // Puts what was staged into `batch` (the records; each changed hourly tally's delta as a
  // Merge; the changed daily tallies, read and added to) and starts a new stage.
  absl::Status Flush(rocksdb::WriteBatch* batch);
  // Forgets what was staged (the batch will be offered again).
  void Discard();

 private:
  // The value of `key` in `family` in the current partition: staged in this batch, else stored.
  absl::StatusOr<std::optional<std::string>> Read(const char* family, const std::string& key);
  void Stage(const char* family, std::string key, std::string value);
  template <typename Record>
  absl::StatusOr<std::optional<Record>> ReadRecord(const char* family, const std::string& key);
  // Replaces judgment `judgment_id`'s record with what `change` makes of it, tallies too.
  absl::Status UpdateJudgment(const std::string& judgment_id,
                              const std::function<void(JudgmentRecord*)>& change);

  // The tally deltas of the current partition.
  TallyDeltas* Deltas() { return &deltas_[partition_]; }

  Store* const store_;
  int32_t partition_ = 0;
  // (family, partition key) -> value.
  std::map<std::pair<std::string, std::string>, std::string> staged_;
  std::map<int32_t, TallyDeltas> deltas_;
};

}  // namespace infobus::supervision
