#include "common/grpc/deadline_reply.h"

#include <chrono>

namespace infobus {

std::shared_ptr<DeadlineReply> DeadlineReply::Start(grpc::ServerUnaryReactor* reactor,
                                                    absl::Duration timeout,
                                                    grpc::Status on_timeout) {
  std::shared_ptr<DeadlineReply> reply(new DeadlineReply(reactor, std::move(on_timeout)));
  const auto deadline = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
  reply->alarm_.Set(deadline, [weak = std::weak_ptr<DeadlineReply>(reply)](bool fired) {
    if (!fired) return;  // cancelled: the work finished the call
    if (std::shared_ptr<DeadlineReply> alive = weak.lock()) alive->Expire();
  });
  return reply;
}

bool DeadlineReply::Enter() {
  absl::MutexLock lock(&mutex_);
  if (finished_) return false;
  ++running_;
  return true;
}

void DeadlineReply::Leave() {
  bool answer_timeout = false;
  {
    absl::MutexLock lock(&mutex_);
    --running_;
    if (running_ == 0 && expired_ && !finished_) answer_timeout = finished_ = true;
  }
  if (answer_timeout) reactor_->Finish(on_timeout_);
}

void DeadlineReply::Expire() {
  {
    absl::MutexLock lock(&mutex_);
    if (finished_) return;
    if (running_ > 0) {
      expired_ = true;  // answered by the Run() in progress, unless it finishes the call itself
      return;
    }
    finished_ = true;
  }
  reactor_->Finish(on_timeout_);
}

void DeadlineReply::Finish(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mutex_);
    if (finished_) return;
    finished_ = true;
  }
  alarm_.Cancel();
  reactor_->Finish(status);
}

}  // namespace infobus
