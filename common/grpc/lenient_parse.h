#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace google::protobuf {
class Message;
}

namespace infobus {

// Parses `bytes` into `message` like ParseFromString, except that a proto3 `string` field
// holding invalid UTF-8 does not fail the parse: the bytes are kept as they came, for the
// caller to reject with a field-level error (FindInvalidUtf8). protobuf refuses such input
// outright, and gRPC then answers UNIMPLEMENTED with no message, so input from outside is parsed
// this way (lenient_requests.h). False only when `bytes` are not the message at all.
// Thread-safe.
bool ParseLeniently(std::string_view bytes, google::protobuf::Message* message);

// The path of the first `string` field of `message` (recursively: repeated elements, map keys
// and values, nested messages) that is not valid UTF-8, e.g. `events[3].payload` or
// `events[0].attributes["room"]`, prefixed with `prefix` and a dot; nullopt when all are valid.
std::optional<std::string> FindInvalidUtf8(const google::protobuf::Message& message,
                                           std::string_view prefix = "");

// OK, or INVALID_ARGUMENT "<field path>: not valid UTF-8" for the first such field of a
// request: the first check of a handler whose request was parsed leniently.
absl::Status CheckUtf8(const google::protobuf::Message& request);

}  // namespace infobus
