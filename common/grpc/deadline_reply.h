#pragma once

#include <grpcpp/alarm.h>
#include <grpcpp/support/server_callback.h>

#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace infobus {

// A unary reply finished by whichever comes first: the work's completion (from any thread, e.g.
// a consumer loop's commit callback) or a deadline (from gRPC's alarm thread, with
// `on_timeout`). So a gRPC callback can hand its work on and return at once, and the caller
// still hears within the time the service promises even when the work never completes.
//
// The request, the response and the service behind them live until the call is finished, and
// no longer: a completion touches them only inside Run(), which holds the call open while it
// runs (a deadline passing meanwhile is answered when it returns), and finishes it with
// Finish() from there. Thread-safe.
class DeadlineReply {
 public:
  static std::shared_ptr<DeadlineReply> Start(grpc::ServerUnaryReactor* reactor,
                                              absl::Duration timeout, grpc::Status on_timeout);
  DeadlineReply(const DeadlineReply&) = delete;
  DeadlineReply& operator=(const DeadlineReply&) = delete;

  // Runs `f` with the call still open, unless it is finished already; returns whether it ran.
  // `f` must be quick; it may Finish(), or hand on to a later Run().
  template <typename F>
  bool Run(F&& f) {
    if (!Enter()) return false;
    f();
    Leave();
    return true;
  }
  // Finishes the call, once (later calls do nothing). Inside Run() only.
  void Finish(const grpc::Status& status);

 private:
  DeadlineReply(grpc::ServerUnaryReactor* reactor, grpc::Status on_timeout)
      : reactor_(reactor), on_timeout_(std::move(on_timeout)) {}
  bool Enter();
  void Leave();
  void Expire();

  grpc::ServerUnaryReactor* const reactor_;
  const grpc::Status on_timeout_;
  absl::Mutex mutex_;
  bool finished_ ABSL_GUARDED_BY(mutex_) = false;
  bool expired_ ABSL_GUARDED_BY(mutex_) = false;  // the deadline passed inside a Run()
  int running_ ABSL_GUARDED_BY(mutex_) = 0;
  grpc::Alarm alarm_;  // its callback holds only a weak_ptr: the reply lives with the work
};
using DeadlineReplyPtr = std::shared_ptr<DeadlineReply>;

}  // namespace infobus
