#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "infobus/supervision/v1/supervision_service.pb.h"

namespace infobus::supervision {

// [since, until) of a report, on whole hours (the tallies' grain).
struct Period {
  absl::Time since;
  absl::Time until;
};

// The period a ReportRequest asks for: `period` ("2026-11": a month, "2026-11-03": a day,
// "2026-W45": an ISO week, each in local time `zone`), or [since, until) rounded down to the
// hour; one of the two. At most 400 days. INVALID_ARGUMENT naming the field otherwise. Pure.
absl::StatusOr<Period> PeriodOf(const infobus::supervision::v1::ReportRequest& request,
                                absl::TimeZone zone);

}  // namespace infobus::supervision
