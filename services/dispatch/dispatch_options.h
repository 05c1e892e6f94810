#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/service/bus_options.h"
#include "common/service/consumer_options.h"

namespace infobus::dispatch {

// What the dispatch process runs with: the common and consumer settings and the dispatch.*
// keys (DispatchServer::Program()), typed. Filled once at startup by DispatchOptionsFrom.
struct DispatchOptions {
  BusOptions bus;
  ConsumerOptions consumer;
  std::string routing_file;               // dispatch.routing_file; empty: no units
  absl::Duration routing_check_interval;  // dispatch.routing_check_interval
};

// The errors of BusOptionsFrom.
absl::StatusOr<DispatchOptions> DispatchOptionsFrom(const Config& config);

}  // namespace infobus::dispatch
