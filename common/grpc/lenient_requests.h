#pragma once

// gRPC's (de)serialisation of the request messages of our services, force-included into the
// generated *.grpc.pb.cc files (proto/CMakeLists.txt), which are the only code that
// instantiates it. The generated parser refuses a proto3 `string` holding invalid UTF-8, and
// gRPC answers such a call UNIMPLEMENTED with no message: a county system's bad bytes got
// nothing to act on. These specialisations parse leniently (common/grpc/lenient_parse.h), so
// the handler sees the request and answers INVALID_ARGUMENT naming the field
// (FindInvalidUtf8), and the other events of a Publish batch get their own answers.
// Serialising is unchanged. A request type added to a service belongs in the list below.

#include <grpcpp/impl/codegen/byte_buffer.h>
#include <grpcpp/impl/codegen/config_protobuf.h>
#include <grpcpp/impl/codegen/serialization_traits.h>
#include <grpcpp/impl/codegen/status.h>

#define INFOBUS_LENIENT_REQUESTS(X)        \
  X(collection, PublishRequest)            \
  X(judgment, AddWatchlistEntryRequest)    \
  X(judgment, RemoveWatchlistEntryRequest) \
  X(judgment, ReloadRulesRequest)          \
  X(judgment, GetJudgmentRequest)          \
  X(judgment, ListJudgmentsRequest)        \
  X(judgment, ReviewRequest)               \
  X(judgment, SubscribeRequest)            \
  X(dispatch, SubscribeRequest)            \
  X(dispatch, AcknowledgeRequest)          \
  X(dispatch, FeedbackRequest)             \
  X(dispatch, ListDeliveriesRequest)       \
  X(dispatch, ListUnitsRequest)            \
  X(dispatch, ReloadRoutingRequest)

#define INFOBUS_DECLARE_TYPE(service, type) \
  namespace infobus::service::v1 {          \
  class type;                               \
  }
INFOBUS_LENIENT_REQUESTS(INFOBUS_DECLARE_TYPE)
#undef INFOBUS_DECLARE_TYPE

namespace infobus {
grpc::Status DeserializeLeniently(grpc::ByteBuffer* buffer, grpc::protobuf::MessageLite* message);
grpc::Status SerializeRequest(const grpc::protobuf::MessageLite& message, grpc::ByteBuffer* buffer,
                              bool* own_buffer);
}  // namespace infobus

#define INFOBUS_LENIENT_TRAITS(service, type)                                   \
  template <>                                                                   \
  class SerializationTraits<infobus::service::v1::type, void> {                 \
   public:                                                                      \
    static grpc::Status Serialize(const grpc::protobuf::MessageLite& message,   \
                                  grpc::ByteBuffer* buffer, bool* own_buffer) { \
      return infobus::SerializeRequest(message, buffer, own_buffer);            \
    }                                                                           \
    static grpc::Status Deserialize(grpc::ByteBuffer* buffer,                   \
                                    grpc::protobuf::MessageLite* message) {     \
      return infobus::DeserializeLeniently(buffer, message);                    \
    }                                                                           \
  };
namespace grpc {
INFOBUS_LENIENT_REQUESTS(INFOBUS_LENIENT_TRAITS)
}  // namespace grpc
#undef INFOBUS_LENIENT_TRAITS
