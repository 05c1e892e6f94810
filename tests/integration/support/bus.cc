#include "tests/integration/support/bus.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/domain/subject.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/producer.h"
#include "common/kafka/record_from.h"
#include "tests/integration/support/identities.h"

namespace infobus::testing {

std::string TestKafkaPkiDir() {
  const char* dir = std::getenv("INFOBUS_TEST_KAFKA_PKI");
  return dir != nullptr && *dir != '\0' ? dir : INFOBUS_TEST_DEFAULT_PKI_DIR;
}

kafka::ClientSecurity TestKafkaSecurity(const std::string& identity) {
  const char* mode = std::getenv("INFOBUS_TEST_KAFKA_SECURITY");
  if (mode != nullptr && std::string(mode) == "plaintext") return kafka::ClientSecurity();
  return kafka::ClientSecurity::FromPkiDir(TestKafkaPkiDir(), identity);
}

std::string KafkaSecurityYaml(const kafka::ClientSecurity& security) {
  std::string yaml = "  security_protocol: " + security.protocol + "\n";
  if (!security.ca_location.empty()) yaml += "  ssl_ca: " + security.ca_location + "\n";
  if (!security.certificate_location.empty()) {
    yaml += "  ssl_cert: " + security.certificate_location + "\n";
  }
  if (!security.key_location.empty()) yaml += "  ssl_key: " + security.key_location + "\n";
  return yaml;
}

namespace {

// Once per test process, before its first Kafka client.
void ConfigureTestClients() {
  static const bool configured = [] {
    kafka::SetProcessSecurity(TestKafkaSecurity());
    return true;
  }();
  (void)configured;
}

}  // namespace

std::string TestBootstrapServers() {
  ConfigureTestClients();
  const char* servers = std::getenv("INFOBUS_TEST_KAFKA");
  if (servers == nullptr || *servers == '\0') {
    ADD_FAILURE() << "INFOBUS_TEST_KAFKA is not set: integration tests need the broker that "
                     "scripts/test.sh starts (run them through it)";
    return "127.0.0.1:1";
  }
  return servers;
}

const security::SourceRegistry& DefaultTestSources() {
  constexpr auto kInternal = infobus::common::v1::CLASSIFICATION_INTERNAL;
  static const auto* sources = new security::SourceRegistry{
      // tests/integration
      {"fusui-lodging", {{"451421"}, infobus::common::v1::CLASSIFICATION_CONFIDENTIAL}},
      {"nanning-netcafe", {{"450110", "451421"}, kInternal}},  // crash_test: both counties
      {"source-451421", {{"451421"}, kInternal}},              // e2e_test: one per county
      {"source-451481", {{"451481"}, kInternal}},
      {"source-450110", {{"450110"}, kInternal}},
      // tests/faults (fault_plan.cc's places)
      {"wuming-netcafe", {{"450110"}, kInternal}},
      {"qingxiu-lodging", {{"450103"}, kInternal}},
      {"fusui-checkpoint", {{"451421"}, kInternal}},
      {"xinning-alarm", {{"451421"}, kInternal}},
      {"pingxiang-border", {{"451481"}, kInternal}},
      {"xingning-tips", {{"450102"}, kInternal}},
  };
  return *sources;
}

TestBus::TestBus(const std::string& test_name) {
  std::random_device random;
  const std::string id = absl::StrCat(test_name, "-", ::getpid(), "-", random() % 100000);
  prefix_ = absl::StrCat("t-", absl::StrReplaceAll(id, {{"/", "-"}, {".", "-"}}), ".");
  dir_ = absl::StrCat(::testing::TempDir(), "/infobus-", id);
  std::filesystem::create_directories(dir_);
  ConfigureTestClients();
}

TestBus::TestBus(const std::string& test_name, const std::string& parent_dir) : keep_dir_(true) {
  std::random_device random;
  prefix_ = absl::StrCat("f-", test_name, "-", ::getpid(), "-", random() % 100000, ".");
  dir_ = absl::StrCat(parent_dir, "/", test_name);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  std::filesystem::create_directories(dir_);
}

TestBus::~TestBus() {
  // Keep the directory (logs) of a failed test for inspection.
  if (!keep_dir_ && !::testing::Test::HasFailure()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::unique_ptr<ServiceProcess> TestBus::Service(const std::string& service,
                                                 const std::string& extra_yaml) {
  return Make(service, service, service == "collection" ? "" : service + "-0", extra_yaml);
}

std::unique_ptr<ServiceProcess> TestBus::Instance(const std::string& service, int index,
                                                  const std::string& extra_yaml) {
  const std::string instance = absl::StrCat(service, "-", index);
  return Make(service, instance, service == "collection" ? "" : instance, extra_yaml);
}

std::unique_ptr<ServiceProcess> TestBus::Make(const std::string& service,
                                              const std::string& instance,
                                              const std::string& member_id,
                                              const std::string& extra_yaml) {
  const std::string config_path = absl::StrCat(dir_, "/", instance, ".yaml");
  std::ofstream out(config_path, std::ios::trunc);
  out << "kafka:\n"
      << "  bootstrap_servers: "
      << (bootstrap_servers_.empty() ? TestBootstrapServers() : bootstrap_servers_) << "\n"
      << KafkaSecurityYaml(security_ ? *security_ : TestKafkaSecurity()) << "  topic_prefix: \""
      << prefix_ << "\"\n"
      << "  partitions: 3\n"
      << (member_id.empty() ? "" : "  group_instance_id: " + member_id + "\n") << "store:\n"
      << "  path: " << dir_ << "/" << instance << "-db\n"
      << "metrics:\n"
      << "  listen: 127.0.0.1:0\n"
      << "  port_file: " << dir_ << "/" << instance << ".metrics.port\n"
      << (secure_ ? SecureServiceYaml(service, dir_, sources_) : "security:\n  mode: insecure\n")
      << extra_yaml;
  out.close();
  return std::make_unique<ServiceProcess>(service, config_path, dir_, instance);
}

std::vector<kafka::Record> ReadTopic(const std::string& topic, size_t count,
                                     absl::Duration timeout) {
  std::vector<kafka::Record> records;
  std::random_device random;
  auto conf =
      kafka::NewClientConf({{"bootstrap.servers", TestBootstrapServers()},
                            {"group.id", absl::StrCat("reader-", ::getpid(), "-", random())},
                            {"auto.offset.reset", "earliest"},
                            {"enable.auto.commit", "false"}},
                           "reader");
  if (!conf.ok()) {
    ADD_FAILURE() << conf.status();
    return records;
  }
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!consumer) {
    ADD_FAILURE() << "reader: " << error;
    return records;
  }
  consumer->subscribe({topic});
  const absl::Time deadline = absl::Now() + timeout;
  while (records.size() < count && absl::Now() < deadline) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(100));
    if (message->err() != RdKafka::ERR_NO_ERROR) continue;
    records.push_back(kafka::RecordFrom(*message));
  }
  consumer->close();
  return records;
}

void ProduceEvents(const std::string& topic,
                   const std::vector<infobus::common::v1::Event>& events) {
  auto producer = kafka::Producer::Create(TestBootstrapServers(), {});
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::vector<kafka::OutgoingMessage> messages;
  for (const auto& event : events) {
    kafka::OutgoingMessage message{topic,
                                   event.subjects_size() > 0
                                       ? domain::SubjectKey(event.subjects(0))
                                       : event.source_id() + "/" + event.event_id(),
                                   event.SerializeAsString(),
                                   {{kafka::kSchemaHeader, event.GetDescriptor()->full_name()},
                                    {kafka::kSourceIdHeader, event.source_id()}}};
    if (!event.trace_id().empty()) {
      message.headers.push_back({kafka::kTraceIdHeader, event.trace_id()});
    }
    messages.push_back(std::move(message));
  }
  for (const absl::Status& status : (*producer)->ProduceAll(messages)) {
    ASSERT_TRUE(status.ok()) << status;
  }
}

void ProduceEvent(const std::string& topic, const infobus::common::v1::Event& event) {
  ProduceEvents(topic, {event});
}

void ProduceRaw(const std::string& topic, const std::string& key, const std::string& value,
                const std::vector<kafka::Header>& headers) {
  auto producer = kafka::Producer::Create(TestBootstrapServers(), {});
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto results = (*producer)->ProduceAll({{topic, key, value, headers}});
  ASSERT_TRUE(results[0].ok()) << results[0];
}

}  // namespace infobus::testing
