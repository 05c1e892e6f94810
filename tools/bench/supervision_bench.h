#pragma once

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "infobus/bench/v1/bench_results.pb.h"
#include "tools/bench/supervision_facts.h"

namespace infobus::bench {

// The month the generated facts fill and the reports cover (30 days, as the generator's month),
// in the local time of the routing file: China, UTC+8.
inline constexpr char kSupervisionMonth[] = "2026-11";
inline constexpr int kSupervisionUtcOffsetSeconds = 8 * 3600;

struct SupervisionBenchOptions {
  SupervisionShape shape;
  int batch = 500;         // records per consumer batch (one WriteBatch each)
  int64_t traces = 10000;  // lookups of each kind (by judgment id, by trace id)
  int report_runs = 5;     // of each scope
  int partitions = 2;      // facts partitions, each fact into its item's one
  // A fresh store is made in a new directory under this one and removed afterwards.
  std::string dir = "/tmp";
};

// The supervision store alone, in this process (no broker, no gRPC): folds a generated month
// (SupervisionFacts) into a fresh on-disk Store opened as the service opens it, in batches as
// the consumer loop makes them, each fact into its item's partition of `partitions`, then times
// LedgerReader::Trace of random judged items and the month's report (ScanTallies +
// ReportBuilder::Finish over every partition) for all of it and for one city. Fails when a
// traced item is not found or a report's counts differ from what was generated. Progress goes
// to `log` every few seconds.
absl::StatusOr<v1::Supervision> RunSupervisionBench(const SupervisionBenchOptions& options,
                                                    std::ostream& log);

}  // namespace infobus::bench
