#include "common/kafka/client_conf.h"

#include "absl/strings/str_cat.h"
#include "common/kafka/log_bridge.h"

namespace infobus::kafka {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> NewClientConf(
    const std::map<std::string, std::string>& settings, const std::string& client) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
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

}  // namespace infobus::kafka
