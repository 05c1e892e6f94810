#pragma once

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/gateway/gateway_options.h"
#include "services/gateway/grpc_calls.h"

namespace httplib {
class Server;
struct Request;
struct Response;
class DataSink;
}  // namespace httplib

namespace infobus::gateway {

// The console gateway: HTTPS (cpp-httplib) in front of the four services' gRPC APIs, mapped
// 1:1 by their descriptors (see README.md for the API), and the console's static files.
//
// Lifecycle: Create, Start (binds, writes gateway.port_file, serves on a thread of its own),
// Stop (cancels every open stream, stops accepting, joins the workers); the destructor stops.
// Start and Stop on one thread; the handlers run on httplib's worker pool (gateway.threads),
// a Server-Sent Events stream holding its worker until it ends.
class GatewayServer {
 public:
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Create(const GatewayOptions& options);
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  absl::Status Start();
  void Stop();
  int port() const { return port_; }

 private:
  struct Stream;
  explicit GatewayServer(const GatewayOptions& options);

  void Route();
  void HandleApi(const httplib::Request& request, httplib::Response& response, bool post);
  void HandleUnary(const google::protobuf::MethodDescriptor& method, grpc::GenericStub& stub,
                   const std::string& authorization, const httplib::Request& request,
                   httplib::Response& response);
  void HandleStream(const google::protobuf::MethodDescriptor& method, grpc::GenericStub& stub,
                    const std::string& authorization, const httplib::Request& request,
                    httplib::Response& response);
  // One step of a stream's content provider: an event, a keep-alive or the end. False when the
  // client is gone (httplib then closes the connection and the releaser cancels the call).
  bool Pump(Stream& stream, httplib::DataSink& sink);
  void HandleStatic(const httplib::Request& request, httplib::Response& response);

  const GatewayOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> stubs_;  // by short service name
  std::thread listener_;
  int port_ = 0;

  absl::Mutex streams_mutex_;
  bool stopping_ ABSL_GUARDED_BY(streams_mutex_) = false;
  std::set<ServerStreamCall*> streams_ ABSL_GUARDED_BY(streams_mutex_);  // open, for Stop
};

using GatewayServerPtr = std::unique_ptr<GatewayServer>;

// The process: Start, serve until SIGINT/SIGTERM (blocked by the caller), Stop. The exit code.
int RunGateway(const GatewayOptions& options);

}  // namespace infobus::gateway
