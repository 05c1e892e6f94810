#include "common/domain/jurisdiction.h"

#include <string>

namespace infobus::domain {
namespace {

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsProvinceCode(std::string_view two_digits) {
  if (two_digits.size() != 2 || !IsAsciiDigit(two_digits[0]) || !IsAsciiDigit(two_digits[1])) {
    return false;
  }
  const int n = (two_digits[0] - '0') * 10 + (two_digits[1] - '0');
  return (n >= 11 && n <= 15) || (n >= 21 && n <= 23) || (n >= 31 && n <= 37) ||
         (n >= 41 && n <= 46) || (n >= 50 && n <= 54) || (n >= 61 && n <= 65) || n == 71 ||
         n == 81 || n == 82;
}

absl::Status ValidateCountyCode(std::string_view code) {
  if (code.size() != 6) {
    return absl::InvalidArgumentError("county code has " + std::to_string(code.size()) +
                                      " characters, expected 6 digits");
  }
  for (char c : code) {
    if (!IsAsciiDigit(c)) return absl::InvalidArgumentError("county code must be 6 digits");
  }
  if (!IsProvinceCode(code.substr(0, 2))) {
    return absl::InvalidArgumentError("province code " + std::string(code.substr(0, 2)) +
                                      " does not exist");
  }
  const std::string_view city = code.substr(2, 2);
  const std::string_view county = code.substr(4, 2);
  if (county == "00") {
    return absl::InvalidArgumentError(city == "00" ? "code names a province, not a county"
                                                   : "code names a city, not a county");
  }
  // GB/T 2260 never places a county directly under a province with city part 00; province-run
  // counties use 90.
  if (city == "00") return absl::InvalidArgumentError("city part 00 cannot hold a county");
  return absl::OkStatus();
}

absl::Status ValidateJurisdictionPrefix(std::string_view code) {
  if (code.size() > kMaxJurisdictionDigits) {
    return absl::InvalidArgumentError("jurisdiction code has " + std::to_string(code.size()) +
                                      " characters, at most " +
                                      std::to_string(kMaxJurisdictionDigits) + " digits");
  }
  for (char c : code) {
    if (!IsAsciiDigit(c)) return absl::InvalidArgumentError("jurisdiction code must be digits");
  }
  if (code.size() >= 2 && !IsProvinceCode(code.substr(0, 2))) {
    return absl::InvalidArgumentError("jurisdiction code: province code " +
                                      std::string(code.substr(0, 2)) + " does not exist");
  }
  if (code.size() >= 6) {
    if (absl::Status county = ValidateCountyCode(code.substr(0, 6)); !county.ok()) {
      return absl::InvalidArgumentError("jurisdiction code: " + std::string(county.message()));
    }
  }
  return absl::OkStatus();
}

bool JurisdictionCovers(std::string_view prefix, std::string_view code) {
  return !prefix.empty() && code.substr(0, prefix.size()) == prefix;
}

}  // namespace infobus::domain
