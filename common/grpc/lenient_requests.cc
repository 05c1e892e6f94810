#include "common/grpc/lenient_requests.h"

#include <google/protobuf/message.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <string>
#include <vector>

#include "common/grpc/lenient_parse.h"

namespace infobus {

grpc::Status DeserializeLeniently(grpc::ByteBuffer* buffer, grpc::protobuf::MessageLite* message) {
  if (buffer == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no payload");
  std::vector<grpc::Slice> slices;
  grpc::Status dumped = buffer->Dump(&slices);
  buffer->Clear();
  if (!dumped.ok()) return dumped;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  auto* full = dynamic_cast<google::protobuf::Message*>(message);
  const bool parsed = full != nullptr
                          ? ParseLeniently(bytes, full)
                          : message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  if (!parsed) return grpc::Status(grpc::StatusCode::INTERNAL, "cannot parse the request");
  return grpc::Status::OK;
}

grpc::Status SerializeRequest(const grpc::protobuf::MessageLite& message, grpc::ByteBuffer* buffer,
                              bool* own_buffer) {
  return grpc::GenericSerialize<grpc::ProtoBufferWriter, grpc::protobuf::MessageLite>(
      message, buffer, own_buffer);
}

}  // namespace infobus
