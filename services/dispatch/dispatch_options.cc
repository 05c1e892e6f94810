#include "services/dispatch/dispatch_options.h"

namespace infobus::dispatch {

absl::StatusOr<DispatchOptions> DispatchOptionsFrom(const Config& config) {
  DispatchOptions options;
  options.consumer = ConsumerOptionsFrom(config);
  options.routing_file = config.GetString("dispatch.routing_file");
  options.routing_check_interval = config.GetDuration("dispatch.routing_check_interval");
  return WithBusOptionsFrom(config, std::move(options));
}

}  // namespace infobus::dispatch
