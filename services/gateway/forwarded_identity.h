#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::gateway {

// The browser's Authorization header as the gRPC `authorization` metadata value: unchanged (the
// gateway decides nothing; the service verifies the token). "" when there is none. A value that
// gRPC metadata cannot carry (a byte outside printable ASCII) is UNAUTHENTICATED: it cannot be
// a token. Pure.
absl::StatusOr<std::string> ForwardedAuthorization(std::string_view header);

}  // namespace infobus::gateway
