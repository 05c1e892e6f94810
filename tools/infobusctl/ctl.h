#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace infobus::ctl {

// infobusctl: the command-line client of the bus. Runs one command with its arguments (argv
// without the program name), reads input from `in`, writes results as JSON lines (the protobuf
// JSON mapping) to `out` and diagnostics to `err`. Returns the process exit code.
int RunCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err);

std::string Usage();

}  // namespace infobus::ctl
