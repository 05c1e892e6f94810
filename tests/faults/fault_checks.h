#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "infobus/common/v1/delivery.pb.h"
#include "tests/faults/fault_plan.h"

namespace infobus::faults {

// What the units' streams must hold after a fault run, and how far they do. Pure.
struct DeliveryFigures {
  int64_t expected = 0;        // deliveries expected: one per event, hotspot and due escalation
  int64_t received = 0;        // deliveries received, in all units
  int64_t lost = 0;            // expected but never received
  int64_t dup_deliveries = 0;  // a judgment received again in the same unit's stream
  int64_t seq_gaps = 0;        // a unit's delivery whose seq is not the previous one's + 1
  int64_t unexpected = 0;      // received though not expected (wrong unit, an undue escalation)
  int hotspots = 0;            // clusters
  int hotspots_fired = 0;      // clusters expected to fire (distinct events ≥ threshold)
  int hotspots_exact = 0;      // clusters with exactly the judgment they should have, if any
  int64_t escalations_expected = 0;
  int64_t escalations = 0;            // expected escalations received (once or more)
  int64_t early_escalations = 0;      // delivered at or before the deadline they escalate
  int64_t signed_in_time = 0;         // sign-offs stamped at or before their delivery's deadline
  std::vector<std::string> problems;  // the first few findings, in words

  bool ok() const {
    return lost == 0 && dup_deliveries == 0 && seq_gaps == 0 && unexpected == 0 &&
           hotspots_exact == hotspots && escalations == escalations_expected &&
           early_escalations == 0;
  }
};

// (unit, seq) → when the unit's sign-off was stamped, as Acknowledge answered.
using SignOffs = std::map<std::pair<std::string, uint64_t>, absl::Time>;
// unit → the deliveries its stream brought, in arrival order.
using UnitStreams = std::map<std::string, std::vector<infobus::common::v1::Delivery>>;

// Checks the streams against the first `published` events of `plan` (and its sentinels when
// `with_sentinels`), all of them accepted by collection:
// - each event: one watchlist delivery to its place's unit;
// - each cluster of ≥ threshold distinct events: one hotspot delivery to its place's unit whose
//   evidence_count is the threshold and whose evidence is that many distinct events of the
//   cluster; a smaller cluster: none, even with a repeated record;
// - each high event not signed off by its deadline: one escalated delivery at each unit up the
//   chain (level 1, 2, ...), none earlier than the deadline it escalates; one signed off in
//   time: none;
// - in every unit's stream seqs 1, 2, 3, ... and no judgment twice.
DeliveryFigures CheckDeliveries(const FaultPlan& plan, size_t published, bool with_sentinels,
                                const UnitStreams& streams, const SignOffs& sign_offs);

}  // namespace infobus::faults
