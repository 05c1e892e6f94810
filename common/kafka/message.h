#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infobus::kafka {

struct Header {
  std::string key;
  std::string value;
};

// Header names every infobus message carries, so kcat and other Kafka tools can read topics.
inline constexpr char kTraceIdHeader[] = "trace-id";
inline constexpr char kSourceIdHeader[] = "source-id";
inline constexpr char kSchemaHeader[] = "schema";  // full protobuf message name of the value

struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  // Sent with a null value (and `value` ignored): on a compacted topic that deletes the key.
  // An empty value is a record like any other and is kept forever.
  bool tombstone = false;
  // The partition to write to; kAnyPartition: the partitioner's choice by key.
  static constexpr int32_t kAnyPartition = -1;
  int32_t partition = kAnyPartition;
};

// A consumed message.
struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  bool null_value = false;  // a tombstone
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;

  // The first header named `key`, or empty.
  std::string_view HeaderValue(std::string_view key) const {
    for (const Header& header : headers) {
      if (header.key == key) return header.value;
    }
    return {};
  }
};

}  // namespace infobus::kafka
