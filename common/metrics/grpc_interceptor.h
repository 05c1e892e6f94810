#pragma once

#include <grpcpp/support/server_interceptor.h>

namespace infobus::metrics {

// Counts every RPC by service, method and status code (infobus_grpc_server_handled_total) and
// times it (infobus_grpc_server_handling_seconds), for all services of a server at once.
class GrpcMetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // grpc::experimental::ServerInterceptorFactoryInterface
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace infobus::metrics
