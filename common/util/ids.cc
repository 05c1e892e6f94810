#include "common/util/ids.h"

#include <cstdint>
#include <random>

namespace infobus {
namespace {

std::string Hex(uint64_t high, uint64_t low) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = kDigits[(high >> (4 * i)) & 0xf];
    out[31 - i] = kDigits[(low >> (4 * i)) & 0xf];
  }
  return out;
}

// FNV-1a, 64-bit, then a murmur-style finaliser to spread the bits.
uint64_t Fnv1a(uint64_t hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

std::string NewTraceId() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return Hex(engine(), engine());
}

std::string StableId(std::initializer_list<std::string_view> parts) {
  uint64_t a = 0xcbf29ce484222325ULL;  // FNV offset basis
  uint64_t b = 0x84222325cbf29ce4ULL;  // a second, independent basis
  for (std::string_view part : parts) {
    const std::string length = std::to_string(part.size()) + ":";
    a = Fnv1a(Fnv1a(a, length), part);
    b = Fnv1a(Fnv1a(b, part), length);
  }
  return Hex(Mix(a), Mix(b ^ a));
}

uint64_t StableHash64(std::initializer_list<std::string_view> parts) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::string_view part : parts) {
    char length[8];  // little-endian, whatever the machine
    for (int i = 0; i < 8; ++i) length[i] = static_cast<char>(part.size() >> (8 * i));
    hash = Fnv1a(Fnv1a(hash, std::string_view(length, sizeof(length))), part);
  }
  return Mix(hash);
}

}  // namespace infobus
