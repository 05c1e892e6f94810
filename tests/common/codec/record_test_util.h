#pragma once

#include <string>

#include "common/kafka/message.h"
#include "google/protobuf/message.h"

namespace infobus::codec {

// A consumed record holding `message`, with the schema header naming `schema`
// (empty: no header).
inline kafka::Record RecordOf(const google::protobuf::Message& message, const std::string& schema,
                              std::string key = "key") {
  kafka::Record record;
  record.topic = "infobus.test.v1";
  record.key = std::move(key);
  record.value = message.SerializeAsString();
  if (!schema.empty()) record.headers.push_back({kafka::kSchemaHeader, schema});
  return record;
}

inline kafka::Record RecordOf(const google::protobuf::Message& message) {
  return RecordOf(message, message.GetDescriptor()->full_name());
}

}  // namespace infobus::codec
