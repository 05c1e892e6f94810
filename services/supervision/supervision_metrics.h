#pragma once

#include <cstdint>
#include <string>

namespace infobus::supervision {

// Supervision's Prometheus series: the facts folded into its store, by kind (event, judgment,
// dispatch_event, dead_letter), and the dead letters it could not read. Call only for batches
// that are durable. Thread-safe.
class SupervisionMetrics {
 public:
  static SupervisionMetrics& Get();

  void Folded(const std::string& kind, int64_t count);
  void BadDeadLetters(int64_t count);
};

}  // namespace infobus::supervision
