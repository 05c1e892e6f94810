#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus::domain {

// The canonical form of `subject`'s value for its type (see the per-type normalisers), so that
// a formatting variant never defeats a watchlist comparison.
absl::StatusOr<std::string> NormalizeSubjectValue(const infobus::common::v1::Subject& subject);

// "<TYPE>:<value>", e.g. "PLATE:桂F12345": the key of a subject in topics and stores.
std::string SubjectKey(const infobus::common::v1::Subject& subject);

}  // namespace infobus::domain
