#include "common/service/bus_options.h"

#include "absl/strings/str_cat.h"

namespace infobus {
namespace {

std::vector<kafka::TopicSpec> BusTopicSpecs(const kafka::Topics& topics, int partitions,
                                            int replication) {
  std::vector<kafka::TopicSpec> specs;
  for (const std::string& name : {topics.events, topics.judgments, topics.dead_letters,
                                  topics.dispatch_events, topics.hotspot_sightings}) {
    specs.push_back({name, partitions, replication, {}});
  }
  for (const std::string& name : {topics.watchlists, topics.judgment_changelog}) {
    specs.push_back({name, partitions, replication, {{"cleanup.policy", "compact"}}});
  }
  // Accountability outlives Kafka's default week: the audit trail is kept until an operator
  // archives it.
  specs.push_back({topics.audit, partitions, replication, {{"retention.ms", "-1"}}});
  return specs;
}

std::string Milliseconds(absl::Duration duration) {
  return std::to_string(absl::ToInt64Milliseconds(duration));
}

}  // namespace

absl::StatusOr<BusOptions> BusOptionsFrom(const Config& config) {
  BusOptions options;
  options.bootstrap_servers = config.GetString("kafka.bootstrap_servers");
  options.kafka_security.protocol = config.GetString("kafka.security_protocol");
  options.kafka_security.ca_location = config.GetString("kafka.ssl_ca");
  options.kafka_security.certificate_location = config.GetString("kafka.ssl_cert");
  options.kafka_security.key_location = config.GetString("kafka.ssl_key");
  if (absl::Status status = options.kafka_security.Validate(); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka.security_protocol, kafka.ssl_*: ", status.message()));
  }
  options.topics = kafka::Topics(config.GetString("kafka.topic_prefix"));
  options.topic_specs =
      BusTopicSpecs(options.topics, static_cast<int>(config.GetInt("kafka.partitions")),
                    static_cast<int>(config.GetInt("kafka.replication_factor")));
  options.producer_properties = {
      {"linger.ms", Milliseconds(config.GetDuration("kafka.linger"))},
      {"message.timeout.ms", Milliseconds(config.GetDuration("kafka.message_timeout"))},
  };
  options.grpc_listen = config.GetString("grpc.listen");
  options.grpc_port_file = config.GetString("grpc.port_file");
  options.store_path = config.GetString("store.path");
  options.store.sync_writes = config.GetBool("store.sync_writes");
  absl::StatusOr<log::Level> level = log::ParseLevel(config.GetString("log.level"));
  if (!level.ok())
    return absl::InvalidArgumentError(absl::StrCat("log.level: ", level.status().message()));
  options.log_level = *level;
  options.metrics_listen = config.GetString("metrics.listen");
  options.metrics_port_file = config.GetString("metrics.port_file");
  options.health_interval = config.GetDuration("health.interval");
  options.health_kafka_timeout = config.GetDuration("health.kafka_timeout");
  absl::StatusOr<SecurityOptions> security = SecurityOptionsFrom(config);
  if (!security.ok()) return security.status();
  options.security = *std::move(security);
  return options;
}

}  // namespace infobus
