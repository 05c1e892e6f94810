#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::domain {

// Normalises a Chinese phone number to digits only: strips spaces, hyphens and parentheses, drops
// a +86 / 0086 / 86 country prefix in front of a mobile number, and accepts an 11-digit mobile
// (1[3-9]...) or a landline with trunk 0 (10-12 digits in all).
absl::StatusOr<std::string> NormalizePhone(std::string_view raw);

}  // namespace infobus::domain
