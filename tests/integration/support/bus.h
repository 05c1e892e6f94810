#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/message.h"
#include "common/security/machine_identity.h"
#include "infobus/common/v1/event.pb.h"
#include "tests/integration/support/service_process.h"

namespace infobus::testing {

// The broker that scripts/test.sh started ($INFOBUS_TEST_KAFKA). Fails the test when unset.
// The first call also makes every Kafka client of the test process use TestKafkaSecurity().
std::string TestBootstrapServers();

// Where the test broker's certificates are: $INFOBUS_TEST_KAFKA_PKI, by default the PKI that
// scripts/kafka.sh made for scripts/test.sh's broker (<source>/.run/test/pki).
std::string TestKafkaPkiDir();

// How a test client reaches that broker: mutual TLS as `identity` from TestKafkaPkiDir() ("admin",
// a super user, so that tests may use topics of any prefix; "" presents no certificate), or
// plaintext when $INFOBUS_TEST_KAFKA_SECURITY is "plaintext" (a broker started with
// INFOBUS_KAFKA_SECURITY=plaintext).
kafka::ClientSecurity TestKafkaSecurity(const std::string& identity = "admin");

// The config lines (under "kafka:") that make a service use `security`.
std::string KafkaSecurityYaml(const kafka::ClientSecurity& security);

// The source registrations a TestBus starts with: every source the tests publish as through
// collection, for the counties its events name, up to INTERNAL (fusui-lodging: CONFIDENTIAL, as
// in deploy/config/sources.yaml). Events produced straight onto a topic need none.
const security::SourceRegistry& DefaultTestSources();

// A private bus for one test: a fresh topic prefix and consumer groups on the shared broker, a
// temp directory with a config file and a RocksDB directory per service. Tests using different
// TestBus objects never see each other's messages, so they run in parallel and in any order.
// Its services run as deployed: security.mode=tls on the test PKI (identities.h), every call
// authenticated (mutual TLS for machines, a bearer token for people) and decided by the real
// policy, so each client call must be made as whoever would make it (AsSource, AsAnalyst,
// AsOfficer, AsAdministrator, ...).
class TestBus {
 public:
  explicit TestBus(const std::string& test_name);
  // A bus outside a gtest run (the fault suite): its directory is <parent_dir>/<test_name>,
  // created afresh, and stays after the bus is gone with every service's log and store.
  TestBus(const std::string& test_name, const std::string& parent_dir);
  ~TestBus();

  // Services of this bus made after this call run security.mode=insecure (plaintext, nobody
  // authenticated, every call allowed; clients use Plaintext()). Only for a test of that mode
  // itself: say why where it is called.
  void set_insecure() { secure_ = false; }

  // The source registrations (security.sources_file) of services made after these calls:
  // DefaultTestSources() plus or instead of the test's own.
  void register_source(const std::string& source_id, security::SourceRegistration registration) {
    sources_[source_id] = std::move(registration);
  }
  void set_sources(security::SourceRegistry sources) { sources_ = std::move(sources); }

  // Services of this bus talk to this broker instead of $INFOBUS_TEST_KAFKA.
  void set_bootstrap_servers(std::string servers) { bootstrap_servers_ = std::move(servers); }
  // Services of this bus authenticate so (default: TestKafkaSecurity(), i.e. as admin).
  void set_kafka_security(kafka::ClientSecurity security) { security_ = std::move(security); }

  const std::string& prefix() const { return prefix_; }
  const std::string& dir() const { return dir_; }
  std::string Topic(const std::string& name) const { return prefix_ + name; }

  // Writes <dir>/<service>.yaml (Kafka, prefix, store path, `extra_yaml` appended) and returns a
  // process for it (not started).
  std::unique_ptr<ServiceProcess> Service(const std::string& service,
                                          const std::string& extra_yaml = "");
  // Instance `index` of `service` in its consumer group (its own config, store, static member
  // id and files, all named "<service>-<index>"), for tests of several instances sharing work.
  std::unique_ptr<ServiceProcess> Instance(const std::string& service, int index,
                                           const std::string& extra_yaml = "");

 private:
  std::unique_ptr<ServiceProcess> Make(const std::string& service, const std::string& instance,
                                       const std::string& member_id, const std::string& extra_yaml);

  std::string prefix_;
  std::string dir_;
  std::string bootstrap_servers_;
  std::optional<kafka::ClientSecurity> security_;
  bool keep_dir_ = false;
  bool secure_ = true;
  security::SourceRegistry sources_ = DefaultTestSources();
};

// Reads `topic` from the beginning with a throw-away consumer group until `count` records have
// arrived or `timeout` passes; returns what it got.
std::vector<kafka::Record> ReadTopic(const std::string& topic, size_t count,
                                     absl::Duration timeout);

// Produces events straight onto an events topic the way collection does (acks=all): keyed by
// the primary subject, with the schema header and, when set, the trace-id header. For tests of
// judgment that bypass collection.
void ProduceEvents(const std::string& topic, const std::vector<infobus::common::v1::Event>& events);
void ProduceEvent(const std::string& topic, const infobus::common::v1::Event& event);

// Produces raw bytes to a topic (acks=all), for feeding services input they did not expect.
void ProduceRaw(const std::string& topic, const std::string& key, const std::string& value,
                const std::vector<kafka::Header>& headers = {});

}  // namespace infobus::testing
