#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "common/grpc/credentials.h"

namespace infobus::testing {

// One request and one response on any gRPC method, raw protobuf bytes both ways, through a
// generic stub: lets tests speak server reflection, whose .proto must not be compiled into a
// binary that links grpc++_reflection (the same symbols twice abort it at start-up). Called
// as `security`.
std::string CallRaw(const std::string& address, const ClientSecurity& security,
                    const std::string& method, const std::string& request, grpc::Status* status);

}  // namespace infobus::testing
