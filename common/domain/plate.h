#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::domain {

// Normalises a UTF-8 vehicle plate such as "桂f·12345" to "桂F12345": drops separators (ASCII
// space, '.', '-', U+00B7, U+2022, U+30FB, U+3000), folds full-width ASCII letters and digits,
// and upper-cases letters. Accepts a province abbreviation, a city letter A-Z, then 5
// alphanumerics, 6 (new-energy), or 4 plus one of 挂学警领港澳. The tail never uses I or O.
absl::StatusOr<std::string> NormalizePlate(std::string_view raw);

}  // namespace infobus::domain
