#pragma once

#include <grpcpp/channel.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "tests/faults/fault_checks.h"

namespace infobus::faults {

// Signs deliveries off (dispatch Acknowledge) on a thread of its own, in the order they are
// handed over, each until dispatch answers OK — through kills and restarts — or `give_up`. Each
// unit's are signed by its duty officer, "duty-officer-<unit>", over that unit's channel.
// Records when each sign-off was stamped as Acknowledge answered it: the first stamp stands, so
// a retry after a call whose answer was lost reports the original time. Add() may be called
// from any thread; Stop() (or the destructor) ends it.
class SignOffClerk {
 public:
  // Dispatch as the duty officer of a unit.
  using ChannelFor = std::function<std::shared_ptr<grpc::Channel>(const std::string& unit_id)>;

  SignOffClerk(ChannelFor dispatch, absl::Time give_up);
  ~SignOffClerk();
  SignOffClerk(const SignOffClerk&) = delete;
  SignOffClerk& operator=(const SignOffClerk&) = delete;

  void Add(const std::string& unit_id, uint64_t seq);
  // Waits until every sign-off handed over was answered or given up (true), or `timeout`.
  bool WaitIdle(absl::Duration timeout);
  void Stop();

  SignOffs signed_at() const;
  int64_t given_up() const;
  int64_t failed_calls() const;

 private:
  void Run();
  infobus::dispatch::v1::DispatchService::Stub& StubFor(const std::string& unit_id);

  const ChannelFor channel_for_;
  // By unit; only Run's thread touches them.
  std::map<std::string, std::unique_ptr<infobus::dispatch::v1::DispatchService::Stub>> stubs_;
  const absl::Time give_up_;
  mutable absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::deque<std::pair<std::string, uint64_t>> queue_ ABSL_GUARDED_BY(mutex_);
  bool busy_ ABSL_GUARDED_BY(mutex_) = false;
  SignOffs signed_at_ ABSL_GUARDED_BY(mutex_);
  int64_t given_up_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t failed_calls_ ABSL_GUARDED_BY(mutex_) = 0;
  std::thread thread_;
};

}  // namespace infobus::faults
