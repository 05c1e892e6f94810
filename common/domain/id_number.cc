#include "common/domain/id_number.h"

#include "common/domain/jurisdiction.h"

namespace infobus::domain {
namespace {

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

int ParseDigits(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// `yyyymmdd` holds 8 digits.
absl::Status ValidateBirthDate(std::string_view yyyymmdd) {
  const int year = ParseDigits(yyyymmdd.substr(0, 4));
  const int month = ParseDigits(yyyymmdd.substr(4, 2));
  const int day = ParseDigits(yyyymmdd.substr(6, 2));
  const std::string shown(yyyymmdd);
  if (year < 1900 || year > 2099) {
    return absl::InvalidArgumentError("birth year " + std::to_string(year) +
                                      " is outside 1900-2099");
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError("birth date " + shown + " has no month " +
                                      std::to_string(month));
  }
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDaysInMonth[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  if (day < 1 || day > days) {
    return absl::InvalidArgumentError("birth date " + shown + " is not a calendar date");
  }
  return absl::OkStatus();
}

// ISO 7064 MOD 11-2 over the first 17 digits.
char CheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

}  // namespace

absl::StatusOr<std::string> NormalizeIdNumber(std::string_view raw) {
  std::string id;
  id.reserve(18);
  for (char c : raw) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    id.push_back(c == 'x' ? 'X' : c);
  }
  if (id.size() != 18 && id.size() != 15) {
    return absl::InvalidArgumentError("identity number has " + std::to_string(id.size()) +
                                      " characters, expected 18 or 15");
  }
  const size_t digit_count = id.size() == 18 ? 17 : 15;
  for (size_t i = 0; i < digit_count; ++i) {
    if (!IsAsciiDigit(id[i])) {
      return absl::InvalidArgumentError("character " + std::to_string(i + 1) + " is not a digit");
    }
  }
  if (id.size() == 18 && !IsAsciiDigit(id[17]) && id[17] != 'X') {
    return absl::InvalidArgumentError("check character must be a digit or X");
  }
  if (!IsProvinceCode(std::string_view(id).substr(0, 2))) {
    return absl::InvalidArgumentError("province code " + id.substr(0, 2) + " does not exist");
  }
  if (id.size() == 15) {
    // First-generation numbers carry a two-digit year in the 1900s and no check character.
    id.insert(6, "19");
    if (absl::Status s = ValidateBirthDate(std::string_view(id).substr(6, 8)); !s.ok()) return s;
    id.push_back(CheckChar(id));
    return id;
  }
  if (absl::Status s = ValidateBirthDate(std::string_view(id).substr(6, 8)); !s.ok()) return s;
  const char expected = CheckChar(id);
  if (id[17] != expected) {
    return absl::InvalidArgumentError(std::string("check character is ") + id[17] + ", expected " +
                                      expected);
  }
  return id;
}

}  // namespace infobus::domain
