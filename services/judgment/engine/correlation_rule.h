#pragma once

// Correlation rules: a subject seen in every kind of `sequence` within `within`, in that order
// when `ordered`. The search over a subject's sightings is pattern_rules.cc's; this is what makes
// a span of them a match.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "services/judgment/engine/rules.h"
#include "services/judgment/engine/state.h"

namespace infobus::judgment::engine {

// Whether [begin, end) holds every kind of the sequence: no span within it matches otherwise.
// (True without looking for a sequence of more than 16 kinds.)
bool CorrelationCouldMatch(const Rule& rule, const Sighting* begin, const Sighting* end);

// The match among the sightings from `sightings[start]` up to `end_ns`, in time order: ordered,
// the first sighting of each kind in sequence order, each later than the one before; unordered,
// the first of each kind. Empty when a kind is missing.
std::vector<const Sighting*> CorrelationMatch(const Rule& rule,
                                              const std::vector<Sighting>& sightings, size_t start,
                                              int64_t end_ns);

}  // namespace infobus::judgment::engine
