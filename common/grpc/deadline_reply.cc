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
    std::shared_ptr<DeadlineReply> alive = weak.lock();
    if (alive && alive->Claim()) alive->reactor_->Finish(alive->on_timeout_);
  });
  return reply;
}

bool DeadlineReply::Claim() { return !claimed_.exchange(true); }

void DeadlineReply::Finish(const grpc::Status& status) {
  alarm_.Cancel();
  reactor_->Finish(status);
}

}  // namespace infobus
