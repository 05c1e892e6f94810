#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace infobus::testing {

// What a program run by RunProgram did: its exit code (-1 when a signal ended it) and what it
// wrote to stdout and stderr, interleaved.
struct ProgramResult {
  int exit_code = -1;
  std::string output;
};

// Runs `argv` the way docker's exec form ("CMD", ...) does: no shell, argv[0] looked up on PATH,
// which has `path_first` put before it (e.g. the build's bin directory). A program still running
// after `timeout` is killed and reported as an error.
absl::StatusOr<ProgramResult> RunProgram(const std::vector<std::string>& argv,
                                         const std::string& path_first, absl::Duration timeout);

}  // namespace infobus::testing
