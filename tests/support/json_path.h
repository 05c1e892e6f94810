#pragma once

#include <google/protobuf/struct.pb.h>

#include <sstream>
#include <string>

namespace infobus::testing {

// The value at a dotted path such as "figures.pipeline.events_per_s" in JSON parsed into a
// Struct, or null when any step is missing.
inline const google::protobuf::Value* FindPath(const google::protobuf::Struct& root,
                                               const std::string& path) {
  const google::protobuf::Struct* object = &root;
  const google::protobuf::Value* value = nullptr;
  std::stringstream parts(path);
  for (std::string part; std::getline(parts, part, '.');) {
    if (object == nullptr) return nullptr;
    auto it = object->fields().find(part);
    if (it == object->fields().end()) return nullptr;
    value = &it->second;
    object = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  return value;
}

}  // namespace infobus::testing
