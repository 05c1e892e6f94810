#pragma once

// The protobuf wire format, for the state records the engine writes by hand and the evidence it
// reads back without a parse: byte for byte what the generated serialisers write (fields in
// number order, proto3 defaults left out). Every field number used is below 16, so a tag is one
// byte. The engine tests compare every record with the generated serialiser's bytes, so a
// field added to the protos without being added here fails them.

#include <cstdint>
#include <cstring>
#include <string_view>

#include "infobus/common/v1/judgment.pb.h"

namespace infobus::judgment::wire {

constexpr uint8_t Tag(int field, int wire_type) {
  return static_cast<uint8_t>((field << 3) | wire_type);
}
constexpr int kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5;

inline __attribute__((always_inline)) size_t VarintSize(uint64_t value) {
  // 1 + floor(bit length / 7), as protobuf computes it.
  const int log2 = 63 - __builtin_clzll(value | 1);
  return static_cast<size_t>((log2 * 9 + 73) / 64);
}
// int32, int64 and enum values are varints of their 64-bit two's complement.
inline uint64_t Signed(int64_t value) { return static_cast<uint64_t>(value); }

inline __attribute__((always_inline)) char* PutVarint(char* out, uint64_t value) {
  if (value < 0x80) {
    *out = static_cast<char>(value);
    return out + 1;
  }
  const size_t n = VarintSize(value);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n == 9) {  // every time in nanoseconds since 1970 (after 2006)
    uint64_t word = 0x8080808080808080ull;
    for (int i = 0; i < 8; ++i) word |= ((value >> (7 * i)) & 0x7f) << (8 * i);
    std::memcpy(out, &word, sizeof(word));
    out[8] = static_cast<char>(value >> 56);
    return out + 9;
  }
#endif
  for (size_t i = 0; i + 1 < n; ++i) out[i] = static_cast<char>((value >> (7 * i)) | 0x80);
  out[n - 1] = static_cast<char>(value >> (7 * (n - 1)));
  return out + n;
}

inline size_t LengthFieldSize(size_t length) { return 1 + VarintSize(length) + length; }
inline char* PutLengthField(char* out, uint8_t tag, std::string_view bytes) {
  *out++ = static_cast<char>(tag);
  out = PutVarint(out, bytes.size());
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}
inline size_t VarintFieldSize(uint64_t value) { return value == 0 ? 0 : 1 + VarintSize(value); }
inline char* PutVarintField(char* out, uint8_t tag, uint64_t value) {
  if (value == 0) return out;
  *out++ = static_cast<char>(tag);
  return PutVarint(out, value);
}
inline size_t StringFieldSize(std::string_view value) {
  return value.empty() ? 0 : LengthFieldSize(value.size());
}
inline char* PutStringField(char* out, uint8_t tag, std::string_view value) {
  return value.empty() ? out : PutLengthField(out, tag, value);
}

inline bool ReadVarint(const char*& in, const char* end, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && in < end; shift += 7) {
    const auto byte = static_cast<uint8_t>(*in++);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return true;
  }
  return false;
}

// One field of a message: its number, wire type and, for a length-delimited one, its bytes.
struct WireField {
  uint64_t number = 0;
  int wire_type = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};
// Reads the next field; false at the end or on anything but varint, fixed and length fields.
inline bool ReadField(const char*& in, const char* end, WireField& field) {
  uint64_t tag = 0;
  if (in >= end || !ReadVarint(in, end, tag)) return false;
  field.number = tag >> 3;
  field.wire_type = static_cast<int>(tag & 7);
  switch (field.wire_type) {
    case kVarint:
      return ReadVarint(in, end, field.varint);
    case kFixed64:
      if (end - in < 8) return false;
      in += 8;
      return true;
    case kFixed32:
      if (end - in < 4) return false;
      in += 4;
      return true;
    case kLength: {
      uint64_t length = 0;
      if (!ReadVarint(in, end, length) || length > static_cast<uint64_t>(end - in)) return false;
      field.bytes = std::string_view(in, static_cast<size_t>(length));
      in += length;
      return true;
    }
    default:
      return false;
  }
}

// Evidence from its bytes as the generated parser would give it, without its UTF-8 check (so a
// judgment carries exactly what was written). False on anything unexpected (unknown fields, a
// singular field twice): then the caller parses. Compartments (10) may repeat.
bool DecodeEvidence(std::string_view bytes, infobus::common::v1::Evidence& out);

}  // namespace infobus::judgment::wire
