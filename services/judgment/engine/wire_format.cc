#include "services/judgment/engine/wire_format.h"

namespace infobus::judgment::wire {

using infobus::common::v1::Classification;
using infobus::common::v1::Evidence;

bool DecodeEvidence(std::string_view bytes, Evidence& out) {
  const char* in = bytes.data();
  const char* end = in + bytes.size();
  uint32_t seen = 0;
  WireField field;
  while (in < end) {
    if (!ReadField(in, end, field) || field.number == 0 || field.number > 10) return false;
    const uint32_t bit = 1u << field.number;
    if (field.number != 10) {  // compartments repeat; every other field is singular
      if ((seen & bit) != 0) return false;
      seen |= bit;
    }
    const bool length = field.wire_type == kLength;
    switch (field.number) {
      case 1:
        if (!length) return false;
        out.set_event_id(field.bytes.data(), field.bytes.size());
        break;
      case 2:
        if (!length) return false;
        out.set_source_id(field.bytes.data(), field.bytes.size());
        break;
      case 3:
        if (!length) return false;
        out.set_trace_id(field.bytes.data(), field.bytes.size());
        break;
      case 4:
        if (!length) return false;
        out.set_kind(field.bytes.data(), field.bytes.size());
        break;
      case 5:
        if (!length) return false;
        out.set_county_code(field.bytes.data(), field.bytes.size());
        break;
      case 6:
        if (!length || !out.mutable_occurred_at()->ParseFromArray(
                           field.bytes.data(), static_cast<int>(field.bytes.size()))) {
          return false;
        }
        break;
      case 7:
        if (field.wire_type != kVarint) return false;
        out.set_classification(static_cast<Classification>(static_cast<int32_t>(field.varint)));
        break;
      case 8:
        if (!length) return false;
        out.set_jurisdiction_code(field.bytes.data(), field.bytes.size());
        break;
      case 9:
        if (!length || !out.mutable_ingested_at()->ParseFromArray(
                           field.bytes.data(), static_cast<int>(field.bytes.size()))) {
          return false;
        }
        break;
      case 10:
        if (!length) return false;
        out.add_compartments(field.bytes.data(), field.bytes.size());
        break;
    }
  }
  return true;
}

}  // namespace infobus::judgment::wire
