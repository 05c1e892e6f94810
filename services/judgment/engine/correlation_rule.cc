#include "services/judgment/engine/correlation_rule.h"

#include <algorithm>
#include <string_view>

namespace infobus::judgment::engine {

bool CorrelationCouldMatch(const Rule& rule, const Sighting* begin, const Sighting* end) {
  if (rule.sequence.size() > 16) return true;
  uint32_t kinds = 0;  // rules.cc allows at most 10 kinds
  for (const Sighting* it = begin; it != end; ++it) {
    const std::string_view kind = it->evidence->kind;
    for (size_t k = 0; k < rule.sequence.size(); ++k) {
      if (kind == rule.sequence[k]) kinds |= 1u << k;
    }
  }
  return kinds == (1u << rule.sequence.size()) - 1;
}

std::vector<const Sighting*> CorrelationMatch(const Rule& rule,
                                              const std::vector<Sighting>& sightings, size_t start,
                                              int64_t end_ns) {
  const size_t n = sightings.size();
  if (rule.ordered) {
    std::vector<const Sighting*> sequence;
    for (size_t j = start;
         j < n && sightings[j].time_ns <= end_ns && sequence.size() < rule.sequence.size(); ++j) {
      const Sighting& sighting = sightings[j];
      if (sighting.evidence->kind != rule.sequence[sequence.size()]) continue;
      if (!sequence.empty() && sighting.time_ns <= sequence.back()->time_ns) continue;
      sequence.push_back(&sighting);
    }
    if (sequence.size() != rule.sequence.size()) sequence.clear();
    return sequence;
  }
  std::vector<const Sighting*> per_kind(rule.sequence.size(), nullptr);
  size_t have = 0;
  for (size_t j = start; j < n && sightings[j].time_ns <= end_ns && have < per_kind.size(); ++j) {
    const Sighting& sighting = sightings[j];
    for (size_t k = 0; k < rule.sequence.size(); ++k) {
      if (per_kind[k] == nullptr && sighting.evidence->kind == rule.sequence[k]) {
        per_kind[k] = &sighting;
        ++have;
      }
    }
  }
  if (have != per_kind.size()) return {};
  std::sort(per_kind.begin(), per_kind.end(),
            [](const Sighting* a, const Sighting* b) { return a->time_ns < b->time_ns; });
  return per_kind;
}

}  // namespace infobus::judgment::engine
