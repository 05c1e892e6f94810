#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/config.h"

namespace infobus {

// What a service binary is, for --help.
struct ProgramInfo {
  std::string name;         // e.g. infobus-collection
  std::string description;  // one paragraph: what it consumes, produces and stores
  ConfigSchema schema;
};

// What a service's command line asked for.
struct CommandLine {
  bool help = false;  // --help or -h: print Usage() and exit 0, whatever else was given
  bool print_config = false;
  std::string config_path;                                // empty: no file, defaults apply
  std::vector<std::pair<std::string, std::string>> sets;  // --set KEY=VALUE, in order
};

// Parses the shared command line of every service binary (`args` without the program name):
//   --config FILE     YAML configuration (optional; defaults apply; the last one given wins)
//   --set KEY=VALUE   override one key (repeatable; wins over file and environment)
//   --print-config    print the effective configuration and exit
//   --help, -h        describe every key, its default and its environment variable
// Bad usage is InvalidArgument with the message to print after "<program>: ".
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// Parses argv, loads the configuration (file < environment < --set) and calls `run`; returns
// the process exit code: run's, 0 after --help or --print-config, 2 on bad usage or a bad
// configuration (the reason on stderr, after "<program>: ").
int RunWithConfig(int argc, char** argv, const ProgramInfo& program,
                  const std::function<int(const Config&)>& run);

std::string Usage(const ProgramInfo& program);

}  // namespace infobus
