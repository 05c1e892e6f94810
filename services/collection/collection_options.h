#pragma once

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/service/bus_options.h"
#include "services/collection/collection_service.h"

namespace infobus::collection {

// What the collection process runs with: the common settings and the collection.* keys
// (CollectionServer::Program()), typed. Filled once at startup by CollectionOptionsFrom.
struct CollectionOptions {
  BusOptions bus;
  // collection.max_batch_events, collection.max_in_flight_events, collection.max_payload_bytes,
  // collection.max_future_skew, collection.max_answer_wait.
  CollectionServiceImpl::Options service;
};

// The errors of BusOptionsFrom.
absl::StatusOr<CollectionOptions> CollectionOptionsFrom(const Config& config);

}  // namespace infobus::collection
