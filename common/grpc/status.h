#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace infobus {

// absl and gRPC share the canonical codes, so this keeps code and message as they are.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace infobus
