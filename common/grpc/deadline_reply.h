#pragma once

#include <grpcpp/alarm.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <memory>

#include "absl/time/time.h"

namespace infobus {

// A unary reply finished by whichever comes first: the work's completion (from any thread, e.g.
// a consumer loop's commit callback) or a deadline (from gRPC's alarm thread, with
// `on_timeout`). So a gRPC callback can hand its work on and return at once, and the caller
// still hears within the time the service promises even when the work never completes.
//
// Whoever wins Claim() owns the response message and must call Finish(); the loser must not
// touch the response (it may be gone). Thread-safe.
class DeadlineReply {
 public:
  static std::shared_ptr<DeadlineReply> Start(grpc::ServerUnaryReactor* reactor,
                                              absl::Duration timeout, grpc::Status on_timeout);
  DeadlineReply(const DeadlineReply&) = delete;
  DeadlineReply& operator=(const DeadlineReply&) = delete;

  // True for the first caller only.
  bool Claim();
  // Finishes the call; only after Claim() returned true.
  void Finish(const grpc::Status& status);

 private:
  DeadlineReply(grpc::ServerUnaryReactor* reactor, grpc::Status on_timeout)
      : reactor_(reactor), on_timeout_(std::move(on_timeout)) {}

  grpc::ServerUnaryReactor* const reactor_;
  const grpc::Status on_timeout_;
  std::atomic<bool> claimed_{false};
  grpc::Alarm alarm_;  // its callback holds only a weak_ptr: the reply lives with the work
};
using DeadlineReplyPtr = std::shared_ptr<DeadlineReply>;

}  // namespace infobus
