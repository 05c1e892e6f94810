#pragma once

#include <google/protobuf/message.h>

#include <string_view>

#include "absl/status/status.h"

namespace infobus::gateway {

// A reconnecting client's `Last-Event-ID` onto its stream request: the request's `after_seq`
// becomes that id, overriding what the query said, so the stream resumes right after the last
// event the client saw; a `since` of the request (judgment's other starting point, which would
// win over after_seq) is cleared for the same reason. An empty header changes nothing; an id that
// is not a decimal uint64, or a request without a uint64 `after_seq`, is INVALID_ARGUMENT. Pure.
absl::Status ApplyLastEventId(std::string_view last_event_id, google::protobuf::Message* request);

}  // namespace infobus::gateway
