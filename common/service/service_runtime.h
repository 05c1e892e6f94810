#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/audit/audit_log.h"
#include "common/grpc/server.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/metrics/metrics.h"
#include "common/service/bus_options.h"
#include "common/service/consumer_options.h"
#include "common/service/health_monitor.h"
#include "common/store/store.h"
#include "common/stream/consumer_loop.h"

namespace grpc {
class Service;
}

namespace infobus {

// What every infobus service process owns, opened in order: its RocksDB store, the bus topics
// (created if missing), an idempotent Kafka producer, and finally its gRPC server. A service
// builds its logic on these, then calls Serve(). Destruction runs in reverse order. It keeps a
// copy of the BusOptions it was opened with.
class ServiceRuntime {
 public:
  // `families`: the service's column families (the consumer-offsets family is always added).
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Open(
      const BusOptions& options, const std::string& service,
      const std::vector<std::string>& families,
      std::map<std::string, std::shared_ptr<rocksdb::MergeOperator>> merge_operators = {});
  ~ServiceRuntime();

  Store& store() { return *store_; }
  kafka::Producer& producer() { return *producer_; }
  // Access records on infobus.audit.v1, through the producer.
  audit::AuditLog& audit() { return *audit_; }
  const kafka::Topics& topics() const { return topics_; }

  // Adds a health check (before Serve): while any check fails, grpc.health.v1 answers
  // NOT_SERVING. Kafka reachability and the store are always checked.
  void AddHealthCheck(const std::string& name, HealthMonitor::Check check);
  // Creates and starts the consumer loop of `topics` (on the store and producer), and checks
  // that it keeps turning and committing (options.stall_after).
  absl::StatusOr<stream::ConsumerLoopPtr> StartConsumer(const ConsumerOptions& options,
                                                        std::vector<std::string> topics,
                                                        stream::RecordHandler* handler);

  // Starts the gRPC server on grpc.listen, the health monitor, and writes grpc.port_file.
  absl::Status Serve(const std::vector<grpc::Service*>& services);
  int port() const { return server_ ? server_->port() : 0; }
  // Stops the gRPC server (lets calls finish for `grace`).
  void StopServing(absl::Duration grace);

 private:
  ServiceRuntime(const BusOptions& options, const std::string& service)
      : options_(options), service_(service), topics_(options.topics) {}

  const BusOptions options_;
  std::string service_;
  kafka::Topics topics_;
  std::unique_ptr<metrics::MetricsServer> metrics_;
  StorePtr store_;
  kafka::ProducerPtr producer_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::vector<std::pair<std::string, HealthMonitor::Check>> health_checks_;
  GrpcServerPtr server_;
  std::unique_ptr<HealthMonitor> health_;
};

// Blocks SIGINT/SIGTERM for all threads; call first in main.
void PrepareProcess();
// Runs a service process until SIGINT/SIGTERM, then stop(); returns the exit code (0 after a
// clean stop, 1 when start() failed for good). While start() has not succeeded, grpc.listen
// answers grpc.health.v1 with NOT_SERVING (Serve takes the address over); a start that fails
// because Kafka does not answer (UNAVAILABLE, DEADLINE_EXCEEDED) is undone with stop() and
// retried with backoff (1 s doubling to 15 s), anything else ends the process. A signal during
// start-up ends it within about 3 s.
// `grpc_service` is the full name of the gRPC service it will serve, answered NOT_SERVING
// by name too while it starts.
int RunUntilTerminated(const BusOptions& options, const std::string& service,
                       const std::string& grpc_service, const std::function<absl::Status()>& start,
                       const std::function<void()>& stop);

}  // namespace infobus
