// The compose file, the Dockerfile, the sample configs and the deployment guide must agree
// with each other and with the code (ports, topics, environment variables, config keys), so
// that they cannot drift apart silently while no Docker engine runs them here.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/config/config.h"
#include "common/service/bus_config.h"
#include "common/service/bus_options.h"
#include "services/collection/collection_server.h"
#include "services/dispatch/dispatch_server.h"
#include "services/gateway/gateway_options.h"
#include "services/judgment/judgment_server.h"
#include "services/supervision/supervision_server.h"
#include "yaml-cpp/yaml.h"

namespace infobus {
namespace {

const std::string kDeploy = std::string(INFOBUS_SOURCE_DIR) + "/deploy";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ProgramInfo ProgramOf(const std::string& service) {
  if (service == "collection") return collection::CollectionServer::Program();
  if (service == "judgment") return judgment::JudgmentServer::Program();
  if (service == "supervision") return supervision::SupervisionServer::Program();
  return dispatch::DispatchServer::Program();
}

class DeployTest : public ::testing::TestWithParam<std::string> {
 protected:
  YAML::Node compose_ = YAML::LoadFile(kDeploy + "/docker-compose.yml");
};

TEST_P(DeployTest, ComposeDockerfileAndSampleConfigAgree) {
  const std::string& service = GetParam();
  const ProgramInfo program = ProgramOf(service);
  const YAML::Node node = compose_["services"][service];
  ASSERT_TRUE(node.IsMap()) << "no compose service " << service;

  // The command runs this service's binary with its mounted sample config.
  const auto command = node["command"].as<std::vector<std::string>>();
  ASSERT_EQ(command.size(), 3u);
  EXPECT_EQ(command[0], program.name);
  EXPECT_EQ(command[2], "/etc/infobus/" + service + ".yaml");
  EXPECT_TRUE(absl::StrContains(ReadFile(kDeploy + "/Dockerfile"), "/build/bin/" + program.name));

  // Every environment variable names a key of this service's schema.
  std::map<std::string, std::string> environment;
  for (const auto& item : node["environment"]) {
    environment[item.first.as<std::string>()] = item.second.as<std::string>();
  }
  std::set<std::string> known;
  for (const ConfigKey& key : program.schema) known.insert(Config::EnvironmentName(key.name));
  for (const auto& [name, value] : environment) {
    EXPECT_EQ(known.count(name), 1u) << service << ": " << name << " is no configuration key";
  }

  // The sample config is valid for the code, and with the compose environment it listens on
  // the port that compose publishes, health-checks and the Dockerfile exposes.
  absl::StatusOr<Config> config =
      Config::Load(program.schema, kDeploy + "/config/" + service + ".yaml", environment, {});
  ASSERT_TRUE(config.ok()) << config.status();
  const std::string listen = config->GetString("grpc.listen");
  const std::string port = listen.substr(listen.rfind(':') + 1);
  absl::StatusOr<Config> sample =
      Config::Load(program.schema, kDeploy + "/config/" + service + ".yaml", {}, {});
  ASSERT_TRUE(sample.ok());
  EXPECT_TRUE(absl::EndsWith(sample->GetString("grpc.listen"), ":" + port))
      << "sample config and compose disagree on the gRPC port";
  EXPECT_EQ(node["ports"][0].as<std::string>(), port + ":" + port);
  // The gRPC port faces the network: TLS with every call authenticated, this service's own
  // certificate from its secrets, people's tokens checked against the JWKS secret.
  EXPECT_EQ(config->GetString("security.mode"), "tls");
  EXPECT_EQ(config->GetString("security.ca_file"), "/run/secrets/kafka-ca");
  EXPECT_EQ(config->GetString("security.cert_file"), "/run/secrets/" + service + "-cert");
  EXPECT_EQ(config->GetString("security.key_file"), "/run/secrets/" + service + "-key");
  EXPECT_EQ(config->GetString("security.jwks_file"), "/run/secrets/jwks");
  if (service == "collection") {
    EXPECT_EQ(config->GetString("security.sources_file"), "/etc/infobus/sources.yaml");
  }
  // The health check asks this port, as the service itself (health needs authentication too).
  const auto health = node["healthcheck"]["test"].as<std::vector<std::string>>();
  EXPECT_NE(std::find(health.begin(), health.end(), "127.0.0.1:" + port), health.end());
  for (const auto& [flag, file] : std::vector<std::pair<std::string, std::string>>{
           {"--ca", "/run/secrets/kafka-ca"},
           {"--cert", "/run/secrets/" + service + "-cert"},
           {"--key", "/run/secrets/" + service + "-key"}}) {
    const auto at = std::find(health.begin(), health.end(), flag);
    ASSERT_TRUE(at != health.end() && at + 1 != health.end()) << "health check without " << flag;
    EXPECT_EQ(*(at + 1), file) << flag;
  }
  EXPECT_TRUE(absl::StrContains(ReadFile(kDeploy + "/Dockerfile"), port))
      << "Dockerfile does not EXPOSE " << port;

  // Prometheus scrapes the metrics port that the service listens on and compose publishes.
  const std::string metrics_listen = config->GetString("metrics.listen");
  const std::string metrics_port = metrics_listen.substr(metrics_listen.rfind(':') + 1);
  absl::StatusOr<Config> defaults = Config::Load(program.schema, "", {}, {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(absl::EndsWith(defaults->GetString("metrics.listen"), ":" + metrics_port))
      << "compose moves the metrics port away from the service's default";
  // Metrics are HTTPS (security.mode stays tls) for Prometheus inside the network, and not
  // published.
  EXPECT_NE(config->GetString("security.mode"), "insecure");
  EXPECT_EQ(node["ports"].size(), 1u) << "only the gRPC port (TLS) is published";
  EXPECT_TRUE(absl::StrContains(ReadFile(kDeploy + "/prometheus/prometheus.yml"), "scheme: https"))
      << "prometheus.yml scrapes without TLS";
  EXPECT_TRUE(absl::StrContains(ReadFile(kDeploy + "/prometheus/prometheus.yml"),
                                "\"" + service + ":" + metrics_port + "\""))
      << "prometheus.yml does not scrape " << service << ":" << metrics_port;
  EXPECT_TRUE(absl::StrContains(ReadFile(kDeploy + "/Dockerfile"), metrics_port));

  // It talks to the broker on the listener Kafka advertises inside the compose network.
  const std::string advertised =
      compose_["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].as<std::string>();
  EXPECT_TRUE(absl::StrContains(advertised, "//" + config->GetString("kafka.bootstrap_servers")));

  // It speaks mutual TLS to the broker as itself (its principal is its certificate's CN), with
  // certificates that are secrets of its own, and the broker has no plaintext listener.
  EXPECT_EQ(config->GetString("kafka.security_protocol"), "ssl");
  EXPECT_EQ(config->GetString("kafka.ssl_cert"), "/run/secrets/" + service + "-cert");
  EXPECT_EQ(config->GetString("kafka.ssl_key"), "/run/secrets/" + service + "-key");
  std::set<std::string> secrets;
  for (const auto& secret : node["secrets"]) secrets.insert(secret.as<std::string>());
  EXPECT_EQ(secrets,
            (std::set<std::string>{"kafka-ca", service + "-cert", service + "-key", "jwks"}));
  // Every secret it names is a file of the PKI directory, never of the image.
  for (const std::string& secret : secrets) {
    EXPECT_TRUE(absl::StartsWith(compose_["secrets"][secret]["file"].as<std::string>(""),
                                 "${INFOBUS_PKI_DIR:-./pki}/"))
        << secret;
  }
  EXPECT_EQ(config->GetString("kafka.ssl_ca"), "/run/secrets/kafka-ca");
  const YAML::Node broker = compose_["services"]["kafka"]["environment"];
  EXPECT_FALSE(absl::StrContains(broker["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].as<std::string>(),
                                 "PLAINTEXT"));
  EXPECT_EQ(broker["KAFKA_SSL_CLIENT_AUTH"].as<std::string>(), "required");
  EXPECT_EQ(broker["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"].as<std::string>(), "false");

  // Its store lives on a volume, not in the container's writable layer.
  const std::string store = config->GetString("store.path");
  bool on_volume = false;
  for (const auto& volume : node["volumes"]) {
    std::vector<std::string> parts = absl::StrSplit(volume.as<std::string>(), ':');
    if (parts.size() >= 2 && absl::StartsWith(store, parts[1] + "/")) on_volume = true;
  }
  EXPECT_TRUE(on_volume) << store << " is on no volume";

  // topic-init creates every topic the service uses, with the partitions of the sample config.
  const YAML::Node init = compose_["services"]["topic-init"]["environment"];
  const std::vector<std::string> created =
      absl::StrSplit(init["TOPICS"].as<std::string>(), ' ', absl::SkipEmpty());
  const std::vector<std::string> compacted =
      absl::StrSplit(init["COMPACTED_TOPICS"].as<std::string>(), ' ', absl::SkipEmpty());
  const std::vector<std::string> retained =
      absl::StrSplit(init["RETAINED_TOPICS"].as<std::string>(""), ' ', absl::SkipEmpty());
  const std::string init_command =
      compose_["services"]["topic-init"]["command"].as<std::vector<std::string>>().back();
  EXPECT_TRUE(absl::StrContains(init_command, "--config retention.ms=-1"));
  EXPECT_TRUE(absl::StrContains(init_command, "--config cleanup.policy=compact"));
  absl::StatusOr<BusOptions> bus = BusOptionsFrom(*sample);
  ASSERT_TRUE(bus.ok()) << bus.status();
  for (const auto& spec : bus->topic_specs) {
    auto has = [&spec](const std::string& key, const std::string& value) {
      return std::find(spec.configs.begin(), spec.configs.end(), std::make_pair(key, value)) !=
             spec.configs.end();
    };
    const bool compact = has("cleanup.policy", "compact");
    const bool kept = has("retention.ms", "-1");
    EXPECT_LE(spec.configs.size(), 1u) << spec.name << ": topic-init sets one config per list";
    const auto& list = compact ? compacted : kept ? retained : created;
    EXPECT_NE(std::find(list.begin(), list.end(), spec.name), list.end())
        << "topic-init does not create " << spec.name
        << (compact ? " (compacted)"
            : kept  ? " (retention.ms=-1)"
                    : "");
    EXPECT_EQ(std::to_string(spec.partitions), init["PARTITIONS"].as<std::string>());
  }

  // Files the service reads come from the mounted config directory, and exist there; keys and
  // certificates (security.*_file but the sources) come from its secrets, never the image.
  for (const ConfigKey& key : program.schema) {
    if (!absl::EndsWith(key.name, "_file") || absl::EndsWith(key.name, "port_file")) continue;
    const std::string path = config->GetString(key.name);
    if (path.empty()) continue;
    if (absl::StartsWith(key.name, "security.") && key.name != "security.sources_file") {
      EXPECT_TRUE(absl::StartsWith(path, "/run/secrets/")) << key.name << " = " << path;
      EXPECT_EQ(secrets.count(path.substr(std::string("/run/secrets/").size())), 1u)
          << key.name << " = " << path << " is not a secret of " << service;
      continue;
    }
    EXPECT_TRUE(absl::StartsWith(path, "/etc/infobus/")) << key.name << " = " << path;
    EXPECT_TRUE(std::ifstream(kDeploy + "/config/" + path.substr(path.rfind('/') + 1)).good())
        << key.name << ": deploy/config has no " << path;
  }

  // The deployment guide documents every key.
  const std::string guide = ReadFile(kDeploy + "/README.md");
  for (const ConfigKey& key : program.schema) {
    EXPECT_TRUE(absl::StrContains(guide, "`" + key.name + "`"))
        << key.name << " is missing from deploy/README.md (run scripts/config-reference.sh)";
  }
}

// Grafana asks who you are: no anonymous access, the admin password from a secret file.
TEST(DeployGrafana, NoAnonymousAccessAndThePasswordIsASecret) {
  const YAML::Node compose = YAML::LoadFile(kDeploy + "/docker-compose.yml");
  const YAML::Node grafana = compose["services"]["grafana"];
  EXPECT_EQ(grafana["environment"]["GF_AUTH_ANONYMOUS_ENABLED"].as<std::string>(), "false");
  EXPECT_FALSE(grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"].IsDefined());
  EXPECT_EQ(grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD__FILE"].as<std::string>(),
            "/run/secrets/grafana-admin-password");
  EXPECT_EQ(grafana["secrets"][0].as<std::string>(), "grafana-admin-password");
  EXPECT_TRUE(compose["secrets"]["grafana-admin-password"]["file"].IsDefined());
}

// Nothing is published on the host's network without TLS: the published ports are the
// services' gRPC ports and Kafka's TLS listener; the plaintext UIs bind the host's loopback.
TEST(DeployPorts, NothingPlaintextIsPublishedBeyondLoopback) {
  const YAML::Node compose = YAML::LoadFile(kDeploy + "/docker-compose.yml");
  const std::set<std::string> tls = {"50051:50051", "50052:50052", "50053:50053",
                                     "50054:50054", "50080:50080", "9092:9092"};
  int published = 0;
  for (const auto& service : compose["services"]) {
    for (const auto& port : service.second["ports"]) {
      const std::string mapping = port.as<std::string>();
      ++published;
      EXPECT_TRUE(tls.count(mapping) > 0 || absl::StartsWith(mapping, "127.0.0.1:"))
          << service.first.as<std::string>() << " publishes " << mapping << " beyond loopback";
    }
  }
  EXPECT_GE(published, 7);
}

// The console gateway: its compose environment is its keys, its sample config with that
// environment is valid and listens on the published and exposed HTTPS port, it holds its own
// certificate and no client certificate for the services, whom it reaches by compose name.
TEST(DeployGateway, ComposeDockerfileAndSampleConfigAgree) {
  const YAML::Node compose = YAML::LoadFile(kDeploy + "/docker-compose.yml");
  const YAML::Node node = compose["services"]["gateway"];
  ASSERT_TRUE(node.IsMap()) << "no compose service gateway";
  const auto command = node["command"].as<std::vector<std::string>>();
  ASSERT_FALSE(command.empty());
  EXPECT_EQ(command[0], "infobus-gateway");
  EXPECT_TRUE(absl::StrContains(ReadFile(kDeploy + "/Dockerfile"), "/build/bin/infobus-gateway"));
  const ConfigSchema schema = gateway::GatewaySchema();
  std::set<std::string> known;
  for (const ConfigKey& key : schema) known.insert(Config::EnvironmentName(key.name));
  std::map<std::string, std::string> environment;
  for (const auto& item : node["environment"]) {
    environment[item.first.as<std::string>()] = item.second.as<std::string>();
    EXPECT_EQ(known.count(item.first.as<std::string>()), 1u)
        << item.first.as<std::string>() << " is no configuration key of the gateway";
  }
  absl::StatusOr<Config> config =
      Config::Load(schema, kDeploy + "/config/gateway.yaml", environment, {});
  ASSERT_TRUE(config.ok()) << config.status();
  absl::StatusOr<gateway::GatewayOptions> options = gateway::GatewayOptionsFrom(*config);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->listen, "0.0.0.0:50080");
  EXPECT_EQ(node["ports"][0].as<std::string>(), "50080:50080");
  EXPECT_TRUE(absl::StrContains(ReadFile(kDeploy + "/Dockerfile"), "50080"));
  EXPECT_TRUE(options->tls);
  EXPECT_EQ(options->cert_file, "/run/secrets/gateway-cert");
  EXPECT_EQ(options->key_file, "/run/secrets/gateway-key");
  EXPECT_FALSE(options->upstream.insecure);
  EXPECT_EQ(options->upstream.tls.ca_file, "/run/secrets/kafka-ca");
  EXPECT_TRUE(options->upstream.tls.cert_file.empty());
  EXPECT_EQ(options->service_addresses.at("collection"), "collection:50051");
  EXPECT_EQ(options->service_addresses.at("supervision"), "supervision:50054");
  for (const char* secret : {"gateway-cert", "gateway-key", "kafka-ca"}) {
    EXPECT_TRUE(compose["secrets"][secret]["file"].IsDefined()) << secret;
  }
  // The sample config alone is valid too (as scripts/up.sh starts it, with --set on top).
  absl::StatusOr<Config> sample = Config::Load(schema, kDeploy + "/config/gateway.yaml", {}, {});
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_TRUE(gateway::GatewayOptionsFrom(*sample).ok());
}

INSTANTIATE_TEST_SUITE_P(Services, DeployTest,
                         ::testing::Values("collection", "judgment", "dispatch", "supervision"));

}  // namespace
}  // namespace infobus
