#include "common/domain/plate.h"

#include <string>

#include "common/domain/utf8.h"

namespace infobus::domain {
namespace {

constexpr std::u32string_view kProvinces =
    U"京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";
constexpr std::u32string_view kSuffixes = U"挂学警领港澳";

std::string Quoted(char32_t cp) {
  std::string s = "'";
  // Control characters are shown as a code point so the reason stays printable.
  if (cp < 0x20 || cp == 0x7F) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    s += "\\x";
    s.push_back(kHex[cp >> 4]);
    s.push_back(kHex[cp & 0xF]);
  } else {
    AppendUtf8(cp, &s);
  }
  return s + "'";
}

bool IsSeparator(char32_t cp) {
  return cp == U' ' || cp == U'.' || cp == U'-' || cp == 0x00B7 || cp == 0x2022 || cp == 0x30FB ||
         cp == 0x3000;
}

// Maps full-width digits/letters to ASCII and lower-case ASCII to upper-case.
char32_t Fold(char32_t cp) {
  if (cp >= 0xFF10 && cp <= 0xFF19) cp = U'0' + (cp - 0xFF10);
  if (cp >= 0xFF21 && cp <= 0xFF3A) cp = U'A' + (cp - 0xFF21);
  if (cp >= 0xFF41 && cp <= 0xFF5A) cp = U'A' + (cp - 0xFF41);
  if (cp >= U'a' && cp <= U'z') cp = cp - U'a' + U'A';
  return cp;
}

bool IsUpper(char32_t cp) { return cp >= U'A' && cp <= U'Z'; }
bool IsAlnum(char32_t cp) { return IsUpper(cp) || (cp >= U'0' && cp <= U'9'); }

}  // namespace

absl::StatusOr<std::string> NormalizePlate(std::string_view raw) {
  std::u32string decoded;
  if (!DecodeUtf8(raw, &decoded)) return absl::InvalidArgumentError("plate is not valid UTF-8");
  std::u32string plate;
  for (char32_t cp : decoded) {
    if (!IsSeparator(cp)) plate.push_back(Fold(cp));
  }
  if (plate.empty()) return absl::InvalidArgumentError("plate is empty");
  if (kProvinces.find(plate[0]) == std::u32string_view::npos) {
    return absl::InvalidArgumentError(Quoted(plate[0]) + " is not a province abbreviation");
  }
  if (plate.size() < 2 || !IsUpper(plate[1])) {
    return absl::InvalidArgumentError("second character must be a city letter A-Z");
  }
  const std::u32string_view tail = std::u32string_view(plate).substr(2);
  const bool has_suffix = !tail.empty() && kSuffixes.find(tail.back()) != std::u32string_view::npos;
  if (has_suffix && tail.size() != 5) {
    return absl::InvalidArgumentError(Quoted(tail.back()) +
                                      " plates have 4 characters before the suffix");
  }
  if (!has_suffix && tail.size() != 5 && tail.size() != 6) {
    return absl::InvalidArgumentError("plate has " + std::to_string(tail.size()) +
                                      " characters after the city letter, expected 5 or 6");
  }
  const size_t alnum_count = has_suffix ? tail.size() - 1 : tail.size();
  for (size_t i = 0; i < alnum_count; ++i) {
    if (!IsAlnum(tail[i])) {
      return absl::InvalidArgumentError(Quoted(tail[i]) + " is not a letter or digit");
    }
    if (tail[i] == U'I' || tail[i] == U'O') {
      return absl::InvalidArgumentError(Quoted(tail[i]) +
                                        " is not used on plates (confused with 1 and 0)");
    }
  }
  std::string out;
  for (char32_t cp : plate) AppendUtf8(cp, &out);
  return out;
}

}  // namespace infobus::domain
