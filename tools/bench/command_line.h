#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/bench.h"

namespace infobus::bench {

// What infobus-bench was asked to do.
struct BenchCommand {
  enum class Action { kRun, kHelp, kPrintSourceRegistry };
  Action action = Action::kRun;
  BenchOptions options;  // kRun: validated
  std::string out_path;  // --out; empty: the results go to stdout
};

// Parses infobus-bench's flags (`args` without the program name): --flag value or --flag=value,
// the last one given winning. --smoke makes the sizes tiny; size flags given beside it still
// win. Bad usage is InvalidArgument with the message to print.
absl::StatusOr<BenchCommand> ParseBenchFlags(const std::vector<std::string>& args);

// --help's text: what the benchmark runs, and every flag with its default.
std::string BenchUsage();

// The whole of infobus-bench: parses `args`, runs the benchmark (progress on `err`) and writes
// the results JSON to --out or `out`. Returns the exit code: 0; 1 when the run failed; 2 on bad
// usage; 3 when a set's service exited during the run (its figures are written, incomplete).
int BenchMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace infobus::bench
