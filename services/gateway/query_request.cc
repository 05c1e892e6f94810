#include "services/gateway/query_request.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace infobus::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

const FieldDescriptor* FieldNamed(const Descriptor& type, std::string_view name) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->name() == name || field->json_name() == name) return field;
  }
  return nullptr;
}

absl::Status Bad(const std::string& key, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("query parameter '", key, "': ", why));
}

bool ParseBool(std::string_view value, bool* out) {
  if (value == "true" || value == "1") {
    *out = true;
  } else if (value == "false" || value == "0") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

// Sets (or adds, for a repeated field) one scalar, enum or well-known message value.
absl::Status SetValue(const std::string& key, const FieldDescriptor& field,
                      const std::string& value, Message* message) {
  const Reflection& reflection = *message->GetReflection();
  const bool repeated = field.is_repeated();
  const absl::string_view text(value);
  const std::string type_error =
      absl::StrCat("'", value, "' is not a ", field.type_name(), " (", field.full_name(), ")");
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return Bad(key, type_error);
      repeated ? reflection.AddInt32(message, &field, v) : reflection.SetInt32(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return Bad(key, type_error);
      repeated ? reflection.AddInt64(message, &field, v) : reflection.SetInt64(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (value.empty() || value[0] == '-' || !absl::SimpleAtoi(text, &v)) {
        return Bad(key, type_error);
      }
      repeated ? reflection.AddUInt32(message, &field, v)
               : reflection.SetUInt32(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (value.empty() || value[0] == '-' || !absl::SimpleAtoi(text, &v)) {
        return Bad(key, type_error);
      }
      repeated ? reflection.AddUInt64(message, &field, v)
               : reflection.SetUInt64(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(text, &v)) return Bad(key, type_error);
      repeated ? reflection.AddDouble(message, &field, v)
               : reflection.SetDouble(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float v;
      if (!absl::SimpleAtof(text, &v)) return Bad(key, type_error);
      repeated ? reflection.AddFloat(message, &field, v) : reflection.SetFloat(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!ParseBool(value, &v)) return Bad(key, type_error);
      repeated ? reflection.AddBool(message, &field, v) : reflection.SetBool(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* named =
          field.enum_type()->FindValueByName(value);
      int number = 0;
      if (named != nullptr) {
        number = named->number();
      } else if (!absl::SimpleAtoi(text, &number) ||
                 field.enum_type()->FindValueByNumber(number) == nullptr) {
        return Bad(
            key, absl::StrCat("'", value, "' is not a value of ", field.enum_type()->full_name()));
      }
      repeated ? reflection.AddEnumValue(message, &field, number)
               : reflection.SetEnumValue(message, &field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v = value;
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(text, &v) && !absl::WebSafeBase64Unescape(text, &v)) {
          return Bad(key, absl::StrCat("'", value, "' is not base64 (", field.full_name(), ")"));
        }
      }
      repeated ? reflection.AddString(message, &field, std::move(v))
               : reflection.SetString(message, &field, std::move(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      // A well-known type with a JSON string form (Timestamp, Duration, FieldMask, wrappers).
      Message* target = repeated ? reflection.AddMessage(message, &field)
                                 : reflection.MutableMessage(message, &field);
      const std::string json = absl::StrCat("\"", absl::CHexEscape(value), "\"");
      const auto parsed = google::protobuf::util::JsonStringToMessage(json, target);
      if (!parsed.ok()) {
        return Bad(key, absl::StrCat("'", value, "' is not a ", field.message_type()->full_name(),
                                     ": ", std::string(parsed.message())));
      }
      return absl::OkStatus();
    }
  }
  return Bad(key, "unsupported field type");
}

}  // namespace

absl::Status SetFieldsFromQuery(const std::multimap<std::string, std::string>& params,
                                Message* message) {
  // A singular field is set once: keyed by the message it is in, as two paths may share a type.
  std::set<std::pair<const Message*, const FieldDescriptor*>> set_singular;
  for (const auto& [key, value] : params) {
    Message* target = message;
    const std::vector<std::string> path = absl::StrSplit(key, '.');
    for (size_t i = 0; i < path.size(); ++i) {
      const Descriptor& type = *target->GetDescriptor();
      const FieldDescriptor* field = FieldNamed(type, path[i]);
      if (field == nullptr) {
        return Bad(key, absl::StrCat("no field '", path[i], "' in ", type.full_name()));
      }
      if (field->is_map()) return Bad(key, "map fields cannot be set from a query");
      const bool last = i + 1 == path.size();
      if (!last) {
        if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
          return Bad(key, absl::StrCat("'", path[i], "' is not a singular message field"));
        }
        target = target->GetReflection()->MutableMessage(target, field);
        continue;
      }
      if (!field->is_repeated() && !set_singular.insert({target, field}).second) {
        return Bad(key, "given more than once for a field that is not repeated");
      }
      if (absl::Status set = SetValue(key, *field, value, target); !set.ok()) return set;
    }
  }
  return absl::OkStatus();
}

}  // namespace infobus::gateway
