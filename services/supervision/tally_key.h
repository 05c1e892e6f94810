#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace infobus::supervision {

// What a tally counts. The character is part of the key.
enum class TallyType : char {
  kEvents = 'E',       // dims: classification, compartments, jurisdiction, county, source, kind
  kDeadLetters = 'D',  // dims: topic
  kJudgments = 'J',    // dims: classification, compartments, jurisdiction, rule, severity
  kDeliveries = 'U',   // dims: unit
  kRejected = 'R',     // dims: classification, compartments, county, source
};

// Where a tally lives in family "tallies": "<unix hour, 8 bytes big-endian><type>\x1f<dims
// joined by \x1f>", so that the tallies of a period are one range scan in time order. A report
// reads every type of each hour of its period and keeps what its scope holds. Dimensions are
// free text from the bus (ids, codes); none may hold \x1f (ids and codes never do).
struct TallyKey {
  int64_t hour = 0;  // hours since the Unix epoch (UTC)
  TallyType type = TallyType::kEvents;
  std::vector<std::string> dims;

  std::string Encode() const;
  // INVALID_ARGUMENT for bytes Encode() did not make.
  static absl::StatusOr<TallyKey> Decode(std::string_view bytes);
};

// A decoded key whose dimensions point into the encoded bytes: what a report's scan reads per
// tally, without allocating. Valid while those bytes are.
struct TallyKeyView {
  static constexpr int kMaxDims = 8;
  int64_t hour = 0;
  TallyType type = TallyType::kEvents;
  std::string_view dims[kMaxDims];
  int dim_count = 0;

  // INVALID_ARGUMENT for bytes Encode() did not make (or with more than kMaxDims dimensions).
  static absl::StatusOr<TallyKeyView> Decode(std::string_view bytes);
  // A view of `key`'s dimensions (valid while `key` is).
  static TallyKeyView Of(const TallyKey& key);
};

// The day roll-up (family "daily_tallies") holds the same tallies summed per UTC day, under the
// same keys with `hour` the day's first hour, so that a long period reads a 24th of the keys:
// whole UTC days from the roll-up, the hours at either end (a local month starts at 16:00 UTC
// in UTC+8) from the hourly tallies.
int64_t DayStartHour(int64_t hour);  // the first hour of `hour`'s UTC day
// `hourly_key` with its hour replaced by DayStartHour of it (a key Encode() made).
std::string DayKeyOf(std::string_view hourly_key);

// The hour `time` falls in (rounded down, also before 1970).
int64_t HourOf(absl::Time time);
absl::Time StartOfHour(int64_t hour);
// The first key of `hour` (for a scan).
std::string HourPrefix(int64_t hour);

}  // namespace infobus::supervision
