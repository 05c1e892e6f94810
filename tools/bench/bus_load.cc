#include "tools/bench/bus_load.h"

#include <atomic>
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/util/time.h"
#include "infobus/collection/v1/collection_service.grpc.pb.h"
#include "infobus/judgment/v1/judgment_service.grpc.pb.h"
#include "tools/bench/clock.h"

namespace infobus::bench {

using infobus::collection::v1::PublishRequest;
using infobus::collection::v1::PublishResponse;

std::shared_ptr<grpc::Channel> BenchChannel(const std::string& address,
                                            const ChannelCredentialsPtr& credentials) {
  grpc::ChannelArguments args;
  // A connection of its own per channel, so client threads do not share one HTTP/2 connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, credentials, args);
}

absl::Status LoadWatchlist(const BusTarget& target, const Workload& workload) {
  auto stub = infobus::judgment::v1::JudgmentService::NewStub(
      BenchChannel(target.judgment, target.administrator));
  for (const auto& entry : workload.WatchlistEntries()) {
    infobus::judgment::v1::AddWatchlistEntryRequest request;
    *request.mutable_entry() = entry;
    infobus::judgment::v1::AddWatchlistEntryResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.set_wait_for_ready(true);
    grpc::Status status = stub->AddWatchlistEntry(&context, request, &response);
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("AddWatchlistEntry: ", status.error_message()));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------

DeliveryTracker::DeliveryTracker(const Workload* workload, const BusTarget& target)
    : workload_(workload),
      wall_minus_monotonic_ns_(absl::ToUnixNanos(absl::Now()) - NowNs()),
      stub_(infobus::dispatch::v1::DispatchService::NewStub(
          BenchChannel(target.dispatch, target.officer))) {
  thread_ = std::thread([this] { Read(); });
}

DeliveryTracker::~DeliveryTracker() {
  context_.TryCancel();
  thread_.join();
}

void DeliveryTracker::Read() {
  infobus::dispatch::v1::SubscribeRequest request;
  request.set_unit_id(Workload::kHitUnit);
  request.set_after_seq(0);
  context_.set_wait_for_ready(true);
  auto reader = stub_->Subscribe(&context_, request);
  infobus::common::v1::Delivery delivery;
  std::string phase;
  int64_t seq = 0;
  while (reader->Read(&delivery)) {
    const int64_t now = NowNs();
    const auto& judgment = delivery.judgment();
    absl::MutexLock lock(&mutex_);
    if (judgment.evidence_size() == 0 ||
        !workload_->ParseEventId(judgment.evidence(0).event_id(), &phase, &seq)) {
      ++ignored_;
      continue;
    }
    auto it = phases_.find(phase);
    if (it == phases_.end() || seq < 0 || seq >= static_cast<int64_t>(it->second.seen.size())) {
      ++ignored_;
      continue;
    }
    Phase& p = it->second;
    if (p.seen[static_cast<size_t>(seq)]) {
      ++p.result.duplicates;
      continue;
    }
    p.seen[static_cast<size_t>(seq)] = true;
    ++p.result.received;
    p.result.last_arrival_ns = now;
    if (p.intended_ns != nullptr) {
      const int64_t intended = (*p.intended_ns)[static_cast<size_t>(seq)];
      p.result.latency_ns.Record(now - intended);
      const int64_t judged =
          absl::ToUnixNanos(FromProtoTimestamp(judgment.created_at())) - wall_minus_monotonic_ns_;
      const int64_t in_inbox =
          absl::ToUnixNanos(FromProtoTimestamp(delivery.delivered_at())) - wall_minus_monotonic_ns_;
      p.result.to_judged_ns.Record(judged - intended);
      p.result.judged_to_inbox_ns.Record(in_inbox - judged);
      p.result.inbox_to_stream_ns.Record(now - in_inbox);
    }
  }
  grpc::Status status = reader->Finish();
  absl::MutexLock lock(&mutex_);
  end_status_ = status.ok() ? "ended" : status.error_message();
}

void DeliveryTracker::BeginPhase(const std::string& phase, int64_t events,
                                 const std::vector<int64_t>* intended_ns) {
  absl::MutexLock lock(&mutex_);
  Phase& p = phases_[phase];
  p.intended_ns = intended_ns;
  p.seen.assign(static_cast<size_t>(events), false);
  p.result = PhaseResult();
}

DeliveryTracker::PhaseResult DeliveryTracker::Wait(const std::string& phase, int64_t expected,
                                                   absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto done = [&] {
    auto it = phases_.find(phase);
    return (it != phases_.end() && it->second.result.received >= expected) || !end_status_.empty();
  };
  mutex_.AwaitWithTimeout(absl::Condition(&done), timeout);
  auto it = phases_.find(phase);
  return it == phases_.end() ? PhaseResult() : it->second.result;
}

int64_t DeliveryTracker::ignored() const {
  absl::MutexLock lock(&mutex_);
  return ignored_;
}

// ---------------------------------------------------------------------------------------------

namespace {

bool Retryable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

}  // namespace

ClosedLoopResult PublishClosedLoop(const PublishConfig& config, const Workload& workload,
                                   const std::string& phase, int64_t events) {
  std::vector<PublishRequest> requests;
  for (int64_t first = 0; first < events; first += config.batch) {
    PublishRequest& request = requests.emplace_back();
    for (int64_t seq = first; seq < std::min(events, first + config.batch); ++seq) {
      *request.add_events() = workload.MakeEvent(phase, seq, workload.IsHit(seq, events));
    }
  }
  std::atomic<size_t> next{0};
  std::atomic<int64_t> accepted{0}, rejected{0}, resent{0}, end_ns{0};
  absl::Mutex histogram_mutex;
  ClosedLoopResult result;
  result.events = events;

  // One connection per caller, connected (and with TLS, handshaken) before the clock starts.
  std::vector<std::unique_ptr<infobus::collection::v1::CollectionService::Stub>> stubs;
  for (int c = 0; c < config.concurrency; ++c) {
    auto channel = BenchChannel(config.collection_address, config.credentials);
    channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
    stubs.push_back(infobus::collection::v1::CollectionService::NewStub(channel));
  }

  auto client = [&](infobus::collection::v1::CollectionService::Stub* stub) {
    Histogram call_latency;
    for (size_t i = next.fetch_add(1); i < requests.size(); i = next.fetch_add(1)) {
      PublishRequest request = std::move(requests[i]);
      for (int attempt = 0; request.events_size() > 0; ++attempt) {
        PublishResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        const int64_t sent = NowNs();
        grpc::Status status = [&] {
          // wait_for_ready: the first calls may race the channel's connection.
          context.set_wait_for_ready(true);
          return stub->Publish(&context, request, &response);
        }();
        const int64_t now = NowNs();
        call_latency.Record(now - sent);
        int64_t last = end_ns.load();
        while (now > last && !end_ns.compare_exchange_weak(last, now)) {
        }
        PublishRequest again;
        if (!status.ok()) {
          if (!Retryable(status) || attempt > 50) {
            rejected.fetch_add(request.events_size());
            break;
          }
          resent.fetch_add(request.events_size());
          again = std::move(request);
        } else {
          for (int e = 0; e < response.results_size(); ++e) {
            switch (response.results(e).outcome()) {
              case infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED:
              case infobus::collection::v1::PUBLISH_OUTCOME_DUPLICATE:
                accepted.fetch_add(1);
                break;
              case infobus::collection::v1::PUBLISH_OUTCOME_RETRY:
                resent.fetch_add(1);
                *again.add_events() = request.events(e);
                break;
              default:
                rejected.fetch_add(1);
            }
          }
        }
        request = std::move(again);
        if (request.events_size() > 0) {
          std::this_thread::sleep_for(
              std::chrono::milliseconds(std::min(10 << std::min(attempt, 5), 200)));
        }
      }
    }
    absl::MutexLock lock(&histogram_mutex);
    result.call_latency_ns.Merge(call_latency);
  };

  result.start_ns = NowNs();
  std::vector<std::thread> threads;
  for (int c = 0; c < config.concurrency; ++c) threads.emplace_back(client, stubs[c].get());
  for (auto& thread : threads) thread.join();
  result.end_ns = std::max(end_ns.load(), result.start_ns + 1);
  result.accepted = accepted.load();
  result.rejected = rejected.load();
  result.resent = resent.load();
  return result;
}

namespace {

// One asynchronous Publish call of the open-loop sender. Deletes itself when answered.
struct OpenLoopCall {
  grpc::ClientContext context;
  PublishRequest request;
  PublishResponse response;
  std::vector<int64_t> seqs;
};

}  // namespace

OpenLoopResult PublishOpenLoop(const PublishConfig& config, const Workload& workload,
                               const std::string& phase, double rate, int64_t events,
                               std::vector<int64_t>* intended_ns, DeliveryTracker* tracker) {
  OpenLoopResult result;
  result.events = events;
  // Build the events first, so that building them never delays a send.
  std::vector<infobus::common::v1::Event> prepared;
  prepared.reserve(static_cast<size_t>(events));
  for (int64_t seq = 0; seq < events; ++seq) {
    prepared.push_back(workload.MakeEvent(phase, seq, workload.IsHit(seq, events)));
  }
  std::vector<uint8_t> accepted_flags(static_cast<size_t>(events), 0);
  // Connected (with TLS, handshaken) before the schedule starts.
  auto channel = BenchChannel(config.collection_address, config.credentials);
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stub = infobus::collection::v1::CollectionService::NewStub(channel);
  intended_ns->assign(static_cast<size_t>(events), 0);
  const int64_t start = NowNs() + 5000000;
  const double interval_ns = 1e9 / rate;
  for (int64_t i = 0; i < events; ++i) {
    (*intended_ns)[i] = start + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
  }
  tracker->BeginPhase(phase, events, intended_ns);

  absl::Mutex mutex;
  int64_t in_flight = 0;
  Histogram ack_latency;
  int64_t accepted = 0, not_accepted = 0;
  constexpr int64_t kMaxInFlight = 1024;  // a cap on memory, far above what 20% load needs

  int64_t i = 0;
  int64_t last_send = 0;
  while (i < events) {
    const int64_t due = (*intended_ns)[i];
    const int64_t wake = std::max(due, last_send + config.send_interval_ns);
    if (NowNs() < wake) SleepUntilNs(wake);
    {
      absl::MutexLock lock(&mutex);
      auto room = [&] { return in_flight < kMaxInFlight; };
      mutex.Await(absl::Condition(&room));
      ++in_flight;
    }
    const int64_t now = NowNs();
    last_send = now;
    result.max_behind_ns = std::max(result.max_behind_ns, now - due);
    auto* call = new OpenLoopCall();
    while (i < events && (*intended_ns)[i] <= now && call->request.events_size() < config.batch) {
      *call->request.add_events() = std::move(prepared[static_cast<size_t>(i)]);
      call->seqs.push_back(i);
      ++i;
    }
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    call->context.set_wait_for_ready(true);
    ++result.calls;
    stub->async()->Publish(
        &call->context, &call->request, &call->response, [&, call](grpc::Status status) {
          const int64_t answered = NowNs();
          absl::MutexLock lock(&mutex);
          for (size_t e = 0; e < call->seqs.size(); ++e) {
            const int64_t seq = call->seqs[e];
            const bool ok = status.ok() && static_cast<int>(e) < call->response.results_size() &&
                            call->response.results(static_cast<int>(e)).outcome() ==
                                infobus::collection::v1::PUBLISH_OUTCOME_ACCEPTED;
            if (ok) {
              ++accepted;
              accepted_flags[static_cast<size_t>(seq)] = 1;
              ack_latency.Record(answered - (*intended_ns)[seq]);
            } else {
              ++not_accepted;
            }
          }
          --in_flight;
          delete call;
        });
  }
  {
    absl::MutexLock lock(&mutex);
    auto idle = [&] { return in_flight == 0; };
    mutex.Await(absl::Condition(&idle));
    result.accepted = accepted;
    result.not_accepted = not_accepted;
    result.ack_latency_ns = ack_latency;
  }
  for (int64_t seq = 0; seq < events; ++seq) {
    if (accepted_flags[static_cast<size_t>(seq)] && workload.IsHit(seq, events))
      ++result.expected_hits;
  }
  return result;
}

}  // namespace infobus::bench
