#pragma once

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace infobus::domain {

// True when `two_digits` is a GB/T 2260 province-level code (11-15, 21-23, 31-37, 41-46, 50-54,
// 61-65, 71, 81, 82). Shared with the identity-number check.
bool IsProvinceCode(std::string_view two_digits);

// OK when `code` is a six-digit GB/T 2260 code naming a county (not a province or a city).
absl::Status ValidateCountyCode(std::string_view code);

// OK when `code` can be the jurisdiction of something that spans events: the longest prefix
// common to GB/T 2260 codes or police-unit codes extending them, as a judgment's is. ASCII
// digits, at most kMaxJurisdictionDigits; its first two a province code and its first six a
// county code, where it is that long. Empty (events of several provinces) and "4" (of 44 and 45)
// are valid; "4500x", "99" and "451400" are not.
inline constexpr size_t kMaxJurisdictionDigits = 24;
absl::Status ValidateJurisdictionPrefix(std::string_view code);

// True when `code` lies in the jurisdiction `prefix` (a GB/T 2260 prefix such as "45", "4514",
// "451421", or a police-unit code extending a county code). Empty prefix covers nothing.
bool JurisdictionCovers(std::string_view prefix, std::string_view code);

}  // namespace infobus::domain
