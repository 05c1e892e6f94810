#include "common/kafka/client_conf.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/kafka/log_bridge.h"

namespace infobus::kafka {
namespace {

absl::Mutex security_mutex(absl::kConstInit);
ClientSecurity& SecurityLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(security_mutex) {
  static auto* security = new ClientSecurity();
  return *security;
}

}  // namespace

absl::Status ClientSecurity::Validate() const {
  if (protocol != "plaintext" && protocol != "ssl") {
    return absl::InvalidArgumentError(
        absl::StrCat("Kafka security protocol \"", protocol, "\": plaintext or ssl"));
  }
  if (certificate_location.empty() != key_location.empty()) {
    return absl::InvalidArgumentError(
        "a Kafka client certificate needs its key, and a key its certificate");
  }
  if (protocol == "plaintext" && !(ca_location.empty() && certificate_location.empty())) {
    return absl::InvalidArgumentError(
        "Kafka CA and client certificate are for security protocol ssl, not plaintext");
  }
  return absl::OkStatus();
}

std::map<std::string, std::string> ClientSecurity::Settings() const {
  std::map<std::string, std::string> settings = {{"security.protocol", protocol}};
  if (!ca_location.empty()) settings["ssl.ca.location"] = ca_location;
  if (!certificate_location.empty()) settings["ssl.certificate.location"] = certificate_location;
  if (!key_location.empty()) settings["ssl.key.location"] = key_location;
  return settings;
}

ClientSecurity ClientSecurity::FromPkiDir(const std::string& pki_dir, const std::string& name) {
  ClientSecurity security;
  security.protocol = "ssl";
  security.ca_location = pki_dir + "/ca.pem";
  if (!name.empty()) {
    security.certificate_location = absl::StrCat(pki_dir, "/services/", name, ".pem");
    security.key_location = absl::StrCat(pki_dir, "/services/", name, ".key");
  }
  return security;
}

void SetProcessSecurity(const ClientSecurity& security) {
  absl::MutexLock lock(&security_mutex);
  SecurityLocked() = security;
}

ClientSecurity ProcessSecurity() {
  absl::MutexLock lock(&security_mutex);
  return SecurityLocked();
}

std::map<std::string, std::string> WithProcessDefaults(
    const std::map<std::string, std::string>& settings) {
  // librdkafka leaves Nagle on; with up to five produce requests in flight per connection, a
  // small request then waits for the previous one's ACK (Linux delays ACKs up to 40 ms). The
  // Java client always sets TCP_NODELAY; so do we. `settings` may still turn it back on.
  std::map<std::string, std::string> merged = {{"socket.nagle.disable", "true"}};
  // A client that names its own protocol (a test posing as another principal) takes none of
  // the process's certificates: they would otherwise leak into its identity.
  if (settings.count("security.protocol") == 0) merged.merge(ProcessSecurity().Settings());
  for (const auto& [key, value] : settings) merged[key] = value;
  return merged;
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> NewClientConf(
    const std::map<std::string, std::string>& settings, const std::string& client) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  for (const auto& [key, value] : WithProcessDefaults(settings)) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat(client, " setting ", key, ": ", error));
    }
  }
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(LogBridge::Instance()), error) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  return conf;
}

absl::StatusOr<std::unique_ptr<RdKafka::KafkaConsumer>> NewAssignOnlyConsumer(
    const std::string& bootstrap_servers, const std::string& name,
    std::map<std::string, std::string> settings) {
  std::random_device random;
  settings.try_emplace("bootstrap.servers", bootstrap_servers);
  settings.try_emplace("group.id", absl::StrCat(name, "-", random()));
  settings.try_emplace("enable.auto.commit", "false");
  settings.try_emplace("enable.auto.offset.store", "false");
  auto conf = NewClientConf(settings, name);
  if (!conf.ok()) return conf.status();
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat(name, ": ", error));
  return consumer;
}

}  // namespace infobus::kafka
