#include "services/collection/collection_service.h"

#include <google/protobuf/arena.h>
#include <grpcpp/alarm.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audited_reply.h"
#include "common/domain/jurisdiction.h"
#include "common/domain/subject.h"
#include "common/grpc/caller.h"
#include "common/grpc/status.h"
#include "common/kafka/message.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/security/policy.h"
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

// One Publish call whose events are being produced. It is answered once: when the last
// delivery report arrives, or earlier, at `answer_by`, with RETRY for what Kafka has not
// acknowledged by then (the caller's deadline must not pass first). It is settled once every
// report is in: the keys of what Kafka took are stored, whenever that happens, so a retry of an
// event answered RETRY but kept after all answers DUPLICATE.
struct CollectionServiceImpl::Call {
  struct Pending {
    int index;
    std::string source_id;
    std::string key;
    std::string trace_id;
    bool classified = false;  // accepted only once its access record is kept
    bool reported = false;    // guarded by mutex
    absl::Status status;      // guarded by mutex, once reported
  };
  grpc::ServerUnaryReactor* reactor;
  PublishResponse* response;  // gRPC's; not to be touched once answered
  std::vector<Pending> pending;
  size_t event_count = 0;
  // Delivery reports still due, plus one held by the producing loop so that early reports cannot
  // complete the call before every event is queued.
  std::atomic<size_t> outstanding{1};
  absl::Mutex mutex;
  bool answered ABSL_GUARDED_BY(mutex) = false;
  // The access records of the call's classified events: one audit write, reported once.
  bool audit_reported ABSL_GUARDED_BY(mutex) = false;
  absl::Status audit_status ABSL_GUARDED_BY(mutex);
  std::unique_ptr<grpc::Alarm> answer_alarm;  // cancelled when the call is destroyed
};
CollectionServiceImpl::CollectionServiceImpl(Options options, Store* store,
                                             kafka::Producer* producer, std::string events_topic,
                                             ClockPtr clock, audit::AuditLog* audit)
    : options_(options),
      store_(store),
      producer_(producer),
      events_topic_(std::move(events_topic)),
      clock_(std::move(clock)),
      audit_(audit) {}

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
  // Need-to-know first: a call with any event its source may not publish stores nothing (and
  // the refusal is audited).
  auto caller = CallerOf(*context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  for (size_t i = 0; i < count; ++i) {
    const Event& event = request->events(static_cast<int>(i));
    // A malformed county is bad input, not a refusal: validation rejects that event alone,
    // naming the field (no county means nothing to be authorised for).
    if (!domain::ValidateCountyCode(event.county_code()).ok()) continue;
    if (absl::Status allowed = security::CanPublish(*caller, event.source_id(), event.county_code(),
                                                    event.classification());
        !allowed.ok()) {
      const absl::Status denied =
          absl::PermissionDeniedError(absl::StrCat("events[", i, "]: ", allowed.message()));
      audit::ReplyAudited(audit_, reactor,
                          {audit::NewRecord(*caller, audit_->service(), "CollectionService/Publish",
                                            audit::EventItem(event), denied, clock_->Now())},
                          ToGrpcStatus(denied));
      return reactor;
    }
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
  call->event_count = count;
  const absl::Time now = clock_->Now();
  // The call's events are copied (to be normalised and stamped) into an arena that dies with
  // this function: the producer copies what it sends, so nothing refers to them later, and the
  // dozen heap allocations and frees per copied event become bump allocations.
  google::protobuf::Arena arena;
  std::vector<Event*> to_send;
  to_send.reserve(count);
  absl::flat_hash_set<std::string> keys_in_call;
  keys_in_call.reserve(count);
  // The call's access records: one per event rejected as invalid (so that supervision can count
  // what never reaches a topic), then one per classified event taken.
  std::vector<audit::AuditRecord> records;
  for (size_t i = 0; i < count; ++i) {
    PublishResult* result = response->add_results();
    Event& event = *google::protobuf::Arena::CreateMessage<Event>(&arena);
    event = request->events(static_cast<int>(i));
    result->set_event_id(event.event_id());
    if (auto error =
            ValidateAndNormalize(event, options_.limits, now, absl::StrCat("events[", i, "]"))) {
      result->set_field(error->field);
      std::string reason = absl::StrCat(error->field, ": ", error->reason);
      records.push_back(audit::RejectedRecord(*caller, audit_->service(),
                                              "CollectionService/Publish",
                                              request->events(static_cast<int>(i)), reason, now));
      SetOutcome(result, v1::PUBLISH_OUTCOME_REJECTED, grpc::StatusCode::INVALID_ARGUMENT,
                 std::move(reason));
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
    call->pending.push_back({static_cast<int>(i),
                             event.source_id(),
                             std::move(key),
                             event.trace_id(),
                             audit::IsClassified(event.classification()),
                             false,
                             {}});
    to_send.push_back(&event);
  }

  // Every classified event taken is an access decision to account for: its record is written
  // alongside the events, and an event counts as ACCEPTED (and its key as published) only once
  // both are kept. Without the record the event is answered RETRY; a retry sends it again,
  // which judgment counts once. (A rejected event stays REJECTED whatever becomes of its
  // record: the answer is the same, only a report may miss it.)
  for (size_t p = 0; p < to_send.size(); ++p) {
    if (!call->pending[p].classified) continue;
    const Event& event = *to_send[p];
    records.push_back(audit::NewRecord(*caller, audit_->service(), "CollectionService/Publish",
                                       audit::EventItem(event), absl::OkStatus(), now,
                                       absl::StrCat("trace ", event.trace_id())));
  }
  const bool audits = !records.empty();
  if (audits) {
    call->outstanding.fetch_add(1);
    audit_->Record(std::move(records), [this, call](absl::Status kept) {
      {
        absl::MutexLock lock(&call->mutex);
        call->audit_status = std::move(kept);
        call->audit_reported = true;
      }
      if (call->outstanding.fetch_sub(1) == 1) Settle(call);
    });
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
      {
        absl::MutexLock lock(&call->mutex);
        call->pending[p].status = std::move(status);
        call->pending[p].reported = true;
      }
      if (call->outstanding.fetch_sub(1) == 1) Settle(call);
    });
    if (!queued.ok()) {
      absl::MutexLock lock(&call->mutex);
      call->pending[p].status = absl::UnavailableError(queued.message());
      call->pending[p].reported = true;
      call->outstanding.fetch_sub(1);
    }
  }
  if (!to_send.empty() || audits) {
    // Answer before the caller gives up: a little ahead of its deadline, and never later than
    // the configured wait, whatever Kafka does meanwhile.
    const absl::Time now_wall = absl::Now();
    absl::Time answer_by = now_wall + options_.max_answer_wait;
    if (const auto deadline = absl::FromChrono(context->deadline()); deadline < answer_by) {
      const absl::Duration margin =
          std::clamp((deadline - now_wall) / 10, absl::Milliseconds(20), absl::Seconds(1));
      answer_by = deadline - margin;
    }
    call->answer_alarm = std::make_unique<grpc::Alarm>();
    // Weak: the call owns its alarm, and lives only until its last delivery report.
    call->answer_alarm->Set(absl::ToChronoTime(answer_by),
                            [this, weak = std::weak_ptr<Call>(call)](bool fired) {
                              if (auto held = weak.lock(); held && fired) Answer(*held);
                            });
  }
  if (call->outstanding.fetch_sub(1) == 1) Settle(call);
  return reactor;
}

void CollectionServiceImpl::Settle(const std::shared_ptr<Call>& call) {
  rocksdb::WriteBatch batch;
  bool audited = false;
  {
    absl::MutexLock lock(&call->mutex);
    audited = call->audit_reported && call->audit_status.ok();
  }
  for (const Call::Pending& pending : call->pending) {
    if (pending.status.ok() && (!pending.classified || audited)) {
      batch.Put(store_->Family(kPublishedFamily), pending.key, pending.trace_id);
    }
  }
  if (absl::Status status = store_->Write(&batch); !status.ok()) {
    // The events are in Kafka, so they stay ACCEPTED; a retry may send them again, and
    // judgment counts an event once however often it is on the topic.
    INFOBUS_LOG(Error) << "events accepted but their idempotency keys not stored: " << status;
  }
  {
    absl::MutexLock lock(&mutex_);
    for (const Call::Pending& pending : call->pending) in_flight_keys_.erase(pending.key);
  }
  Answer(*call);
  in_flight_events_.fetch_sub(call->event_count);
}

void CollectionServiceImpl::Answer(Call& call) {
  OutcomeTally tally;
  {
    absl::MutexLock lock(&call.mutex);
    if (call.answered) return;
    call.answered = true;
    for (const Call::Pending& pending : call.pending) {
      PublishResult* result = call.response->mutable_results(pending.index);
      const bool unaudited =
          pending.classified && (!call.audit_reported || !call.audit_status.ok());
      const bool accepted = pending.reported && pending.status.ok() && !unaudited;
      tally.Add(pending.source_id,
                accepted ? v1::PUBLISH_OUTCOME_ACCEPTED : v1::PUBLISH_OUTCOME_RETRY);
      if (accepted) {
        result->set_trace_id(pending.trace_id);
        SetOutcome(result, v1::PUBLISH_OUTCOME_ACCEPTED, grpc::StatusCode::OK, "");
      } else if (pending.reported && !pending.status.ok()) {
        SetOutcome(result, v1::PUBLISH_OUTCOME_RETRY, grpc::StatusCode::UNAVAILABLE,
                   std::string(pending.status.message()));
      } else if (pending.reported && call.audit_reported) {
        SetOutcome(result, v1::PUBLISH_OUTCOME_RETRY, grpc::StatusCode::UNAVAILABLE,
                   absl::StrCat("its access record could not be kept; retry: ",
                                call.audit_status.message()));
      } else {
        SetOutcome(result, v1::PUBLISH_OUTCOME_RETRY, grpc::StatusCode::UNAVAILABLE,
                   "Kafka has not acknowledged it in time; retry (a retry answers DUPLICATE if "
                   "it was kept after all)");
      }
    }
  }
  tally.Record();
  call.reactor->Finish(grpc::Status::OK);
}

}  // namespace infobus::collection
