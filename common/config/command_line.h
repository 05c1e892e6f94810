#pragma once

#include <functional>
#include <string>

#include "common/config/config.h"

namespace infobus {

// What a service binary is, for --help.
struct ProgramInfo {
  std::string name;         // e.g. infobus-collection
  std::string description;  // one paragraph: what it consumes, produces and stores
  ConfigSchema schema;
};

// The shared command line of every service binary:
//   --config FILE     YAML configuration (optional; defaults apply)
//   --set KEY=VALUE   override one key (repeatable; wins over file and environment)
//   --print-config    print the effective configuration and exit
//   --help            describe every key, its default and its environment variable
// Loads the configuration and calls `run`; returns the process exit code (2 on bad usage).
int RunWithConfig(int argc, char** argv, const ProgramInfo& program,
                  const std::function<int(const Config&)>& run);

std::string Usage(const ProgramInfo& program);

}  // namespace infobus
