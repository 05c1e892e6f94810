#include "services/judgment/engine/movement_rule.h"

#include <algorithm>
#include <string_view>

#include "absl/container/inlined_vector.h"

namespace infobus::judgment::engine {

bool MovementCouldMatch(const Rule& rule, const Sighting* begin, const Sighting* end) {
  absl::InlinedVector<std::string_view, 8> counties;
  for (const Sighting* it = begin;
       it != end && static_cast<int>(counties.size()) < rule.min_counties; ++it) {
    const std::string_view county = it->evidence->county_code;
    if (std::find(counties.begin(), counties.end(), county) == counties.end()) {
      counties.push_back(county);
    }
  }
  return static_cast<int>(counties.size()) >= rule.min_counties;
}

std::vector<const Sighting*> MovementMatch(const Rule& rule, const std::vector<Sighting>& sightings,
                                           size_t start, int64_t end_ns) {
  std::vector<const Sighting*> per_county;
  for (size_t j = start; j < sightings.size() && sightings[j].time_ns <= end_ns; ++j) {
    const Sighting& sighting = sightings[j];
    bool seen = false;
    for (const Sighting* chosen : per_county) {
      if (chosen->evidence->county_code == sighting.evidence->county_code) seen = true;
    }
    if (!seen) per_county.push_back(&sighting);
    if (static_cast<int>(per_county.size()) >= rule.min_counties) break;
  }
  if (static_cast<int>(per_county.size()) < rule.min_counties) per_county.clear();
  return per_county;
}

}  // namespace infobus::judgment::engine
