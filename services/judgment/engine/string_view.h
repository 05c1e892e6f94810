#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace infobus::judgment::engine {

// absl here is built without std::string_view as its string_view, so absl containers keyed by
// absl::string_view are looked up through this.
inline absl::string_view View(std::string_view value) { return {value.data(), value.size()}; }

}  // namespace infobus::judgment::engine
