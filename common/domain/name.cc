#include "common/domain/name.h"

namespace infobus::domain {
namespace {

// Length of the strict UTF-8 sequence at s[i] and its code point, or 0 when malformed
// (truncated, overlong, surrogate or above U+10FFFF).
size_t DecodeAt(std::string_view s, size_t i, char32_t* cp) {
  const unsigned char b0 = static_cast<unsigned char>(s[i]);
  size_t len;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  } else if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    *cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    *cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    *cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) || *cp > 0x10FFFF ||
      (*cp >= 0xD800 && *cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

bool IsSpace(char32_t cp) {
  return cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\v' || cp == U'\f' || cp == U'\r' ||
         cp == 0x3000;
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

}  // namespace

absl::StatusOr<std::string> NormalizeName(std::string_view raw) {
  std::string name;
  bool pending_space = false;
  for (size_t i = 0; i < raw.size();) {
    char32_t cp;
    const size_t len = DecodeAt(raw, i, &cp);
    if (len == 0) return absl::InvalidArgumentError("name is not valid UTF-8");
    if (IsSpace(cp)) {
      pending_space = !name.empty();  // Leading whitespace is dropped.
    } else if (IsControl(cp)) {
      return absl::InvalidArgumentError("name contains a control character");
    } else {
      if (pending_space) name.push_back(' ');
      pending_space = false;
      name.append(raw.substr(i, len));
    }
    i += len;
  }
  if (name.empty()) return absl::InvalidArgumentError("name is empty");
  if (name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError("name is " + std::to_string(name.size()) +
                                      " bytes, limit is " + std::to_string(kMaxNameBytes));
  }
  return name;
}

}  // namespace infobus::domain
