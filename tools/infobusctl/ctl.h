#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace infobus::ctl {

// infobusctl: the command-line client of the bus, a table of subcommands (CLI11), each with its
// own --help. Runs one command with its arguments (argv without the program name), reads input
// from `in`, writes results as JSON lines (the protobuf JSON mapping) and help to `out`, and
// diagnostics to `err`. Returns the process exit code: 0 done, 1 the call failed or its answer
// says so (e.g. NOT_SERVING), 2 a usage error.
int RunCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err);

}  // namespace infobus::ctl
