#include "services/supervision/supervision_metrics.h"

#include "common/metrics/metrics.h"

namespace infobus::supervision {
namespace {

prometheus::Family<prometheus::Counter>& FoldedFamily() {
  static auto& family = metrics::CounterFamily(
      "infobus_supervision_facts_total",
      "Facts folded into the supervision store (committed), by kind: event, judgment, "
      "dispatch_event, dead_letter.");
  return family;
}

}  // namespace

SupervisionMetrics& SupervisionMetrics::Get() {
  static SupervisionMetrics metrics;
  return metrics;
}

void SupervisionMetrics::Folded(const std::string& kind, int64_t count) {
  FoldedFamily().Add({{"kind", kind}}).Increment(static_cast<double>(count));
}

void SupervisionMetrics::BadDeadLetters(int64_t count) {
  static auto& counter =
      metrics::CounterFamily("infobus_supervision_bad_dead_letters_total",
                             "Records of the dead-letter topic that are not a DeadLetter: "
                             "logged and skipped, not counted in reports.")
          .Add({});
  counter.Increment(static_cast<double>(count));
}

}  // namespace infobus::supervision
