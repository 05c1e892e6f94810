#include "services/gateway/resume.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace infobus::gateway {

absl::Status ApplyLastEventId(std::string_view last_event_id, google::protobuf::Message* request) {
  if (last_event_id.empty()) return absl::OkStatus();
  const absl::string_view text(last_event_id.data(), last_event_id.size());
  uint64_t seq = 0;
  if (text.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(text, &seq)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Last-Event-ID '", text, "' is not an event id of this stream (a seq)"));
  }
  const google::protobuf::FieldDescriptor* after_seq =
      request->GetDescriptor()->FindFieldByName("after_seq");
  if (after_seq == nullptr || after_seq->is_repeated() ||
      after_seq->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_UINT64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Last-Event-ID given, but ", request->GetDescriptor()->full_name(), " cannot resume"));
  }
  request->GetReflection()->SetUInt64(request, after_seq, seq);
  // Another starting point would win over after_seq (judgment's `since`, "when set"): the
  // resume point is the last event seen, whatever the query said.
  if (const google::protobuf::FieldDescriptor* since =
          request->GetDescriptor()->FindFieldByName("since");
      since != nullptr) {
    request->GetReflection()->ClearField(request, since);
  }
  return absl::OkStatus();
}

}  // namespace infobus::gateway
