#include "common/codec/record_value.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/codec/invariant.h"

namespace infobus::codec {

absl::Status CheckSchemaHeader(const kafka::Record& record, std::string_view expected,
                               bool required) {
  const std::string_view schema = record.HeaderValue(kafka::kSchemaHeader);
  if (schema.empty()) {
    if (!required) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("no schema header, expected '", std::string(expected), "'"));
  }
  if (schema != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema header is '", Quote(absl::string_view(schema.data(), schema.size())),
                     "', expected '", std::string(expected), "'"));
  }
  return absl::OkStatus();
}

absl::Status ParseRecordValue(const kafka::Record& record, google::protobuf::Message* message) {
  const std::string& expected = message->GetDescriptor()->full_name();
  if (absl::Status status = CheckSchemaHeader(record, expected, /*required=*/true); !status.ok()) {
    return status;
  }
  if (record.null_value) {
    return absl::InvalidArgumentError(absl::StrCat("value is null, expected a ", expected));
  }
  if (!message->ParseFromString(record.value)) {
    return absl::InvalidArgumentError(absl::StrCat("value is not a valid ", expected));
  }
  return absl::OkStatus();
}

}  // namespace infobus::codec
