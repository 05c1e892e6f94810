#pragma once

// Movement rules: a subject seen in `min_counties` or more counties within `within`. The search
// over a subject's sightings is pattern_rules.cc's; this is what makes a span of them a match.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/state.h"

namespace infobus::judgment::engine {

// Whether [begin, end) holds `rule.min_counties` counties: no span within it matches otherwise.
bool MovementCouldMatch(const Rule& rule, const Sighting* begin, const Sighting* end);

// The match among the sightings from `sightings[start]` up to `end_ns`: the first sighting of
// each county, in time order, once there are `rule.min_counties`; empty when there are fewer.
std::vector<const Sighting*> MovementMatch(const Rule& rule, const std::vector<Sighting>& sightings,
                                           size_t start, int64_t end_ns);

}  // namespace infobus::judgment::engine
