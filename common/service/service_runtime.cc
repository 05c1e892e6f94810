#include "common/service/service_runtime.h"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/kafka/admin.h"
#include "common/log/log.h"
#include "common/service/service_security.h"
#include "common/stream/consumer_loop.h"
#include "common/util/signals.h"

namespace infobus {
namespace {

// The server that answers NOT_SERVING on the service's address while it starts
// (RunUntilTerminated); Serve() takes the address over.
absl::Mutex startup_server_mutex(absl::kConstInit);
GrpcServerPtr& StartupServer() ABSL_EXCLUSIVE_LOCKS_REQUIRED(startup_server_mutex) {
  static auto* server = new GrpcServerPtr();
  return *server;
}

void ReleaseStartupServer() {
  absl::MutexLock lock(&startup_server_mutex);
  if (GrpcServerPtr& server = StartupServer()) {
    server->Shutdown(absl::ZeroDuration());
    server.reset();
  }
}

// Kafka not answering (yet): the errors a start is retried after.
bool IsTransient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Open(
    const BusOptions& options, const std::string& service, const std::vector<std::string>& families,
    std::map<std::string, std::shared_ptr<rocksdb::MergeOperator>> merge_operators) {
  std::unique_ptr<ServiceRuntime> runtime(new ServiceRuntime(options, service));
  if (const std::string& listen = options.metrics_listen; !listen.empty()) {
    // Metrics follow the gRPC side: TLS (scrapers present a client certificate) unless
    // security.mode=insecure.
    std::optional<metrics::MetricsServer::Tls> tls;
    if (options.security.mode != SecurityOptions::Mode::kInsecure) {
      tls =
          metrics::MetricsServer::Tls{options.security.tls.ca_file, options.security.tls.cert_file,
                                      options.security.tls.key_file};
    }
    auto metrics_server = metrics::MetricsServer::Start(listen, tls);
    if (!metrics_server.ok()) return metrics_server.status();
    runtime->metrics_ = std::move(*metrics_server);
    if (const std::string& path = options.metrics_port_file; !path.empty()) {
      if (absl::Status status = WritePortFile(path, runtime->metrics_->port()); !status.ok()) {
        return status;
      }
    }
  }
  std::vector<std::string> all_families = families;
  all_families.push_back(stream::ConsumerLoop::kOffsetsFamily);
  Store::Options store_options = options.store;
  store_options.merge_operators = std::move(merge_operators);
  auto store = Store::Open(options.store_path, all_families, std::move(store_options));
  // Not Kafka, so not worth waiting for (RunUntilTerminated retries only UNAVAILABLE ones).
  if (!store.ok()) return absl::FailedPreconditionError(store.status().message());
  runtime->store_ = std::move(*store);

  // Before the first Kafka client: every client of the process authenticates the same way.
  kafka::SetProcessSecurity(options.kafka_security);
  const std::string& bootstrap = options.bootstrap_servers;
  if (absl::Status status = kafka::EnsureTopics(bootstrap, options.topic_specs, absl::Seconds(30));
      !status.ok()) {
    return status;
  }
  auto producer = kafka::Producer::Create(bootstrap, options.producer_properties);
  if (!producer.ok()) return producer.status();
  runtime->producer_ = std::move(*producer);
  runtime->audit_ =
      std::make_unique<audit::AuditLog>(runtime->producer_.get(), runtime->topics_.audit, service);
  return runtime;
}

ServiceRuntime::~ServiceRuntime() { StopServing(absl::Seconds(1)); }

void ServiceRuntime::AddHealthCheck(const std::string& name, HealthMonitor::Check check) {
  health_checks_.emplace_back(name, std::move(check));
}

absl::StatusOr<stream::ConsumerLoopPtr> ServiceRuntime::StartConsumer(
    const ConsumerOptions& options, std::vector<std::string> topics,
    stream::RecordHandler* handler) {
  stream::ConsumerLoop::Options loop_options = options.loop;
  loop_options.topics = std::move(topics);
  auto loop = stream::ConsumerLoop::Create(loop_options, store_.get(), producer_.get(), handler);
  if (!loop.ok()) return loop.status();
  (*loop)->Start();
  const stream::ConsumerLoop* watched = loop->get();
  const absl::Duration stall_after = options.stall_after;
  AddHealthCheck("consumer", [watched, stall_after] { return watched->Health(stall_after); });
  return loop;
}

absl::Status ServiceRuntime::Serve(const std::vector<grpc::Service*>& services) {
  ReleaseStartupServer();  // the address is ours now
  auto credentials = ServerCredentialsFrom(options_.security);
  if (!credentials.ok()) return credentials.status();
  auto server = GrpcServer::Start(options_.grpc_listen, *credentials, services);
  if (!server.ok()) return server.status();
  server_ = std::move(*server);

  const absl::Duration kafka_timeout = options_.health_kafka_timeout;
  std::vector<std::pair<std::string, HealthMonitor::Check>> checks = {
      {"kafka", [this, kafka_timeout] { return producer_->CheckBroker(kafka_timeout); }},
      {"store", [this] { return store_->Health(); }},
  };
  checks.insert(checks.end(), health_checks_.begin(), health_checks_.end());
  static auto& serving_gauge = metrics::GaugeFamily(
      "infobus_health_serving", "1 while grpc.health.v1 answers SERVING, else 0.");
  static auto& store_size = metrics::GaugeFamily(
      "infobus_rocksdb_size_bytes", "Live SST files plus memtables of the service's RocksDB.");
  health_ = std::make_unique<HealthMonitor>(
      std::move(checks),
      [this, server = server_.get()](bool serving) {
        server->SetServing(serving);
        serving_gauge.Add({}).Set(serving ? 1 : 0);
        store_size.Add({}).Set(static_cast<double>(store_->ApproximateSizeBytes()));
      },
      options_.health_interval);
  health_->Start();

  if (const std::string& path = options_.grpc_port_file; !path.empty()) {
    if (absl::Status status = WritePortFile(path, server_->port()); !status.ok()) return status;
  }
  INFOBUS_LOG(Info) << service_ << " serving gRPC on port " << server_->port() << ", metrics on "
                    << (metrics_ ? std::to_string(metrics_->port()) : std::string("(off)"))
                    << ", store " << store_->path() << ", Kafka " << options_.bootstrap_servers
                    << " (" << options_.kafka_security.protocol
                    << (options_.kafka_security.certificate_location.empty()
                            ? std::string()
                            : ", certificate " + options_.kafka_security.certificate_location)
                    << ")";
  return absl::OkStatus();
}

void ServiceRuntime::StopServing(absl::Duration grace) {
  health_.reset();  // before the server it reports to
  if (server_) server_->Shutdown(grace);
  server_.reset();
}

void PrepareProcess() {
  BlockTerminationSignals();
  // A client that disconnects mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex (gRPC's too) would record
  // its lock order in a global graph under a global lock: measurable CPU and contention on
  // every call. Tests keep the detection; a service does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

int RunUntilTerminated(const BusOptions& options, const std::string& service,
                       const std::string& grpc_service, const std::function<absl::Status()>& start,
                       const std::function<void()>& stop) {
  {
    auto credentials = ServerCredentialsFrom(options.security);
    if (!credentials.ok()) {
      INFOBUS_LOG(Error) << service << " failed to start: " << credentials.status();
      return 1;
    }
    auto startup = GrpcServer::Start(options.grpc_listen, *credentials, {}, {grpc_service});
    if (!startup.ok()) {
      INFOBUS_LOG(Error) << service << " failed to start: " << startup.status();
      return 1;
    }
    (*startup)->SetServing(false);
    absl::MutexLock lock(&startup_server_mutex);
    StartupServer() = *std::move(startup);
  }
  // Start on a thread of its own, so that a signal is heard while Kafka is awaited.
  std::atomic<bool> stopping{false};
  absl::Notification started;
  absl::Status outcome;  // written before `started` is notified
  std::thread starter([&] {
    absl::Duration backoff = absl::Seconds(1);
    for (int attempt = 1;; ++attempt) {
      outcome = start();
      if (outcome.ok()) break;
      stop();  // undoes what the attempt opened
      if (!IsTransient(outcome) || stopping.load()) break;
      INFOBUS_LOG(Warning) << service << " cannot start yet (attempt " << attempt
                           << "): " << outcome << "; NOT_SERVING, retrying in " << backoff;
      for (const absl::Time until = absl::Now() + backoff;
           absl::Now() < until && !stopping.load();) {
        absl::SleepFor(absl::Milliseconds(50));
      }
      if (stopping.load()) break;
      backoff = std::min(backoff * 2, absl::Seconds(15));
    }
    started.Notify();
  });

  int signal_number = 0;
  while (signal_number == 0 && !(started.HasBeenNotified() && !outcome.ok())) {
    signal_number = WaitForTerminationSignalFor(200);
  }
  if (signal_number == 0) {  // start gave up
    starter.join();
    ReleaseStartupServer();
    INFOBUS_LOG(Error) << service << " failed to start: " << outcome;
    return 1;
  }
  INFOBUS_LOG(Info) << service << " received signal " << signal_number << ", shutting down";
  stopping = true;
  // A start still waiting on Kafka has nothing to hand over yet; past a short grace the
  // process ends as if killed, which the store and offsets are built to survive.
  if (!started.WaitForNotificationWithTimeout(absl::Seconds(3))) {
    INFOBUS_LOG(Warning) << service << " stopped while still starting";
    std::fflush(nullptr);
    std::_Exit(0);
  }
  starter.join();
  if (outcome.ok()) stop();
  ReleaseStartupServer();
  INFOBUS_LOG(Info) << service << " stopped";
  return 0;
}

}  // namespace infobus
