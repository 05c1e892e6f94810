#pragma once

#include <google/protobuf/message.h>

#include <map>
#include <string>

#include "absl/status/status.h"

namespace infobus::gateway {

// A stream's query string onto its request message, as grpc-gateway maps it: each parameter
// names a field by path (json or proto names, dots into nested messages: "filter.minSeverity"),
// a repeated field takes every repetition in order, and the field's type says how to read the
// value: integers in decimal (64-bit ones too), bools true/false (or 1/0), enums by name (or
// number), bytes in base64, a well-known message (Timestamp, Duration) in its JSON string
// form. An unknown field, a badly typed value, a map field or a singular field given twice is
// INVALID_ARGUMENT naming the parameter. Pure; any thread.
//
// `params` is httplib's Params: a multimap, whose equal keys keep their order.
absl::Status SetFieldsFromQuery(const std::multimap<std::string, std::string>& params,
                                google::protobuf::Message* message);

}  // namespace infobus::gateway
