#include "services/gateway/message_json.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace infobus::gateway {

absl::Status RequestFromJson(std::string_view body, google::protobuf::Message* request) {
  request->Clear();
  const absl::string_view text(body.data(), body.size());
  if (absl::StripAsciiWhitespace(text).empty()) return absl::OkStatus();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), request, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(request->GetDescriptor()->full_name(), ": ", std::string(parsed.message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = false;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = false;
  std::string json;
  const auto printed = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ", message.GetDescriptor()->full_name(),
                                            " as JSON: ", std::string(printed.message())));
  }
  return json;
}

}  // namespace infobus::gateway
