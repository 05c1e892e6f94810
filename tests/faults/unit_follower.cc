#include "tests/faults/unit_follower.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace infobus::faults {

namespace v1 = infobus::dispatch::v1;
using infobus::common::v1::Delivery;

UnitFollower::UnitFollower(std::shared_ptr<grpc::Channel> dispatch, std::string unit_id,
                           SignOffPolicy sign_off, SignOffClerk* clerk, absl::Time give_up)
    : stub_(v1::DispatchService::NewStub(std::move(dispatch))),
      unit_id_(std::move(unit_id)),
      sign_off_(std::move(sign_off)),
      clerk_(clerk),
      give_up_(give_up) {
  thread_ = std::thread([this] { Run(); });
}

UnitFollower::~UnitFollower() { Stop(); }

void UnitFollower::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void UnitFollower::Run() {
  auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stopping_; };
  while (absl::Now() < give_up_) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);  // while dispatch is down, wait for it to come back
    v1::SubscribeRequest request;
    request.set_unit_id(unit_id_);
    {
      absl::MutexLock lock(&mutex_);
      if (stopping_) return;
      context_ = &context;
      request.set_after_seq(last_seq_);
      ++subscriptions_;
    }
    auto reader = stub_->Subscribe(&context, request);
    Delivery delivery;
    while (reader->Read(&delivery)) {
      const bool sign = sign_off_ && sign_off_(delivery);
      {
        absl::MutexLock lock(&mutex_);
        last_seq_ = std::max(last_seq_, delivery.seq());
        deliveries_.push_back(delivery);
      }
      if (sign && clerk_ != nullptr) clerk_->Add(unit_id_, delivery.seq());
    }
    const grpc::Status ended = reader->Finish();  // dispatch went away (or we stop)
    absl::MutexLock lock(&mutex_);
    ++endings_[ended.error_code()];
    context_ = nullptr;
    if (stopping_) return;
    // The stream broke: subscribe again soon (the next call waits for dispatch to be back),
    // waking early only to stop.
    mutex_.AwaitWithTimeout(absl::Condition(&stopping), absl::Milliseconds(50));
  }
}

std::vector<Delivery> UnitFollower::deliveries() const {
  absl::MutexLock lock(&mutex_);
  return deliveries_;
}

size_t UnitFollower::count() const {
  absl::MutexLock lock(&mutex_);
  return deliveries_.size();
}

std::map<int, int> UnitFollower::endings() const {
  absl::MutexLock lock(&mutex_);
  return endings_;
}

int UnitFollower::subscriptions() const {
  absl::MutexLock lock(&mutex_);
  return subscriptions_;
}

}  // namespace infobus::faults
