#include "tools/bench/machine.h"

#include <google/protobuf/stubs/common.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>
#include <rocksdb/version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace infobus::bench {

namespace {

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "model name")) {
      auto colon = line.find(':');
      if (colon != std::string::npos)
        return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
  }
  return "unknown";
}

int64_t MemTotalMiB() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  while (in >> key) {
    if (key == "MemTotal:") {
      in >> kib;
      return kib / 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

}  // namespace

double LoadAverage1m() {
  double load = -1;
  std::ifstream in("/proc/loadavg");
  in >> load;
  return load;
}

v1::Machine MachineInfo() {
  v1::Machine info;
  info.set_nproc(static_cast<int32_t>(std::thread::hardware_concurrency()));
  info.set_cpu_model(CpuModel());
  info.set_mem_total_mib(static_cast<int32_t>(MemTotalMiB()));
  struct utsname name;
  if (uname(&name) == 0) {
    info.set_kernel(absl::StrCat(name.sysname, " ", name.release, " ", name.machine));
    info.set_hostname(name.nodename);
  }
  info.set_loadavg_1m_at_start(LoadAverage1m());
  return info;
}

v1::Versions Versions(const std::string& kafka_version) {
  v1::Versions versions;
  versions.set_librdkafka(RdKafka::version_str());
  versions.set_grpc(grpc::Version());
  versions.set_rocksdb(absl::StrCat(ROCKSDB_MAJOR, ".", ROCKSDB_MINOR, ".", ROCKSDB_PATCH));
  versions.set_protobuf(google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION));
  versions.set_kafka_broker(kafka_version.empty() ? "unknown" : kafka_version);
#if defined(__clang__)
  versions.set_compiler(absl::StrCat("clang ", __clang_version__));
#elif defined(__GNUC__)
  versions.set_compiler(absl::StrCat("gcc ", __VERSION__));
#endif
  return versions;
}

CpuMeter::CpuMeter(std::map<std::string, pid_t> pids) : pids_(std::move(pids)) {
  pids_["bench"] = getpid();
}

double CpuMeter::CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  if (!std::getline(in, stat)) return 0;
  // The command name may hold spaces; fields after its closing parenthesis are space-separated.
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(paren + 2), ' ');
  // After the name: state(0) ... utime(11) stime(12).
  if (fields.size() < 13) return 0;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
}

void CpuMeter::Start() {
  for (const auto& [name, pid] : pids_) start_[name] = CpuSeconds(pid);
}

std::map<std::string, double> CpuMeter::Stop() {
  for (const auto& [name, pid] : pids_) {
    const double now = CpuSeconds(pid);
    last_[name] = now > 0 ? now - start_[name] : 0;
  }
  return last_;
}

double CpuMeter::Seconds(const std::string& name) const {
  auto it = last_.find(name);
  return it == last_.end() ? -1 : it->second;
}

}  // namespace infobus::bench
