#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "common/service/security_options.h"
#include "common/store/store.h"

namespace infobus {

// The keys every service understands (CommonSchema), typed: what ServiceRuntime and
// RunUntilTerminated open and serve with. Filled once at startup by BusOptionsFrom, the only
// reader of those keys; a service's own options struct holds one. A plain value: copy it freely.
struct BusOptions {
  std::string bootstrap_servers;  // kafka.bootstrap_servers
  // kafka.security_protocol, kafka.ssl_ca, kafka.ssl_cert, kafka.ssl_key: every Kafka client
  // of the process (validated).
  kafka::ClientSecurity kafka_security;
  kafka::Topics topics{""};  // after kafka.topic_prefix
  // The bus's topics, created at startup if missing: kafka.partitions partitions each,
  // kafka.replication_factor replicas; the watchlists and changelog compacted, the audit
  // trail kept until archived.
  std::vector<kafka::TopicSpec> topic_specs;
  // The producer's librdkafka properties: kafka.linger, kafka.message_timeout.
  std::map<std::string, std::string> producer_properties;
  std::string grpc_listen;                   // grpc.listen
  std::string grpc_port_file;                // grpc.port_file; empty: none written
  std::string store_path;                    // store.path
  Store::Options store;                      // store.sync_writes
  log::Level log_level = log::Level::kInfo;  // log.level
  std::string metrics_listen;                // metrics.listen; empty: no metrics
  std::string metrics_port_file;             // metrics.port_file; empty: none written
  absl::Duration health_interval;            // health.interval
  absl::Duration health_kafka_timeout;       // health.kafka_timeout
  SecurityOptions security;                  // security.*
};

// INVALID_ARGUMENT, naming the keys, when they do not fit together: kafka.security_protocol
// and kafka.ssl_*, an unknown log.level or security.mode.
absl::StatusOr<BusOptions> BusOptionsFrom(const Config& config);

// The end of a service's *OptionsFrom: its `options` (a struct with a BusOptions `bus`) with
// the common settings filled in, or BusOptionsFrom's error.
template <typename ServiceOptions>
absl::StatusOr<ServiceOptions> WithBusOptionsFrom(const Config& config, ServiceOptions options) {
  absl::StatusOr<BusOptions> bus = BusOptionsFrom(config);
  if (!bus.ok()) return bus.status();
  options.bus = *std::move(bus);
  return options;
}

}  // namespace infobus
