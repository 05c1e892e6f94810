#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "infobus/bench/v1/bench_results.pb.h"

namespace infobus::bench {

// What the figures were measured on: nproc, CPU model, memory, kernel, load average, and the
// versions of the libraries linked in (librdkafka, gRPC, RocksDB, protobuf). The Kafka broker's
// version is not visible to a client, so the caller passes it in.
v1::Machine MachineInfo();
v1::Versions Versions(const std::string& kafka_version);
// The 1-minute load average now: other work on the machine is noise in the figures.
double LoadAverage1m();

// CPU time (user + system) of processes, sampled at the start and end of a phase, so each phase
// can say how much CPU each service burned for its throughput.
class CpuMeter {
 public:
  // name -> pid; "bench" (this process) is always added.
  explicit CpuMeter(std::map<std::string, pid_t> pids);
  void Start();
  // Seconds of CPU per process since Start(); a process that has gone reads 0.
  std::map<std::string, double> Stop();
  // The seconds of `name` in the last Stop(), or -1 when unknown.
  double Seconds(const std::string& name) const;
  // The CPU seconds (user + system, all threads) `pid` has used so far; 0 when it is gone.
  static double CpuSeconds(pid_t pid);

 private:
  std::map<std::string, pid_t> pids_;
  std::map<std::string, double> start_;
  std::map<std::string, double> last_;
};

}  // namespace infobus::bench
