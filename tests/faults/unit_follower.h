#pragma once

#include <grpcpp/channel.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "infobus/dispatch/v1/dispatch_service.grpc.pb.h"
#include "tests/faults/sign_off_clerk.h"

namespace infobus::faults {

// One unit's duty terminal: follows the unit's inbox with dispatch Subscribe on a background
// thread and, whenever the stream ends (dispatch killed, restarted), subscribes again with
// after_seq = the last seq it received, so it neither skips nor asks for anything twice (the
// call waits for dispatch to be back: wait_for_ready). Keeps
// every delivery in arrival order and hands those `sign_off` picks to a SignOffClerk.
// Stop() (or the destructor) ends it; it also ends by itself at `give_up`.
class UnitFollower {
 public:
  using SignOffPolicy = std::function<bool(const infobus::common::v1::Delivery&)>;

  UnitFollower(std::shared_ptr<grpc::Channel> dispatch, std::string unit_id, SignOffPolicy sign_off,
               SignOffClerk* clerk, absl::Time give_up);
  ~UnitFollower();
  UnitFollower(const UnitFollower&) = delete;
  UnitFollower& operator=(const UnitFollower&) = delete;

  void Stop();

  const std::string& unit_id() const { return unit_id_; }
  std::vector<infobus::common::v1::Delivery> deliveries() const;
  size_t count() const;
  int subscriptions() const;  // Subscribe calls made (1 + resubscriptions)
  // How the streams ended: gRPC status code → count.
  std::map<int, int> endings() const;

 private:
  void Run();

  std::unique_ptr<infobus::dispatch::v1::DispatchService::Stub> stub_;
  const std::string unit_id_;
  const SignOffPolicy sign_off_;
  SignOffClerk* const clerk_;
  const absl::Time give_up_;

  mutable absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mutex_) = nullptr;
  std::vector<infobus::common::v1::Delivery> deliveries_ ABSL_GUARDED_BY(mutex_);
  uint64_t last_seq_ ABSL_GUARDED_BY(mutex_) = 0;
  int subscriptions_ ABSL_GUARDED_BY(mutex_) = 0;
  std::map<int, int> endings_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace infobus::faults
