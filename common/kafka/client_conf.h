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

// A consumer for assign() only, e.g. to read a whole topic on every instance: librdkafka wants a
// group id to create it, so it gets a random one ("<name>-<random>"), but it never joins that
// group and commits nothing. `settings` add to (or override) these; `name` also prefixes errors.
absl::StatusOr<std::unique_ptr<RdKafka::KafkaConsumer>> NewAssignOnlyConsumer(
    const std::string& bootstrap_servers, const std::string& name,
    std::map<std::string, std::string> settings = {});

}  // namespace infobus::kafka
