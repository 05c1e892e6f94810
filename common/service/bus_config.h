#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/consumer_loop.h"
#include "common/kafka/topics.h"
#include "common/store/store.h"

namespace infobus {

// Keys every infobus service understands (Kafka, gRPC, store, logging); each service appends
// its own.
ConfigSchema CommonSchema(const std::string& service, const std::string& default_listen);
// Keys of services that consume topics (consumer group, batch size, stall health); append them
// to CommonSchema for those services only, so --help lists no knob that does nothing.
ConfigSchema ConsumerSchema(const std::string& service);

// The pieces of a service's configuration that the common libraries take.
// kafka.security_protocol and kafka.ssl_*; INVALID_ARGUMENT when they do not fit together.
absl::StatusOr<kafka::ClientSecurity> ClientSecurityFrom(const Config& config);
kafka::Topics TopicsFrom(const Config& config);
std::vector<kafka::TopicSpec> BusTopicSpecs(const Config& config);
Store::Options StoreOptionsFrom(const Config& config);
kafka::ConsumerLoop::Options ConsumerOptionsFrom(const Config& config);
std::map<std::string, std::string> ProducerPropertiesFrom(const Config& config);

// Applies log.level; exits the process on a bad value (startup misconfiguration).
void ConfigureLogging(const Config& config, const std::string& component);

}  // namespace infobus
