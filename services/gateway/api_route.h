#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::gateway {

// Where an API path points: `POST|GET /api/v1/{service}/{Method}`, service being one of the
// short names collection, judgment, dispatch, supervision. Pure; any thread.
struct ApiRoute {
  std::string service;  // e.g. "dispatch"
  std::string method;   // e.g. "Acknowledge", exactly as in the .proto
};

// How a method is mapped: unary → POST, server streaming → GET as Server-Sent Events. Client
// and bidirectional streaming have no HTTP mapping.
enum class CallKind { kUnary, kServerStreaming, kUnmapped };

// "/api/v1/dispatch/Acknowledge" → {dispatch, Acknowledge}; NOT_FOUND for any path of another
// shape (no prefix, empty or extra segments).
absl::StatusOr<ApiRoute> ParseApiPath(std::string_view path);

// The method a route names in `pool` (the generated pool: the four services' code is linked
// in); NOT_FOUND for an unknown service or method.
absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(
    const google::protobuf::DescriptorPool& pool, const ApiRoute& route);

// The same in the generated pool, whose four services this function makes sure are linked in.
absl::StatusOr<const google::protobuf::MethodDescriptor*> FindGeneratedMethod(
    const ApiRoute& route);

CallKind KindOf(const google::protobuf::MethodDescriptor& method);

// gRPC's path of a method: "/infobus.dispatch.v1.DispatchService/Acknowledge".
std::string GrpcMethodPath(const google::protobuf::MethodDescriptor& method);

// The full service name behind a short one ("dispatch" → "infobus.dispatch.v1.DispatchService"),
// or "" for a name that is not one of the four.
std::string FullServiceName(std::string_view service);

}  // namespace infobus::gateway
