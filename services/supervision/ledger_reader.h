#pragma once

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "infobus/supervision/v1/supervision_peer_service.pb.h"
#include "infobus/supervision/v1/supervision_service.pb.h"
#include "services/supervision/period.h"
#include "services/supervision/report_builder.h"

namespace infobus::supervision {

// The records of some partitions, as one instance or several hold them: what a trace is
// assembled from. Takes the items asked for; answers what the partitions hold of them.
using FetchPieces = std::function<absl::StatusOr<infobus::supervision::v1::LocalTraceResponse>(
    const infobus::supervision::v1::LocalTraceRequest&)>;

// The trace `request` names at `now`, from the records `fetch` finds: the item (the event a
// trace id names; the judgments that name an event as evidence; a judgment's deliveries and
// evidence events), asked for round by round as each names the next, with the access records
// of every event and judgment asked for (oldest first, the newest kMaxTraceAccesses; the rest
// counted in `accesses_not_shown`). INVALID_ARGUMENT naming the field of a bad request,
// NOT_FOUND when nothing of the item is known; an event collection rejected has only its
// REJECTED record: no events, the record, and `missing` saying why. `fetch`'s errors as they
// are. Pure but for `fetch`.
inline constexpr int kMaxTraceAccesses = 200;
absl::StatusOr<infobus::supervision::v1::TraceResponse> AssembleTrace(
    const infobus::supervision::v1::TraceRequest& request, absl::Time now,
    const FetchPieces& fetch);

// Reads what the Ledger wrote in the partitions it is asked about: the records of some items,
// and the tallies of a period. Everything it finds, unfiltered (the service decides what the
// caller may see). Thread-safe (RocksDB reads; a trace is a few gets and prefix scans per
// partition, a report three range scans of tallies per partition).
class LedgerReader {
 public:
  explicit LedgerReader(const Store* store) : store_(store) {}

  // What `partitions` hold of the items of `request` (`partitions` is not filled in).
  absl::StatusOr<infobus::supervision::v1::LocalTraceResponse> Pieces(
      const infobus::supervision::v1::LocalTraceRequest& request,
      const std::vector<int32_t>& partitions) const;

  // The trace of `request` from `partitions` alone (AssembleTrace over Pieces).
  absl::StatusOr<infobus::supervision::v1::TraceResponse> Trace(
      const infobus::supervision::v1::TraceRequest& request, absl::Time now,
      const std::vector<int32_t>& partitions) const;

  // Hands every tally of `period` in `partitions` to `sink`: the whole UTC days from the day
  // roll-up, the hours at either end from the hourly tallies.
  // `key` is the tally's key as Encode() made it (without the partition), `view` of it.
  using TallySink = std::function<void(std::string_view key, const TallyKeyView& view,
                                       const storage::v1::Tally& tally)>;
  absl::Status ScanTallies(const Period& period, const std::vector<int32_t>& partitions,
                           const TallySink& sink) const;
  absl::Status ScanTallies(const Period& period, const std::vector<int32_t>& partitions,
                           ReportBuilder* builder) const;
  // The tallies of `period` in `partitions`, summed over the hours (keys with hour 0): what a
  // report adds up, as a peer sends it (`partitions` is not filled in).
  absl::StatusOr<infobus::supervision::v1::LocalReportResponse> SumTallies(
      const Period& period, const std::vector<int32_t>& partitions) const;

 private:
  // Adds the tallies of `family` of `partition` in hours [first_hour, end_hour).
  absl::Status ScanRange(const char* family, int32_t partition, int64_t first_hour,
                         int64_t end_hour, const TallySink& sink) const;

  const Store* const store_;
};

}  // namespace infobus::supervision
