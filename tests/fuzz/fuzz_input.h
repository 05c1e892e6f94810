#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/kafka/message.h"
#include "google/protobuf/stubs/logging.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus::fuzz {

// A property a fuzz target checks: on failure, says which and aborts, which libFuzzer reports
// as a crash with the input that caused it.
#define INFOBUS_FUZZ_CHECK(condition, detail)                                               \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: check failed: %s: %s\n", __FILE__, __LINE__, #condition, \
                   std::string(detail).c_str());                                            \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

// protobuf logs every string field that is not UTF-8 as it refuses it: without this, that would
// be most of a run's output and time.
inline const bool kProtobufQuiet = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

// Reads `size` bytes from `*data` (fewer at the end of the input).
inline std::string_view Take(const uint8_t** data, size_t* size, size_t count) {
  if (count > *size) count = *size;
  std::string_view out(reinterpret_cast<const char*>(*data), count);
  *data += count;
  *size -= count;
  return out;
}

// A consumed record made of fuzz input, the form the decoder targets read (and the seed
// corpus, written by corpus_maker, holds):
//   byte 0: bits 0-1 the schema header: 0 `schema`, 1 none, 2 `other_schema`, 3 the string
//           that follows (a length byte and its bytes); bit 2: a null value (a tombstone)
//   then a length byte and the key; the rest is the value.
inline kafka::Record RecordFrom(const uint8_t* data, size_t size, const std::string& schema,
                                const std::string& other_schema) {
  kafka::Record record;
  record.topic = "infobus.fuzz.v1";
  const uint8_t flags = size > 0 ? Take(&data, &size, 1)[0] : 0;
  switch (flags & 3) {
    case 0:
      record.headers.push_back({kafka::kSchemaHeader, schema});
      break;
    case 1:
      break;
    case 2:
      record.headers.push_back({kafka::kSchemaHeader, other_schema});
      break;
    case 3: {
      const size_t length = size > 0 ? static_cast<uint8_t>(Take(&data, &size, 1)[0]) : 0;
      record.headers.push_back({kafka::kSchemaHeader, std::string(Take(&data, &size, length))});
      break;
    }
  }
  const size_t key_length = size > 0 ? static_cast<uint8_t>(Take(&data, &size, 1)[0]) : 0;
  record.key = std::string(Take(&data, &size, key_length));
  record.null_value = (flags & 4) != 0;
  if (!record.null_value) record.value = std::string(Take(&data, &size, size));
  return record;
}

// Adds the source-id header collection stamps, naming the source in the record's value when it
// parses as an Event (so the decoders' check of it passes and the input reaches deeper).
inline void StampSourceId(kafka::Record* record) {
  infobus::common::v1::Event event;
  if (event.ParseFromString(record->value)) {
    record->headers.push_back({kafka::kSourceIdHeader, event.source_id()});
  }
}

// The encoding of RecordFrom for a record with the right schema header, for the seeds.
inline std::string RecordInput(std::string_view key, std::string_view value) {
  std::string out(1, '\0');
  out.push_back(static_cast<char>(key.size()));
  out.append(key);
  out.append(value);
  return out;
}

}  // namespace infobus::fuzz
