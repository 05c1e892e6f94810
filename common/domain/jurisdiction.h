#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace infobus::domain {

// True when `two_digits` is a GB/T 2260 province-level code (11-15, 21-23, 31-37, 41-46, 50-54,
// 61-65, 71, 81, 82). Shared with the identity-number check.
bool IsProvinceCode(std::string_view two_digits);

// OK when `code` is a six-digit GB/T 2260 code naming a county (not a province or a city).
absl::Status ValidateCountyCode(std::string_view code);

// True when `code` lies in the jurisdiction `prefix` (a GB/T 2260 prefix such as "45", "4514",
// "451421", or a police-unit code extending a county code). Empty prefix covers nothing.
bool JurisdictionCovers(std::string_view prefix, std::string_view code);

}  // namespace infobus::domain
