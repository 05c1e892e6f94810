#include "tests/faults/publisher.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/support/clients.h"
#include "tests/integration/support/identities.h"

namespace infobus::faults {

namespace v1 = infobus::collection::v1;
using infobus::common::v1::Event;

RetryingPublisher::RetryingPublisher(const std::string& collection_address,
                                     absl::Duration call_deadline)
    : address_(collection_address), call_deadline_(call_deadline) {}

RetryingPublisher::Stub& RetryingPublisher::SourceStub(const std::string& source_id) {
  std::unique_ptr<Stub>& stub = stubs_[source_id];
  if (stub == nullptr) {
    stub = v1::CollectionService::NewStub(
        testing::ReconnectingChannel(address_, testing::AsSource(source_id)));
  }
  return *stub;
}

absl::Status RetryingPublisher::Publish(std::vector<Event> batch, absl::Time give_up,
                                        const AcceptedFn& accepted) {
  // A source may publish only its own events: split the batch, keeping each source's order.
  std::vector<std::string> sources;
  std::map<std::string, std::vector<Event>> by_source;
  for (Event& event : batch) {
    std::vector<Event>& own = by_source[event.source_id()];
    if (own.empty()) sources.push_back(event.source_id());
    own.push_back(std::move(event));
  }
  for (const std::string& source : sources) {
    if (absl::Status status =
            PublishAs(SourceStub(source), std::move(by_source[source]), give_up, accepted);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status RetryingPublisher::PublishAs(Stub& stub, std::vector<Event> batch, absl::Time give_up,
                                          const AcceptedFn& accepted) {
  absl::Duration backoff = absl::Milliseconds(50);
  for (int attempt = 0; !batch.empty(); ++attempt) {
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat(batch.size(), " events still not accepted after ", attempt, " calls"));
    }
    v1::PublishRequest request;
    for (const Event& event : batch) *request.add_events() = event;
    v1::PublishResponse response;
    grpc::ClientContext context;
    context.set_wait_for_ready(true);  // a restarting collection: wait for it, within the deadline
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(call_deadline_));
    const absl::Time sent = absl::Now();
    const grpc::Status status = stub.Publish(&context, request, &response);
    const absl::Time answered = absl::Now();
    if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
      // A refusal is no outage: sending it again would only wait out `give_up`.
      absl::MutexLock lock(&mutex_);
      ++figures_.calls;
      ++figures_.call_errors;
      return absl::PermissionDeniedError(status.error_message());
    }

    std::vector<Event> again;
    std::vector<std::pair<const Event*, bool>> taken;  // event, duplicate
    absl::Status rejected = absl::OkStatus();
    {
      absl::MutexLock lock(&mutex_);
      ++figures_.calls;
      figures_.longest_call = std::max(figures_.longest_call, answered - sent);
      if (!status.ok()) {
        ++figures_.call_errors;
        if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
          ++figures_.deadline_exceeded;
        }
      }
      for (int i = 0; status.ok() && i < response.results_size() &&
                      response.results_size() == static_cast<int>(batch.size());
           ++i) {
        const v1::PublishResult& result = response.results(i);
        Event& event = batch[static_cast<size_t>(i)];
        switch (result.outcome()) {
          case v1::PUBLISH_OUTCOME_ACCEPTED:
            ++figures_.accepted;
            taken.emplace_back(&event, false);
            break;
          case v1::PUBLISH_OUTCOME_DUPLICATE:
            ++figures_.duplicate;
            taken.emplace_back(&event, true);
            break;
          case v1::PUBLISH_OUTCOME_REJECTED:
            ++figures_.rejected;
            rejected = absl::InvalidArgumentError(absl::StrCat(
                "event ", event.event_id(), " rejected: ", result.field(), " ", result.reason()));
            break;
          default:
            ++figures_.retry;
            again.push_back(event);
            break;
        }
      }
    }
    if (!status.ok() || response.results_size() != static_cast<int>(batch.size())) {
      again = std::move(batch);
    }
    for (const auto& [event, duplicate] : taken) accepted(*event, answered, duplicate);
    if (!rejected.ok()) return rejected;
    batch = std::move(again);
    if (batch.empty()) break;
    if (status.ok() && static_cast<int>(batch.size()) < request.events_size()) {
      backoff = absl::Milliseconds(50);  // progress: try the rest soon
    }
    absl::SleepFor(backoff);  // a client's retry backoff
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
  return absl::OkStatus();
}

PublishFigures RetryingPublisher::figures() const {
  absl::MutexLock lock(&mutex_);
  return figures_;
}

}  // namespace infobus::faults
