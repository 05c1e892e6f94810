#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/store/store.h"

namespace infobus::supervision {

// Builds the day roll-up (tally_key.h) from the hourly tallies of a store that has hourly
// tallies and no roll-up: one written before the roll-up existed. In one WriteBatch, so that a
// crash leaves no half roll-up, which the next start could not tell from a whole one. Returns
// how many daily tallies it wrote (0: nothing to do). Before the consumer starts: nothing else
// may write meanwhile.
absl::StatusOr<int64_t> BackfillDailyTallies(Store* store);

}  // namespace infobus::supervision
