#include "services/collection/collection_service.h"

#include <google/protobuf/arena.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/domain/subject.h"
#include "common/kafka/message.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/util/ids.h"
#include "common/util/time.h"

namespace infobus::collection {

using infobus::collection::v1::PublishOutcome;
using infobus::collection::v1::PublishRequest;
using infobus::collection::v1::PublishResponse;
using infobus::collection::v1::PublishResult;
using infobus::common::v1::Event;

namespace {

// Both parts are validated printable ASCII without '\n', so the key is unambiguous.
std::string IdempotencyKey(const Event& event) {
  return absl::StrCat(event.source_id(), "\n", event.event_id());
}

void SetOutcome(PublishResult* result, PublishOutcome outcome, grpc::StatusCode code,
                std::string reason) {
  result->set_outcome(outcome);
  result->set_code(static_cast<int32_t>(code));
  result->set_reason(std::move(reason));
}

// infobus_collection_events_total{source, outcome}. A source id that failed validation is
// counted as "invalid", so bad input cannot create label values without bound. Outcomes are
// tallied per call and the labelled series looked up once per (source, outcome) in it: a call
// usually carries one source, and the lookup builds a label map.
class OutcomeTally {
 public:
  void Add(const std::string& source_id, PublishOutcome outcome) {
    for (Entry& entry : entries_) {
      if (entry.outcome == outcome && entry.source_id == source_id) {
        ++entry.count;
        return;
      }
    }
    entries_.push_back({source_id, outcome, 1});
  }

  // Adds the tally to the counters (once).
  void Record() {
    static auto& events = metrics::CounterFamily("infobus_collection_events_total",
                                                 "Published events by source and outcome.");
    for (const Entry& entry : entries_) {
      std::string name = v1::PublishOutcome_Name(entry.outcome);
      constexpr std::string_view kPrefix = "PUBLISH_OUTCOME_";
      if (name.rfind(kPrefix, 0) == 0) name = absl::AsciiStrToLower(name.substr(kPrefix.size()));
      events.Add({{"source", entry.source_id}, {"outcome", name}})
          .Increment(static_cast<double>(entry.count));
    }
    entries_.clear();
  }

 private:
  struct Entry {
    std::string source_id;
    PublishOutcome outcome;
    int64_t count;
  };
  std::vector<Entry> entries_;
};

}  // namespace

// One Publish call whose events are being produced.
struct CollectionServiceImpl::Call {
  struct Pending {
    int index;
    std::string source_id;
    std::string key;
    std::string trace_id;
    absl::Status status;
  };
  grpc::ServerUnaryReactor* reactor;
  PublishResponse* response;
  std::vector<Pending> pending;
  // Delivery reports still due, plus one held by the producing loop so that early reports cannot
  // complete the call before every event is queued.
  std::atomic<size_t> outstanding{1};
};

CollectionServiceImpl::CollectionServiceImpl(Options options, Store* store,
                                             kafka::Producer* producer, std::string events_topic,
                                             ClockPtr clock)
    : options_(options),
      store_(store),
      producer_(producer),
      events_topic_(std::move(events_topic)),
      clock_(std::move(clock)) {}

grpc::ServerUnaryReactor* CollectionServiceImpl::Publish(grpc::CallbackServerContext* context,
                                                         const PublishRequest* request,
                                                         PublishResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const size_t count = static_cast<size_t>(request->events_size());
  if (count == 0) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "events: at least one event is required"));
    return reactor;
  }
  if (count > options_.max_batch_events) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("events: ", count, " events in one call; the limit is ",
                                  options_.max_batch_events)));
    return reactor;
  }
  if (in_flight_events_.fetch_add(count) + count > options_.max_in_flight_events) {
    in_flight_events_.fetch_sub(count);
    // gRPC clients with retries enabled honour this hint.
    context->AddTrailingMetadata("grpc-retry-pushback-ms", "200");
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "collection is at capacity; retry in 200 ms"));
    return reactor;
  }

  auto call = std::make_shared<Call>();
  call->reactor = reactor;
  call->response = response;
  const absl::Time now = clock_->Now();
  // The call's events are copied (to be normalised and stamped) into an arena that dies with
  // this function: the producer copies what it sends, so nothing refers to them later, and the
  // dozen heap allocations and frees per copied event become bump allocations.
  google::protobuf::Arena arena;
  std::vector<Event*> to_send;
  to_send.reserve(count);
  absl::flat_hash_set<std::string> keys_in_call;
  keys_in_call.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    PublishResult* result = response->add_results();
    Event& event = *google::protobuf::Arena::CreateMessage<Event>(&arena);
    event = request->events(static_cast<int>(i));
    result->set_event_id(event.event_id());
    if (auto error =
            ValidateAndNormalize(event, options_.limits, now, absl::StrCat("events[", i, "]"))) {
      result->set_field(error->field);
      SetOutcome(result, v1::PUBLISH_OUTCOME_REJECTED, grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat(error->field, ": ", error->reason));
      continue;
    }
    std::string key = IdempotencyKey(event);
    if (!keys_in_call.insert(key).second) {
      SetOutcome(result, v1::PUBLISH_OUTCOME_DUPLICATE, grpc::StatusCode::ALREADY_EXISTS,
                 "repeated earlier in this call");
      continue;
    }
    {
      absl::MutexLock lock(&mutex_);
      if (!in_flight_keys_.insert(key).second) {
        SetOutcome(result, v1::PUBLISH_OUTCOME_RETRY, grpc::StatusCode::UNAVAILABLE,
                   "the same event is being published by another call; retry");
        continue;
      }
    }
    auto published = store_->Get(kPublishedFamily, key);
    if (!published.ok() || published->has_value()) {
      absl::MutexLock lock(&mutex_);
      in_flight_keys_.erase(key);
      if (!published.ok()) {
        SetOutcome(result, v1::PUBLISH_OUTCOME_RETRY, grpc::StatusCode::UNAVAILABLE,
                   std::string(published.status().message()));
      } else {
        result->set_trace_id(**published);
        SetOutcome(result, v1::PUBLISH_OUTCOME_DUPLICATE, grpc::StatusCode::ALREADY_EXISTS,
                   "accepted before");
      }
      continue;
    }
    *event.mutable_ingested_at() = ToProtoTimestamp(now);
    event.set_trace_id(NewTraceId());
    call->pending.push_back(
        {static_cast<int>(i), event.source_id(), std::move(key), event.trace_id(), {}});
    to_send.push_back(&event);
  }

  // Outcomes decided without Kafka (rejected, duplicate, busy) are final already.
  OutcomeTally tally;
  for (size_t i = 0, p = 0; i < count; ++i) {
    if (p < call->pending.size() && call->pending[p].index == static_cast<int>(i)) {
      ++p;
      continue;
    }
    const auto& result = response->results(static_cast<int>(i));
    tally.Add(result.outcome() == v1::PUBLISH_OUTCOME_REJECTED
                  ? "invalid"
                  : request->events(static_cast<int>(i)).source_id(),
              result.outcome());
  }
  tally.Record();

  call->outstanding.fetch_add(to_send.size());
  // One message reused for every event: the producer copies it, and reusing its strings
  // (topic, value, header names and values) saves their allocations for all but the first.
  kafka::OutgoingMessage message;
  message.topic = events_topic_;
  message.headers = {{kafka::kTraceIdHeader, ""},
                     {kafka::kSourceIdHeader, ""},
                     {kafka::kSchemaHeader, Event::descriptor()->full_name()}};
  for (size_t p = 0; p < to_send.size(); ++p) {
    const Event& event = *to_send[p];
    message.key = event.subjects_size() > 0
                      ? domain::SubjectKey(event.subjects(0))
                      : absl::StrCat(event.source_id(), "/", event.event_id());
    event.SerializeToString(&message.value);
    message.headers[0].value = event.trace_id();
    message.headers[1].value = event.source_id();
    absl::Status queued = producer_->ProduceAsync(message, [this, call, p](absl::Status status) {
      call->pending[p].status = std::move(status);
      if (call->outstanding.fetch_sub(1) == 1) Complete(call);
    });
    if (!queued.ok()) {
      call->pending[p].status = absl::UnavailableError(queued.message());
      call->outstanding.fetch_sub(1);
    }
  }
  if (call->outstanding.fetch_sub(1) == 1) Complete(call);
  return reactor;
}

void CollectionServiceImpl::Complete(const std::shared_ptr<Call>& call) {
  rocksdb::WriteBatch batch;
  for (const Call::Pending& pending : call->pending) {
    if (pending.status.ok()) {
      batch.Put(store_->Family(kPublishedFamily), pending.key, pending.trace_id);
    }
  }
  if (absl::Status status = store_->Write(&batch); !status.ok()) {
    // The events are in Kafka, so they stay ACCEPTED; a retry may send them again, and
    // downstream deterministic judgment ids keep that from doubling any judgment.
    INFOBUS_LOG(Error) << "events accepted but their idempotency keys not stored: " << status;
  }
  {
    absl::MutexLock lock(&mutex_);
    for (const Call::Pending& pending : call->pending) in_flight_keys_.erase(pending.key);
  }
  OutcomeTally tally;
  for (const Call::Pending& pending : call->pending) {
    PublishResult* result = call->response->mutable_results(pending.index);
    tally.Add(pending.source_id,
              pending.status.ok() ? v1::PUBLISH_OUTCOME_ACCEPTED : v1::PUBLISH_OUTCOME_RETRY);
    if (pending.status.ok()) {
      result->set_trace_id(pending.trace_id);
      SetOutcome(result, v1::PUBLISH_OUTCOME_ACCEPTED, grpc::StatusCode::OK, "");
    } else {
      SetOutcome(result, v1::PUBLISH_OUTCOME_RETRY, grpc::StatusCode::UNAVAILABLE,
                 std::string(pending.status.message()));
    }
  }
  tally.Record();
  in_flight_events_.fetch_sub(static_cast<size_t>(call->response->results_size()));
  call->reactor->Finish(grpc::Status::OK);
}

}  // namespace infobus::collection
