#pragma once

#include <string>

#include "common/config/config.h"

namespace infobus {

// Keys every infobus service understands (Kafka, gRPC, store, logging); each service appends
// its own. BusOptionsFrom (bus_options.h) reads them, ConsumerOptionsFrom (consumer_options.h)
// ConsumerSchema's.
ConfigSchema CommonSchema(const std::string& service, const std::string& default_listen);
// Keys of services that consume topics (consumer group, batch size, stall health); append them
// to CommonSchema for those services only, so --help lists no knob that does nothing.
ConfigSchema ConsumerSchema(const std::string& service);

}  // namespace infobus
