#include "services/collection/collection_server.h"

#include <utility>

#include "common/service/bus_config.h"

namespace infobus::collection {

ProgramInfo CollectionServer::Program() {
  ProgramInfo program;
  program.name = "infobus-collection";
  program.description =
      "Collection: county source systems publish information events over gRPC "
      "(infobus.collection.v1.CollectionService/Publish). Each event is validated, normalised, "
      "deduplicated by (source_id, event_id), stamped with ingest time and a trace id, and "
      "produced to <prefix>infobus.events.v1 (acks=all) before it is answered ACCEPTED.\n"
      "Consumes: nothing. Produces: infobus.events.v1. Stores: idempotency keys of accepted "
      "events (RocksDB, family 'published').";
  program.schema = CommonSchema("collection", "127.0.0.1:50051");
  using Type = ConfigKey::Type;
  program.schema.insert(
      program.schema.end(),
      {
          {"collection.max_batch_events", Type::kInt, "1000", "Most events in one Publish call."},
          {"collection.max_in_flight_events", Type::kInt, "50000",
           "Events waiting for Kafka over all calls before Publish answers RESOURCE_EXHAUSTED."},
          {"collection.max_payload_bytes", Type::kInt, "65536", "Largest event payload."},
          {"collection.max_future_skew", Type::kDuration, "5m",
           "How far in the future an event's occurred_at may lie."},
          {"collection.max_answer_wait", Type::kDuration, "10s",
           "Longest a Publish waits for Kafka's acknowledgement before answering RETRY for what "
           "is not acknowledged yet; a caller's earlier deadline is honoured as well."},
      });
  return program;
}

CollectionServer::CollectionServer(CollectionOptions options)
    : ServiceServer("collection", infobus::collection::v1::CollectionService::service_full_name()),
      options_(std::move(options)) {}

absl::Status CollectionServer::Start() {
  if (absl::Status status = OpenRuntime({CollectionServiceImpl::kPublishedFamily}); !status.ok()) {
    return status;
  }
  service_ = std::make_unique<CollectionServiceImpl>(
      options_.service, &runtime().store(), &runtime().producer(), runtime().topics().events,
      std::make_shared<SystemClock>(), &runtime().audit());
  return runtime().Serve({service_.get()});
}

void CollectionServer::Stop() {
  // gRPC first, so no call is mid-flight when the producer and store go away.
  StopServing(absl::Seconds(5));
  CloseRuntime();
  service_.reset();
}

}  // namespace infobus::collection
