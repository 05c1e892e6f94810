#include "tools/bench/results_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <vector>

namespace infobus::bench {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Drops (or zeroes, in lists and maps) every non-finite double under `message`.
void ScrubNonFinite(Message* message) {
  const Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {  // maps too: their entries are messages
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          Message* item = reflection->MutableRepeatedMessage(message, field, i);
          if (field->is_map()) {
            const FieldDescriptor* value = item->GetDescriptor()->map_value();
            const Reflection* entry = item->GetReflection();
            if (value->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE &&
                !std::isfinite(entry->GetDouble(*item, value))) {
              entry->SetDouble(item, value, 0);
            }
          } else {
            ScrubNonFinite(item);
          }
        }
      } else {
        ScrubNonFinite(reflection->MutableMessage(message, field));
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          if (!std::isfinite(reflection->GetRepeatedDouble(*message, field, i))) {
            reflection->SetRepeatedDouble(message, field, i, 0);
          }
        }
      } else if (!std::isfinite(reflection->GetDouble(*message, field))) {
        reflection->ClearField(message, field);
      }
    }
  }
}

}  // namespace

absl::StatusOr<std::string> ResultsJson(v1::BenchResults results) {
  ScrubNonFinite(&results);
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(results, &json, options);
  if (!status.ok()) {
    return absl::InternalError("bench results to JSON: " + status.ToString());
  }
  if (json.empty() || json.back() != '\n') json += '\n';
  return json;
}

}  // namespace infobus::bench
