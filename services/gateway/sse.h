#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

namespace infobus::gateway {

// Server-Sent Events framing (the WHATWG event stream format). Pure.

// One event: "id: <id>\n" (left out when `id` is empty), one "data: " line per line of `data`
// (JSON from MessageToJson is always one line, so one), and the blank line that ends it.
std::string SseEvent(std::string_view id, std::string_view data);

// The event that ends a stream with an error: "event: error\ndata: <error_json>\n\n".
std::string SseErrorEvent(std::string_view error_json);

// The comment sent every gateway.keep_alive while no event goes out.
inline constexpr std::string_view kSseKeepAlive = ": keep-alive\n\n";

// A streamed message's event id: its `seq` field (JudgmentRecord.seq, Delivery.seq) in
// decimal, or "" when it has no integer field of that name.
std::string EventIdOf(const google::protobuf::Message& message);

}  // namespace infobus::gateway
