#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::domain {

// Normalises a resident identity number (GB 11643) to its 18-character form: strips ASCII spaces,
// tabs and hyphens, upper-cases 'x', and upgrades valid 15-digit numbers. Fails with
// InvalidArgument and a short reason on a bad length, province, birth date or check character.
absl::StatusOr<std::string> NormalizeIdNumber(std::string_view raw);

}  // namespace infobus::domain
