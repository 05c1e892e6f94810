#include "common/service/service_server.h"

#include <cstdio>

namespace infobus {

int ServiceServer::Run() {
  return RunUntilTerminated(
      bus(), service_, grpc_service_,
      [this] {
        log::SetComponent(service_);
        log::SetMinLevel(bus().log_level);
        return Start();
      },
      [this] { Stop(); });
}

absl::Status ServiceServer::OpenRuntime(
    const std::vector<std::string>& families,
    std::map<std::string, std::shared_ptr<rocksdb::MergeOperator>> merge_operators) {
  auto runtime = ServiceRuntime::Open(bus(), service_, families, std::move(merge_operators));
  if (!runtime.ok()) return runtime.status();
  runtime_ = std::move(*runtime);
  return absl::OkStatus();
}

void ServiceServer::StopServing(absl::Duration grace) {
  if (runtime_) runtime_->StopServing(grace);
}

int ReportBadOptions(const ProgramInfo& program, const absl::Status& status) {
  std::fprintf(stderr, "%s: bad configuration: %s\n", program.name.c_str(),
               std::string(status.message()).c_str());
  return 2;
}

}  // namespace infobus
