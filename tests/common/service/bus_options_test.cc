#include "common/service/bus_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/service/bus_config.h"
#include "tests/support/options_from_sets.h"

namespace infobus {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;

absl::StatusOr<BusOptions> BusOptionsWith(const testing::Sets& sets) {
  return testing::OptionsFromSets(BusOptionsFrom, CommonSchema("collection", "127.0.0.1:50051"),
                                  sets);
}

TEST(BusOptionsFrom, TakesEveryKeyFromTheConfig) {
  auto options = BusOptionsWith({
      {"kafka.bootstrap_servers", "broker-a:9093,broker-b:9093"},
      {"kafka.security_protocol", "ssl"},
      {"kafka.ssl_ca", "/pki/kafka-ca.pem"},
      {"kafka.ssl_cert", "/pki/collection.pem"},
      {"kafka.ssl_key", "/pki/collection.key"},
      {"kafka.topic_prefix", "t7."},
      {"kafka.partitions", "6"},
      {"kafka.replication_factor", "2"},
      {"kafka.linger", "7ms"},
      {"kafka.message_timeout", "20s"},
      {"grpc.listen", "0.0.0.0:6001"},
      {"grpc.port_file", "/tmp/grpc.port"},
      {"store.path", "/var/lib/infobus/db"},
      {"store.sync_writes", "true"},
      {"log.level", "warning"},
      {"metrics.listen", "0.0.0.0:9999"},
      {"metrics.port_file", "/tmp/metrics.port"},
      {"health.interval", "3s"},
      {"health.kafka_timeout", "4s"},
      {"security.mode", "insecure"},
  });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->bootstrap_servers, "broker-a:9093,broker-b:9093");
  EXPECT_EQ(options->kafka_security.protocol, "ssl");
  EXPECT_EQ(options->kafka_security.ca_location, "/pki/kafka-ca.pem");
  EXPECT_EQ(options->kafka_security.certificate_location, "/pki/collection.pem");
  EXPECT_EQ(options->kafka_security.key_location, "/pki/collection.key");
  EXPECT_EQ(options->topics.events, "t7.infobus.events.v1");
  EXPECT_EQ(options->topics.audit, "t7.infobus.audit.v1");
  ASSERT_EQ(options->topic_specs.size(), 8u);
  for (const kafka::TopicSpec& spec : options->topic_specs) {
    EXPECT_THAT(spec.name, ::testing::StartsWith("t7."));
    EXPECT_EQ(spec.partitions, 6) << spec.name;
    EXPECT_EQ(spec.replication_factor, 2) << spec.name;
  }
  EXPECT_THAT(
      options->producer_properties,
      ::testing::UnorderedElementsAre(Pair("linger.ms", "7"), Pair("message.timeout.ms", "20000")));
  EXPECT_EQ(options->grpc_listen, "0.0.0.0:6001");
  EXPECT_EQ(options->grpc_port_file, "/tmp/grpc.port");
  EXPECT_EQ(options->store_path, "/var/lib/infobus/db");
  EXPECT_TRUE(options->store.sync_writes);
  EXPECT_EQ(options->log_level, log::Level::kWarning);
  EXPECT_EQ(options->metrics_listen, "0.0.0.0:9999");
  EXPECT_EQ(options->metrics_port_file, "/tmp/metrics.port");
  EXPECT_EQ(options->health_interval, absl::Seconds(3));
  EXPECT_EQ(options->health_kafka_timeout, absl::Seconds(4));
  EXPECT_EQ(options->security.mode, SecurityOptions::Mode::kInsecure);
}

TEST(BusOptionsFrom, DefaultsAreTheSchemas) {
  auto options = BusOptionsWith({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_THAT(
      options->producer_properties,
      ::testing::UnorderedElementsAre(Pair("linger.ms", "2"), Pair("message.timeout.ms", "15000")));
  EXPECT_EQ(options->store_path, ".run/collection/db");  // the service's own
  EXPECT_EQ(options->metrics_listen, "127.0.0.1:9461");
  EXPECT_FALSE(options->store.sync_writes);
  EXPECT_EQ(options->log_level, log::Level::kInfo);
}

// One well-known metrics port per service, so that the four can share a host (and Prometheus
// and compose name them: tests/deploy).
TEST(BusOptionsFrom, EachServiceHasAMetricsPortOfItsOwn) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"collection", "127.0.0.1:9461"},
      {"judgment", "127.0.0.1:9462"},
      {"dispatch", "127.0.0.1:9463"},
      {"supervision", "127.0.0.1:9464"}};
  for (const auto& [service, listen] : expected) {
    auto options =
        testing::OptionsFromSets(BusOptionsFrom, CommonSchema(service, "127.0.0.1:0"), {});
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_EQ(options->metrics_listen, listen) << service;
  }
}

TEST(BusOptionsFrom, CompactsTheTablesAndKeepsTheAuditTrail) {
  auto options = BusOptionsWith({});
  ASSERT_TRUE(options.ok()) << options.status();
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> configs;
  for (const kafka::TopicSpec& spec : options->topic_specs) configs[spec.name] = spec.configs;
  EXPECT_THAT(configs["infobus.watchlists.v1"],
              ::testing::ElementsAre(Pair("cleanup.policy", "compact")));
  EXPECT_THAT(configs["infobus.judgment-changelog.v1"],
              ::testing::ElementsAre(Pair("cleanup.policy", "compact")));
  EXPECT_THAT(configs["infobus.audit.v1"], ::testing::ElementsAre(Pair("retention.ms", "-1")));
  EXPECT_THAT(configs["infobus.events.v1"], ::testing::IsEmpty());
}

TEST(BusOptionsFrom, RefusesACertificateWithoutItsKey) {
  auto options = BusOptionsWith({{"kafka.ssl_cert", "/pki/collection.pem"}});
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(options.status().message(), HasSubstr("kafka.security_protocol, kafka.ssl_*"));
}

TEST(BusOptionsFrom, RefusesAnUnknownLogLevel) {
  auto options = BusOptionsWith({{"log.level", "loud"}});
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(options.status().message(), HasSubstr("log.level"));
}

TEST(BusOptionsFrom, RefusesAnUnknownSecurityMode) {
  auto options = BusOptionsWith({{"security.mode", "open"}});
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(), HasSubstr("security.mode: 'open'"));
}

}  // namespace
}  // namespace infobus
