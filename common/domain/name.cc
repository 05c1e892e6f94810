#include "common/domain/name.h"

#include "common/domain/utf8.h"

namespace infobus::domain {
namespace {

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
    const size_t len = DecodeUtf8At(raw, i, &cp);
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
