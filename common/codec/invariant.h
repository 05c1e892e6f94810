#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"

namespace infobus::codec {

// The checks the decoders share. Each error is INVALID_ARGUMENT reading
// "<message type>.<field>: <why>", e.g. "infobus.common.v1.Judgment.severity: 99 is not a
// known infobus.common.v1.Severity", which is the dead-letter reason.

absl::Status Invalid(const google::protobuf::Descriptor& type, absl::string_view field,
                     absl::string_view why);

// Record content (a header, a key) as a reason may show it: the DeadLetter's reason is a proto3
// string, which a reader cannot parse unless it is UTF-8. So: at most 200 bytes, hex-escaped
// unless valid UTF-8 (which a cut through a character is not).
std::string Quote(absl::string_view text);

// `value` must not be empty.
absl::Status CheckPresent(const google::protobuf::Descriptor& type, absl::string_view field,
                          absl::string_view value);

// `valid` is the generated X_IsValid(value): proto3 enums are open, so a parsed message keeps
// numbers its schema does not know. With `allow_unspecified` false, 0 (X_UNSPECIFIED) is
// refused too.
absl::Status CheckEnum(const google::protobuf::Descriptor& type, absl::string_view field,
                       const google::protobuf::EnumDescriptor& enum_type, int value, bool valid,
                       bool allow_unspecified);

// `present` is has_<field>(); the time must be after the Unix epoch (as collection requires of
// an event) and before 2262, so that it fits in int64 nanoseconds as the engine keeps it, with
// nanos in [0, 999999999].
absl::Status CheckTimestamp(const google::protobuf::Descriptor& type, absl::string_view field,
                            bool present, const google::protobuf::Timestamp& time);

}  // namespace infobus::codec
