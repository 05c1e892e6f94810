#include "common/codec/invariant.h"

#include <cstdint>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/domain/utf8.h"

namespace infobus::codec {

absl::Status Invalid(const google::protobuf::Descriptor& type, absl::string_view field,
                     absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(type.full_name(), ".", field, ": ", why));
}

std::string Quote(absl::string_view text) {
  const absl::string_view shown = text.substr(0, 200);
  std::string out = domain::IsValidUtf8(std::string_view(shown.data(), shown.size()))
                        ? std::string(shown)
                        : absl::CHexEscape(shown);
  if (shown.size() < text.size()) out += "...";
  return out;
}

absl::Status CheckPresent(const google::protobuf::Descriptor& type, absl::string_view field,
                          absl::string_view value) {
  return value.empty() ? Invalid(type, field, "is empty") : absl::OkStatus();
}

absl::Status CheckEnum(const google::protobuf::Descriptor& type, absl::string_view field,
                       const google::protobuf::EnumDescriptor& enum_type, int value, bool valid,
                       bool allow_unspecified) {
  if (!valid) {
    return Invalid(type, field, absl::StrCat(value, " is not a known ", enum_type.full_name()));
  }
  if (value == 0 && !allow_unspecified) return Invalid(type, field, "is unspecified");
  return absl::OkStatus();
}

absl::Status CheckTimestamp(const google::protobuf::Descriptor& type, absl::string_view field,
                            bool present, const google::protobuf::Timestamp& time) {
  if (!present) return Invalid(type, field, "is missing");
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1000000000 - 1;
  if (time.seconds() <= 0 || time.seconds() > kMaxSeconds) {
    return Invalid(type, field,
                   absl::StrCat(time.seconds(), " s since the epoch is out of range (1970-2262)"));
  }
  if (time.nanos() < 0 || time.nanos() > 999999999) {
    return Invalid(type, field, absl::StrCat("nanos ", time.nanos(), " out of range"));
  }
  return absl::OkStatus();
}

}  // namespace infobus::codec
