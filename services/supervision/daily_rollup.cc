#include "services/supervision/daily_rollup.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/supervision/contributions.h"
#include "services/supervision/deterministic_bytes.h"
#include "services/supervision/ledger.h"
#include "services/supervision/tally_key.h"

namespace infobus::supervision {

absl::StatusOr<int64_t> BackfillDailyTallies(Store* store) {
  {
    auto daily = store->NewIterator(Families::kDailyTallies);
    daily->SeekToFirst();
    if (!daily->status().ok()) return absl::InternalError(daily->status().ToString());
    if (daily->Valid()) return 0;  // rolled up as it was folded
  }
  TallyDeltas days;
  auto it = store->NewIterator(Families::kTallies);
  Tally tally;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    tally.Clear();
    if (!tally.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("tally '", absl::CEscape(it->key().ToString()), "' does not parse"));
    }
    if (IsEmpty(tally)) continue;
    const std::string_view key(it->key().data(), it->key().size());
    Accumulate(tally, &days[PartitionKey(PartitionOf(key), DayKeyOf(WithinPartition(key)))]);
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  rocksdb::WriteBatch batch;
  for (const auto& [key, sum] : days) {
    if (IsEmpty(sum)) continue;
    rocksdb::Status s =
        batch.Put(store->Family(Families::kDailyTallies), key, DeterministicBytes(sum));
    if (!s.ok()) return absl::InternalError(s.ToString());
  }
  if (batch.Count() == 0) return 0;
  if (absl::Status status = store->Write(&batch); !status.ok()) return status;
  return static_cast<int64_t>(batch.Count());
}

}  // namespace infobus::supervision
