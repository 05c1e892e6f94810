#include "services/gateway/sse.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace infobus::gateway {

std::string SseEvent(std::string_view id, std::string_view data) {
  std::string event;
  if (!id.empty()) absl::StrAppend(&event, "id: ", absl::string_view(id.data(), id.size()), "\n");
  // A CR, LF or CRLF would end a data line early: each line becomes a data line of its own,
  // which the client joins back with "\n".
  std::string normalized(data);
  absl::StrReplaceAll({{"\r\n", "\n"}, {"\r", "\n"}}, &normalized);
  for (absl::string_view line : absl::StrSplit(normalized, '\n')) {
    absl::StrAppend(&event, "data: ", line, "\n");
  }
  event += "\n";
  return event;
}

std::string SseErrorEvent(std::string_view error_json) {
  return absl::StrCat("event: error\n", SseEvent("", error_json));
}

std::string EventIdOf(const google::protobuf::Message& message) {
  const google::protobuf::FieldDescriptor* seq = message.GetDescriptor()->FindFieldByName("seq");
  if (seq == nullptr || seq->is_repeated()) return "";
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  switch (seq->cpp_type()) {
    case google::protobuf::FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(reflection.GetUInt64(message, seq));
    case google::protobuf::FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(reflection.GetInt64(message, seq));
    case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(reflection.GetUInt32(message, seq));
    case google::protobuf::FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(reflection.GetInt32(message, seq));
    default:
      return "";
  }
}

}  // namespace infobus::gateway
