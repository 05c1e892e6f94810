#include "common/service/bus_config.h"

#include "common/service/service_security.h"

namespace infobus {

using Type = ConfigKey::Type;

namespace {

// One well-known metrics port per service, so that they can share a host.
std::string DefaultMetricsListen(const std::string& service) {
  if (service == "collection") return "127.0.0.1:9461";
  if (service == "judgment") return "127.0.0.1:9462";
  if (service == "dispatch") return "127.0.0.1:9463";
  if (service == "supervision") return "127.0.0.1:9464";
  return "127.0.0.1:0";
}

}  // namespace

ConfigSchema CommonSchema(const std::string& service, const std::string& default_listen) {
  ConfigSchema schema = {
      {"kafka.bootstrap_servers", Type::kString, "127.0.0.1:19092",
       "Kafka brokers, comma-separated host:port."},
      {"kafka.security_protocol", Type::kString, "ssl",
       "plaintext or ssl (mutual TLS: the broker's principal for this service is its "
       "certificate's CN). Every Kafka client of the process uses it."},
      {"kafka.ssl_ca", Type::kString, "",
       "PEM file of the CA that signed the broker's certificate (ssl; empty: the system's CAs)."},
      {"kafka.ssl_cert", Type::kString, "",
       "PEM file of this service's client certificate (ssl; CN=<service>, e.g. from "
       "scripts/pki.sh)."},
      {"kafka.ssl_key", Type::kString, "", "PEM file of the private key of kafka.ssl_cert."},
      {"kafka.topic_prefix", Type::kString, "",
       "Prepended to every topic name (e.g. \"test42.\"), so several buses can share a broker."},
      {"kafka.partitions", Type::kInt, "3",
       "Partitions of each topic this service creates at startup (existing topics are kept)."},
      {"kafka.replication_factor", Type::kInt, "1", "Replication factor of created topics."},
      {"kafka.linger", Type::kDuration, "2ms",
       "Producer linger: how long to wait to fill a batch before sending."},
      {"kafka.message_timeout", Type::kDuration, "15s",
       "How long the producer tries to deliver before failing a message (the caller retries)."},
      {"grpc.listen", Type::kString, default_listen,
       "gRPC listen address; port 0 picks a free port (see grpc.port_file)."},
      {"grpc.port_file", Type::kString, "",
       "If set, the bound gRPC port is written here once the service is ready."},
      {"store.path", Type::kString, ".run/" + service + "/db",
       "RocksDB directory of this instance."},
      {"store.sync_writes", Type::kBool, "false",
       "fsync every RocksDB write. Off, state survives kill -9 but not a power cut."},
      {"log.level", Type::kString, "info", "debug, info, warning or error."},
      {"metrics.listen", Type::kString, DefaultMetricsListen(service),
       "Prometheus /metrics address (host:port; port 0 picks one); empty turns metrics off."},
      {"metrics.port_file", Type::kString, "",
       "If set, the bound metrics port is written here once the service is ready."},
      {"health.interval", Type::kDuration, "1s",
       "How often grpc.health.v1 status is re-evaluated from the real dependencies."},
      {"health.kafka_timeout", Type::kDuration, "2s",
       "A metadata request slower than this counts as Kafka unreachable (NOT_SERVING)."},
  };
  for (ConfigKey& key : SecuritySchema(service)) schema.push_back(std::move(key));
  return schema;
}

ConfigSchema ConsumerSchema(const std::string& service) {
  return {
      {"kafka.group_id", Type::kString, "infobus-" + service,
       "Consumer group id (instances of one service share it)."},
      {"kafka.group_instance_id", Type::kString, "",
       "Static group membership id, unique per instance: a restarted instance gets its "
       "partitions back at once. Empty: dynamic membership."},
      {"kafka.session_timeout", Type::kDuration, "10s",
       "Consumer session timeout: how long a silent instance keeps its partitions."},
      // Supervision's batch cost is mostly re-writing each tally it touches, once per batch:
      // larger batches fold about twice as fast (docs/benchmarks.md, Supervision).
      {"kafka.max_batch", Type::kInt, service == "supervision" ? "5000" : "500",
       "Most records a consumer handles in one batch."},
      {"health.consumer_stall", Type::kDuration, "30s",
       "A consumer loop that has not turned, or only failed, for this long is NOT_SERVING."},
  };
}

}  // namespace infobus
