#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace infobus::dispatch {

// Dispatch's Prometheus series, per unit: deliveries made, escalated and signed off, the
// deliveries still waiting for sign-off, how long sign-off took, and the judgments meant for the
// unit that it was not cleared for (rerouted up, or not delivered). Call only for changes that
// are durable (committed batches, completed sign-offs). Thread-safe.
class DispatchMetrics {
 public:
  static DispatchMetrics& Get();

  void Delivered(const std::string& unit_id);
  void Escalated(const std::string& unit_id);
  // A judgment meant for `unit_id` went to a supervisor instead because the unit lacks the
  // clearance or a compartment for it / went nowhere because nobody above was cleared either.
  void ReroutedForClearance(const std::string& unit_id);
  void UndeliveredForClearance(const std::string& unit_id);
  // From collection accepting the event that completed a judgment to its delivery.
  void PipelineLatency(absl::Duration ingest_to_inbox);
  void SignedOff(const std::string& unit_id, absl::Duration after_delivery);
  // A signed-off delivery was sent back (closure by approval): waiting for sign-off again.
  void Reopened(const std::string& unit_id);
  // Exports every series of these units at 0 (values already counted stay), so dashboards
  // and alerts see a unit before its first delivery, and after a restart.
  void KnownUnits(const std::vector<std::string>& unit_ids);
  // At startup: the unsigned deliveries per unit found in the store.
  void SetPending(const std::map<std::string, int64_t>& pending_by_unit);
};

}  // namespace infobus::dispatch
