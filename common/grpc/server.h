#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace grpc {
class Server;
class ServerCredentials;
class Service;
}  // namespace grpc

namespace infobus {

class HealthService;
class StartingService;

// A started gRPC server with the standard health service (grpc.health.v1, ours: see
// HealthService) and server reflection, so grpcurl works without .proto files. Health starts
// SERVING. Thread-safe.
class GrpcServer {
 public:
  // Binds `listen_address` ("127.0.0.1:0" picks a free port) and starts serving `services`,
  // which must outlive the server.
  // `health_names`: services not served (yet) whose health it answers too, e.g. the services a
  // process is still starting; their calls (any method not in `services`) are then answered
  // UNAVAILABLE at once (StartingService), not UNIMPLEMENTED.
  // `credentials`: TLS with the call authenticator (ServerCredentialsFrom), or plaintext.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const std::string& listen_address, std::shared_ptr<grpc::ServerCredentials> credentials,
      const std::vector<grpc::Service*>& services,
      const std::vector<std::string>& health_names = {});
  ~GrpcServer();

  int port() const { return port_; }
  // Overall health ("" service name) and that of each service the server serves.
  void SetServing(bool serving);
  // Answers NOT_SERVING and ends health watches, stops accepting calls, gives running ones
  // `grace` to finish, then cancels them.
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer();
  std::unique_ptr<HealthService> health_;      // outlives server_
  std::unique_ptr<StartingService> starting_;  // outlives server_; with health_names only
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};
using GrpcServerPtr = std::unique_ptr<GrpcServer>;

// Writes `port` to `path` atomically (write + rename), for whoever started us with port 0.
absl::Status WritePortFile(const std::string& path, int port);

}  // namespace infobus
