// infobus-bench: the benchmark's load generator and latency recorder. See BenchUsage().
#include <iostream>
#include <string>
#include <vector>

#include "tools/bench/command_line.h"

int main(int argc, char** argv) {
  return infobus::bench::BenchMain(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                   std::cerr);
}
