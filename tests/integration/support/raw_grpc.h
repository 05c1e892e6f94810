#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

namespace infobus::testing {

// One request and one response on any gRPC method, raw protobuf bytes both ways, through a
// generic stub: lets tests speak grpc.health.v1 and reflection without their .proto files.
std::string CallRaw(const std::string& address, const std::string& method,
                    const std::string& request, grpc::Status* status);

// grpc.health.v1.Health/Check for the whole server (""): 1 SERVING, 2 NOT_SERVING, -1 when the
// call itself failed.
int HealthStatus(const std::string& address);

}  // namespace infobus::testing
