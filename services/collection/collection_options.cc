#include "services/collection/collection_options.h"

namespace infobus::collection {

absl::StatusOr<CollectionOptions> CollectionOptionsFrom(const Config& config) {
  CollectionServiceImpl::Options service;
  service.max_batch_events = static_cast<size_t>(config.GetInt("collection.max_batch_events"));
  service.max_in_flight_events =
      static_cast<size_t>(config.GetInt("collection.max_in_flight_events"));
  service.limits.max_payload_bytes =
      static_cast<size_t>(config.GetInt("collection.max_payload_bytes"));
  service.limits.max_future_skew = config.GetDuration("collection.max_future_skew");
  service.max_answer_wait = config.GetDuration("collection.max_answer_wait");
  CollectionOptions options;
  options.service = service;
  return WithBusOptionsFrom(config, std::move(options));
}

}  // namespace infobus::collection
