#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/audit_log.h"
#include "common/kafka/producer.h"
#include "common/store/store.h"
#include "common/util/clock.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"
#include "services/collection/event_validator.h"

namespace infobus::collection {

// collection.v1.CollectionService: validates, normalises and dedupes published events, stamps
// them (ingested_at, trace_id) and produces them to the events topic, keyed by primary subject.
// An event is answered ACCEPTED only after Kafka acknowledged it (acks=all); then its
// (source_id, event_id) is recorded in the store so a retry answers DUPLICATE. Publish does not
// block a gRPC thread while Kafka works: the call completes from the delivery reports, or
// with RETRY for the rest shortly before the caller's deadline (or Options::max_answer_wait).
// Thread-safe.
class CollectionServiceImpl final
    : public infobus::collection::v1::CollectionService::CallbackService {
 public:
  struct Options {
    ValidationLimits limits;
    size_t max_batch_events = 1000;
    // Events accepted for producing but not yet acknowledged by Kafka, over all calls; beyond
    // it Publish answers RESOURCE_EXHAUSTED with a retry hint instead of queueing without bound.
    size_t max_in_flight_events = 50000;
    // Longest a call waits for Kafka before answering RETRY for what is not acknowledged yet
    // (Kafka may still take it: a retry then answers DUPLICATE). A caller's deadline that comes
    // sooner is honoured too, so nobody times out waiting for an answer.
    absl::Duration max_answer_wait = absl::Seconds(10);
  };

  static constexpr char kPublishedFamily[] = "published";

  // `store` (opened with kPublishedFamily) and `producer` must outlive the service.
  // `audit` records every refused publish and every classified event taken (an event is
  // ACCEPTED only once its record is kept).
  CollectionServiceImpl(Options options, Store* store, kafka::Producer* producer,
                        std::string events_topic, ClockPtr clock, audit::AuditLog* audit);

  // CollectionService::CallbackService
  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context,
                                    const infobus::collection::v1::PublishRequest* request,
                                    infobus::collection::v1::PublishResponse* response) override;

 private:
  struct Call;
  // Every delivery report is in: stores the keys of what Kafka took, then answers if not yet.
  void Settle(const std::shared_ptr<Call>& call);
  // Answers the call once, from what is reported so far.
  void Answer(Call& call);

  const Options options_;
  Store* const store_;
  kafka::Producer* const producer_;
  const std::string events_topic_;
  const ClockPtr clock_;
  audit::AuditLog* const audit_;
  std::atomic<size_t> in_flight_events_{0};
  absl::Mutex mutex_;
  // Idempotency keys being produced right now, so two concurrent calls never both send one.
  absl::flat_hash_set<std::string> in_flight_keys_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace infobus::collection
