#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::domain {

// Normalises a person's name: trims and collapses runs of whitespace (ASCII and U+3000) into one
// ASCII space. Rejects invalid UTF-8, other control characters, an empty result, and a result
// longer than kMaxNameBytes.
inline constexpr size_t kMaxNameBytes = 64;
absl::StatusOr<std::string> NormalizeName(std::string_view raw);

}  // namespace infobus::domain
