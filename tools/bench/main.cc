// infobus-bench: the benchmark's load generator and latency recorder. See BenchUsage().
#include <fstream>
#include <iostream>

#include "tools/bench/bench.h"
#include "tools/bench/workload.h"

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--print-source-registry") {
    std::cout << infobus::bench::Workload::SourceRegistryYaml();
    return 0;
  }
  auto options = infobus::bench::ParseBenchFlags(argc, argv);
  if (!options.ok()) {
    const bool help = absl::IsCancelled(options.status());
    (help ? std::cout : std::cerr) << options.status().message() << (help ? "" : "\n");
    return help ? 0 : 2;
  }
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--out=", 0) == 0) out_path = arg.substr(6);
    if (arg == "--out" && i + 1 < argc) out_path = argv[i + 1];
  }
  auto doc = infobus::bench::RunBench(*options, std::cerr);
  if (!doc.ok()) {
    std::cerr << "infobus-bench: " << doc.status() << "\n";
    return 1;
  }
  const std::string json = doc->Dump();
  if (out_path.empty()) {
    std::cout << json;
  } else {
    std::ofstream out(out_path, std::ios::trunc);
    out << json;
    if (!out) {
      std::cerr << "infobus-bench: cannot write " << out_path << "\n";
      return 1;
    }
    std::cerr << "[bench] results written to " << out_path << "\n";
  }
  // The figures are written either way; a set whose service exited makes the run a failure.
  return doc->Contains("errors") ? 3 : 0;
}
