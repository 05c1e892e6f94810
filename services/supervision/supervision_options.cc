#include "services/supervision/supervision_options.h"

namespace infobus::supervision {

absl::StatusOr<SupervisionOptions> SupervisionOptionsFrom(const Config& config) {
  SupervisionOptions options;
  options.consumer = ConsumerOptionsFrom(config);
  options.routing_file = config.GetString("supervision.routing_file");
  options.routing_check_interval = config.GetDuration("supervision.routing_check_interval");
  return WithBusOptionsFrom(config, std::move(options));
}

}  // namespace infobus::supervision
