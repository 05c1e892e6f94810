#include "common/kafka/client_conf.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "common/kafka/log_bridge.h"

namespace infobus::kafka {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> NewClientConf(
    const std::map<std::string, std::string>& settings, const std::string& client) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  // librdkafka leaves Nagle on; with up to five produce requests in flight per connection, a
  // small request then waits for the previous one's ACK (Linux delays ACKs up to 40 ms). The
  // Java client always sets TCP_NODELAY; so do we. `settings` may still turn it back on.
  if (conf->set("socket.nagle.disable", "true", error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  for (const auto& [key, value] : settings) {
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
