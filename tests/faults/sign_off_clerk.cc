#include "tests/faults/sign_off_clerk.h"

#include <chrono>

#include "absl/time/clock.h"
#include "common/util/time.h"

namespace infobus::faults {

namespace v1 = infobus::dispatch::v1;

SignOffClerk::SignOffClerk(ChannelFor dispatch, absl::Time give_up)
    : channel_for_(std::move(dispatch)), give_up_(give_up) {
  thread_ = std::thread([this] { Run(); });
}

v1::DispatchService::Stub& SignOffClerk::StubFor(const std::string& unit_id) {
  std::unique_ptr<v1::DispatchService::Stub>& stub = stubs_[unit_id];
  if (stub == nullptr) stub = v1::DispatchService::NewStub(channel_for_(unit_id));
  return *stub;
}

SignOffClerk::~SignOffClerk() { Stop(); }

void SignOffClerk::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void SignOffClerk::Add(const std::string& unit_id, uint64_t seq) {
  absl::MutexLock lock(&mutex_);
  queue_.emplace_back(unit_id, seq);
}

bool SignOffClerk::WaitIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return (queue_.empty() && !busy_) || stopping_;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&idle), timeout) && queue_.empty() && !busy_;
}

void SignOffClerk::Run() {
  for (;;) {
    std::pair<std::string, uint64_t> item;
    {
      absl::MutexLock lock(&mutex_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return stopping_ || !queue_.empty();
      };
      mutex_.AwaitWithDeadline(absl::Condition(&ready), give_up_);
      if (stopping_ || queue_.empty()) return;
      item = queue_.front();
      queue_.pop_front();
      busy_ = true;
    }
    absl::Duration backoff = absl::Milliseconds(50);
    bool done = false;
    while (!done) {
      v1::AcknowledgeRequest request;
      request.set_unit_id(item.first);
      request.set_seq(item.second);
      request.set_acknowledged_by("duty-officer-" + item.first);
      v1::AcknowledgeResponse response;
      grpc::ClientContext context;
      context.set_wait_for_ready(true);
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      const grpc::Status status = StubFor(item.first).Acknowledge(&context, request, &response);
      absl::MutexLock lock(&mutex_);
      if (status.ok()) {
        signed_at_[item] = FromProtoTimestamp(response.acknowledged_at());
        done = true;
      } else if (stopping_ || absl::Now() >= give_up_) {
        ++given_up_;
        done = true;
      } else {
        ++failed_calls_;
        // Back off until the next try, waking early only to stop.
        auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stopping_; };
        mutex_.AwaitWithTimeout(absl::Condition(&stopping), backoff);
        backoff = std::min(backoff * 2, absl::Seconds(1));
      }
    }
    absl::MutexLock lock(&mutex_);
    busy_ = false;
  }
}

SignOffs SignOffClerk::signed_at() const {
  absl::MutexLock lock(&mutex_);
  return signed_at_;
}

int64_t SignOffClerk::given_up() const {
  absl::MutexLock lock(&mutex_);
  return given_up_;
}

int64_t SignOffClerk::failed_calls() const {
  absl::MutexLock lock(&mutex_);
  return failed_calls_;
}

}  // namespace infobus::faults
