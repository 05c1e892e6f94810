#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus::collection {

struct ValidationLimits {
  size_t max_payload_bytes = 64 * 1024;
  size_t max_subjects = 32;
  size_t max_attributes = 64;
  size_t max_attribute_bytes = 1024;
  // How far in the future occurred_at may lie (clock skew between source and us).
  absl::Duration max_future_skew = absl::Minutes(5);
};

// Why an event was rejected: the field as a path ("events[3].subjects[0].value") and a reason.
struct FieldError {
  std::string field;
  std::string reason;
};

// Checks an event as published and brings it to canonical form in place: subject values
// normalised (upper-case ids, plates without separators, 15-digit ids upgraded), location's
// jurisdiction defaulted to the county, classification defaulted to INTERNAL, compartments
// checked (domain::IsValidCompartment, at most domain::kMaxCompartments, no repeats) and sorted,
// and the stamp fields (ingested_at, trace_id) cleared for collection to set. Pure: no I/O, `now`
// is given. `field_prefix` is prepended to field paths, e.g. "events[3]".
std::optional<FieldError> ValidateAndNormalize(infobus::common::v1::Event& event,
                                               const ValidationLimits& limits, absl::Time now,
                                               const std::string& field_prefix);

}  // namespace infobus::collection
