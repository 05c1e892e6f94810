#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace infobus::kafka {

// A librdkafka client configuration with `settings` applied and librdkafka's logging routed to
// the infobus log. INVALID_ARGUMENT names the setting librdkafka refused; `client` ("producer",
// "consumer") prefixes the message.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> NewClientConf(
    const std::map<std::string, std::string>& settings, const std::string& client);

}  // namespace infobus::kafka
