#include "common/grpc/health_service.h"

#include <deque>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/grpc/paged_stream_reactor.h"

namespace infobus {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch call: writes the latest status whenever it differs from the one last written
// (changes that come during a write are folded into the next), and finishes after the last one
// once the service shuts down. Update runs with the service's lock held, so OnDone's Unwatch
// cannot race it; gRPC runs OnDone of a stream on its own thread, never inside Finish().
class HealthService::WatchReactor final : public PagedStreamReactor<HealthCheckResponse> {
 public:
  WatchReactor(HealthService* service, std::string name, ServingStatus status)
      : service_(service), name_(std::move(name)), latest_(status) {}

  const std::string& name() const { return name_; }

  // `status` is the one in force; `last`: nothing follows it.
  void Update(ServingStatus status, bool last) {
    {
      absl::MutexLock lock(&mutex_);
      latest_ = status;
      last_ = last_ || last;
    }
    Pump();
  }

 private:
  Step NextLocked(std::deque<HealthCheckResponse>& buffer) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (written_ && *written_ == latest_) {
      return last_ ? Step::Finish(grpc::Status::OK) : Step::Wait();
    }
    buffer.emplace_back().set_status(latest_);
    return Step::Write();
  }
  void WrittenLocked(const HealthCheckResponse& item) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    written_ = item.status();
  }
  void StopListening() override { service_->Unwatch(this); }

  HealthService* const service_;
  const std::string name_;  // the service watched
  ServingStatus latest_ ABSL_GUARDED_BY(mutex_);
  std::optional<ServingStatus> written_ ABSL_GUARDED_BY(mutex_);
  bool last_ ABSL_GUARDED_BY(mutex_) = false;
};

HealthService::HealthService() { names_.insert(""); }

HealthService::~HealthService() = default;

void HealthService::AddServices(const std::vector<std::string>& names) {
  absl::MutexLock lock(&mutex_);
  names_.insert(names.begin(), names.end());
}

void HealthService::SetServing(bool serving) {
  absl::MutexLock lock(&mutex_);
  if (serving == serving_) return;
  serving_ = serving;
  // Watchers of an unknown name keep SERVICE_UNKNOWN: the names never change after start.
  for (WatchReactor* watcher : watchers_) watcher->Update(StatusOfLocked(watcher->name()), false);
}

void HealthService::Shutdown() {
  absl::MutexLock lock(&mutex_);
  shut_down_ = true;
  for (WatchReactor* watcher : watchers_) watcher->Update(StatusOfLocked(watcher->name()), true);
}

HealthService::ServingStatus HealthService::StatusOfLocked(const std::string& name) const {
  if (names_.count(name) == 0) return HealthCheckResponse::SERVICE_UNKNOWN;
  return serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context,
                                               const HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  ServingStatus status;
  {
    absl::ReaderMutexLock lock(&mutex_);
    status = StatusOfLocked(request->service());
  }
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 absl::StrCat("unknown service '", request->service(), "'")));
  } else {
    response->set_status(status);
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

grpc::ServerUnaryReactor* HealthService::List(grpc::CallbackServerContext* context,
                                              const grpc::health::v1::HealthListRequest*,
                                              grpc::health::v1::HealthListResponse* response) {
  {
    absl::ReaderMutexLock lock(&mutex_);
    for (const std::string& name : names_) {
      (*response->mutable_statuses())[name].set_status(StatusOfLocked(name));
    }
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext*, const HealthCheckRequest* request) {
  absl::MutexLock lock(&mutex_);
  const ServingStatus status = StatusOfLocked(request->service());
  auto* reactor = new WatchReactor(this, request->service(), status);
  watchers_.insert(reactor);
  reactor->Update(status, shut_down_);  // the first write
  return reactor;
}

void HealthService::Unwatch(WatchReactor* reactor) {
  absl::MutexLock lock(&mutex_);
  watchers_.erase(reactor);
}

}  // namespace infobus
