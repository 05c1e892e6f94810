#pragma once

#include <string>

#include "absl/status/status.h"

namespace infobus::gateway {

// The HTTP status of a gRPC status code (absl::StatusCode has gRPC's numbering), per the API:
// INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE → 400; UNAUTHENTICATED → 401;
// PERMISSION_DENIED → 403; NOT_FOUND → 404; ALREADY_EXISTS, ABORTED → 409; RESOURCE_EXHAUSTED
// → 429; CANCELLED → 499; UNIMPLEMENTED → 501; UNAVAILABLE → 503; DEADLINE_EXCEEDED → 504;
// anything else → 500 (OK → 200). Pure.
int HttpStatusFor(absl::StatusCode code);

// The error body of the API, one line of JSON: {"code":"PERMISSION_DENIED","message":"…"}.
// A message that is not valid UTF-8 has its bad bytes replaced.
std::string ErrorBody(const absl::Status& status);

}  // namespace infobus::gateway
