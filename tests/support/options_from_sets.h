#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/config.h"

namespace infobus::testing {

using Sets = std::vector<std::pair<std::string, std::string>>;

// What a service's `options_from` (e.g. BusOptionsFrom) makes of a Config of `schema` with only
// `sets` given, as --set gives them (no file, no environment); a bad set is Load's error.
template <typename Options>
absl::StatusOr<Options> OptionsFromSets(absl::StatusOr<Options> (*options_from)(const Config&),
                                        const ConfigSchema& schema, const Sets& sets) {
  absl::StatusOr<Config> config = Config::Load(schema, "", {}, sets);
  if (!config.ok()) return config.status();
  return options_from(*config);
}

}  // namespace infobus::testing
