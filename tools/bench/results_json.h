#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "infobus/bench/v1/bench_results.pb.h"

namespace infobus::bench {

// The results as infobus-bench writes them: protobuf's JSON mapping with the proto field names
// (p99_9, not p999), indented, ending in a newline. JSON has no NaN or infinity, and the readers
// expect numbers: a non-finite figure (a rate over no time) is left out, a non-finite element
// of a list or map is written as 0, the benchmark's "no figure" elsewhere (Ratio, a failed round).
absl::StatusOr<std::string> ResultsJson(v1::BenchResults results);

}  // namespace infobus::bench
