#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::gateway {

// protobuf's JSON mapping, with the API's options. Pure.

// A request body into `request`: lowerCamelCase or proto names, enums by name, 64-bit
// integers as strings or numbers; an unknown field is an error. An empty (or all-blank) body
// is the empty request. INVALID_ARGUMENT with the parser's message otherwise.
absl::Status RequestFromJson(std::string_view body, google::protobuf::Message* request);

// A message as one line of JSON: lowerCamelCase names, enums as names, 64-bit integers as
// strings, fields with default values omitted. INTERNAL when it cannot be printed (a string
// that is not UTF-8).
absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message);

}  // namespace infobus::gateway
