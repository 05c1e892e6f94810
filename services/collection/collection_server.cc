#include "services/collection/collection_server.h"

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

absl::Status CollectionServer::Start() {
  ConfigureLogging(config_, "collection");
  auto runtime =
      ServiceRuntime::Open(config_, "collection", {CollectionServiceImpl::kPublishedFamily});
  if (!runtime.ok()) return runtime.status();
  runtime_ = std::move(*runtime);

  CollectionServiceImpl::Options options;
  options.max_batch_events = static_cast<size_t>(config_.GetInt("collection.max_batch_events"));
  options.max_in_flight_events =
      static_cast<size_t>(config_.GetInt("collection.max_in_flight_events"));
  options.limits.max_payload_bytes =
      static_cast<size_t>(config_.GetInt("collection.max_payload_bytes"));
  options.limits.max_future_skew = config_.GetDuration("collection.max_future_skew");
  options.max_answer_wait = config_.GetDuration("collection.max_answer_wait");
  service_ = std::make_unique<CollectionServiceImpl>(
      options, &runtime_->store(), &runtime_->producer(), runtime_->topics().events,
      std::make_shared<SystemClock>(), &runtime_->audit());
  return runtime_->Serve({service_.get()});
}

void CollectionServer::Stop() {
  // gRPC first, so no call is mid-flight when the producer and store go away.
  if (runtime_) runtime_->StopServing(absl::Seconds(5));
  runtime_.reset();
  service_.reset();
}

int CollectionServer::Run() {
  return RunUntilTerminated(
      config_, "collection", infobus::collection::v1::CollectionService::service_full_name(),
      [this] { return Start(); }, [this] { Stop(); });
}

}  // namespace infobus::collection
