#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/service/bus_options.h"
#include "common/service/consumer_options.h"

namespace infobus::supervision {

// What the supervision process runs with: the common and consumer settings and the
// supervision.* keys (SupervisionServer::Program()), typed. Filled once at startup.
struct SupervisionOptions {
  BusOptions bus;
  ConsumerOptions consumer;
  std::string routing_file;               // supervision.routing_file; empty: no units
  absl::Duration routing_check_interval;  // supervision.routing_check_interval
  int partitions = 2;                     // supervision.partitions: of the facts topic, at creation
  std::vector<std::string> peers;         // supervision.peers, split at commas
  absl::Duration peer_timeout;            // supervision.peer_timeout
};

// The errors of BusOptionsFrom.
absl::StatusOr<SupervisionOptions> SupervisionOptionsFrom(const Config& config);

}  // namespace infobus::supervision
