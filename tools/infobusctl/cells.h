#pragma once

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "absl/time/time.h"

namespace infobus::ctl {

// How the values of an answer read in infobusctl's tables and CSV: one spelling for both, so the
// two never disagree. Pure functions.

// An enum value by its short name: "HOP_KIND_COLLECTED" with prefix "HOP_KIND_" is "collected".
// The zero value (*_UNSPECIFIED, "not set") is empty; a number the client does not know (a
// newer server) is its number. `name` is what the generated *_Name() gives ("" when unknown).
std::string EnumCell(const std::string& name, int number, const std::string& prefix);

// RFC 3339 in `zone` ("2026-11-03T08:00:00Z" in UTC, "2026-11-03T16:00:00+08:00" at +08:00),
// fractional seconds only when there are any. Empty for an unset (zero) timestamp.
std::string TimeCell(const google::protobuf::Timestamp& at,
                     absl::TimeZone zone = absl::UTCTimeZone());

// A duration for people: "1.5s", "2m3s", "250ms" (absl::FormatDuration).
std::string DurationCell(const google::protobuf::Duration& duration);

// A duration in seconds for machines: "90", "1.5", "0.000001", "-2"; exact to the nanosecond.
std::string SecondsCell(const google::protobuf::Duration& duration);

// A share for people: 0.95 is "95.0%".
std::string PercentCell(double share);

// A share for machines: the shortest decimal that reads back as the same double ("0.95",
// "0.3333333333333333", "1").
std::string RatioCell(double share);

// The fixed zone of a UTC offset as the report gives it ("+08:00", "-05:30", "Z", "+00:00");
// UTC when it is empty or not an offset.
absl::TimeZone ZoneOfOffset(const std::string& offset);

}  // namespace infobus::ctl
