#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/command_line.h"
#include "common/config/config.h"
#include "common/service/bus_options.h"
#include "common/service/service_runtime.h"

namespace infobus {

// The shape every service process has (collection, judgment, dispatch): Start() opens what the
// service needs on a ServiceRuntime and serves; Stop() closes it again, gRPC first and the rest
// in reverse order, so that a failed start can be undone and tried again; Run() does both
// around the process's life (RunUntilTerminated). A server derives from it, implements Start,
// Stop and bus(), and is built from its typed options by RunServerMain.
// Not thread-safe: Run calls Start and Stop on its start-up thread, one at a time.
class ServiceServer {
 public:
  virtual ~ServiceServer() = default;

  // Until SIGINT/SIGTERM; returns the process's exit code (see RunUntilTerminated). Each
  // attempt to start applies log.level first.
  int Run();
  virtual absl::Status Start() = 0;
  virtual void Stop() = 0;

 protected:
  // `service` names the process ("collection": logs, store); `grpc_service` is the full name of
  // the gRPC service it serves, answered NOT_SERVING while it starts.
  ServiceServer(std::string service, std::string grpc_service)
      : service_(std::move(service)), grpc_service_(std::move(grpc_service)) {}

  // The common settings, from the server's own options.
  virtual const BusOptions& bus() const = 0;

  // Opens the runtime with the service's column families (runtime()).
  absl::Status OpenRuntime(
      const std::vector<std::string>& families,
      std::map<std::string, std::shared_ptr<rocksdb::MergeOperator>> merge_operators = {});
  ServiceRuntime& runtime() { return *runtime_; }
  // The start of Stop(): stops gRPC, letting calls finish for `grace`, so that no call is
  // mid-flight when what it uses goes away. Nothing before OpenRuntime.
  void StopServing(absl::Duration grace);
  // Closes the runtime (store, producer, audit log), in Stop() once nothing uses them.
  void CloseRuntime() { runtime_.reset(); }

 private:
  const std::string service_;
  const std::string grpc_service_;
  std::unique_ptr<ServiceRuntime> runtime_;
};

// Ends a process whose options are bad (a bad combination of keys): the reason on stderr after
// "<program>: bad configuration: ", as RunWithConfig reports a bad configuration; returns 2.
int ReportBadOptions(const ProgramInfo& program, const absl::Status& status);

// A service's main(): PrepareProcess, the command line and configuration (RunWithConfig: --help,
// --print-config, --config, --set), the typed options from the configuration (`options_from`,
// once), then Server(options).Run(). Returns the process's exit code.
template <typename Server, typename Options>
int RunServerMain(int argc, char** argv, absl::StatusOr<Options> (*options_from)(const Config&)) {
  PrepareProcess();
  const ProgramInfo program = Server::Program();
  return RunWithConfig(argc, argv, program, [&program, options_from](const Config& config) {
    absl::StatusOr<Options> options = options_from(config);
    if (!options.ok()) return ReportBadOptions(program, options.status());
    Server server(*std::move(options));
    return server.Run();
  });
}

}  // namespace infobus
