#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "infobus/supervision/storage/v1/supervision_state.pb.h"
#include "infobus/supervision/v1/supervision_service.pb.h"

namespace infobus::supervision {

// The chain of one judgment from its records, at `now` (for what is overdue): its state, its
// deliveries, a timeline of hops with the latency of each from the hop it follows, and what is
// still missing. `record` is null when nothing but dispatch facts of that judgment has been
// seen; `evidence` holds the evidence events supervision has, by EventKey. Pure.
infobus::supervision::v1::JudgmentTrace BuildJudgmentTrace(
    const std::string& judgment_id, const storage::v1::JudgmentRecord* record,
    const std::vector<storage::v1::DeliveryRecord>& deliveries,
    const std::map<std::string, storage::v1::EventRecord>& evidence, absl::Time now);

// Where a judgment stands (see JudgmentState in the API).
infobus::supervision::v1::JudgmentState StateOf(
    const storage::v1::JudgmentRecord* record,
    const std::vector<storage::v1::DeliveryRecord>& deliveries);

infobus::supervision::v1::CollectedEvent ToCollectedEvent(const std::string& source_id,
                                                          const std::string& event_id,
                                                          const storage::v1::EventRecord& event,
                                                          bool judged);

}  // namespace infobus::supervision
