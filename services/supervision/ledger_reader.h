#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "infobus/supervision/v1/supervision_service.pb.h"
#include "services/supervision/period.h"
#include "services/supervision/report_builder.h"

namespace infobus::supervision {

// Reads what the Ledger wrote: the chain of an item, and the tallies of a period. Everything
// it finds, unfiltered (the service decides what the caller may see). Thread-safe (RocksDB
// reads; a trace is a few gets and two prefix scans, a report three range scans of tallies).
class LedgerReader {
 public:
  explicit LedgerReader(const Store* store) : store_(store) {}

  // The item `request` names, at `now`, with the access records of its events and judgments
  // (the newest kMaxAccesses): INVALID_ARGUMENT naming the field of a bad request, NOT_FOUND
  // when supervision has seen nothing of it. An event collection rejected has only its
  // REJECTED record: no events, the record, and `missing` saying why.
  absl::StatusOr<infobus::supervision::v1::TraceResponse> Trace(
      const infobus::supervision::v1::TraceRequest& request, absl::Time now) const;
  static constexpr int kMaxAccesses = 200;

  // Adds every tally of `period` to `builder`: the whole UTC days from the day roll-up, the
  // hours at either end from the hourly tallies.
  absl::Status ScanTallies(const Period& period, ReportBuilder* builder) const;

 private:
  template <typename Record>
  absl::StatusOr<std::optional<Record>> Get(const char* family, const std::string& key) const;
  // The judgment `judgment_id` with its deliveries and the evidence events seen; nullopt when
  // nothing of it is known.
  absl::StatusOr<std::optional<infobus::supervision::v1::JudgmentTrace>> TraceJudgment(
      const std::string& judgment_id, absl::Time now) const;
  // Trace without the access records.
  absl::StatusOr<infobus::supervision::v1::TraceResponse> TraceItems(
      const infobus::supervision::v1::TraceRequest& request, absl::Time now) const;
  // Adds the access records under `prefix` (ledger.h: AccessPrefix) to `response`.
  absl::Status AddAccesses(const std::string& prefix,
                           infobus::supervision::v1::TraceResponse* response) const;
  // The trace of the event stored under `event_key`.
  absl::Status TraceEvent(const std::string& event_key, absl::Time now,
                          infobus::supervision::v1::TraceResponse* response) const;

  // Adds the tallies of `family` in hours [first_hour, end_hour).
  absl::Status ScanRange(const char* family, int64_t first_hour, int64_t end_hour,
                         ReportBuilder* builder) const;

  const Store* const store_;
};

}  // namespace infobus::supervision
