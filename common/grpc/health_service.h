#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace infobus {

// grpc.health.v1.Health (the standard health.proto) for one gRPC server: the overall status
// (service name "") and that of every service the server serves, all set together by
// SetServing. Check answers at once, NOT_FOUND for a name the server does not serve; List
// answers every name; Watch sends the status in force and then every change, SERVICE_UNKNOWN
// for an unknown name, and stays open until the client cancels or Shutdown(). No call blocks:
// a change is handed to each watcher, which writes it when its previous write is done.
// Starts SERVING. Thread-safe; must outlive the server it is registered with.
class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  HealthService();
  ~HealthService() override;

  // The names the server serves besides "" (before the server starts).
  void AddServices(const std::vector<std::string>& names);
  // SERVING or NOT_SERVING for "" and every name; watchers of a name hear of a change.
  void SetServing(bool serving);
  // Ends every Watch once it has sent the status in force, and every later one at once, so the
  // server's shutdown does not wait for streams that would never end by themselves.
  void Shutdown();

  // grpc::health::v1::Health::CallbackService
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* context,
                                 const grpc::health::v1::HealthListRequest* request,
                                 grpc::health::v1::HealthListResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

 private:
  class WatchReactor;

  ServingStatus StatusOfLocked(const std::string& name) const ABSL_SHARED_LOCKS_REQUIRED(mutex_);
  void Unwatch(WatchReactor* reactor);

  mutable absl::Mutex mutex_;  // before any WatchReactor's
  std::set<std::string> names_ ABSL_GUARDED_BY(mutex_);
  bool serving_ ABSL_GUARDED_BY(mutex_) = true;
  bool shut_down_ ABSL_GUARDED_BY(mutex_) = false;
  std::set<WatchReactor*> watchers_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace infobus
