#include "tools/infobusctl/cells.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace infobus::ctl {

std::string EnumCell(const std::string& name, int number, const std::string& prefix) {
  if (number == 0) return "";
  if (name.empty()) return absl::StrCat(number);
  std::string cell = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  return absl::AsciiStrToLower(cell);
}

std::string TimeCell(const google::protobuf::Timestamp& at, absl::TimeZone zone) {
  if (at.seconds() == 0 && at.nanos() == 0) return "";
  const absl::Time time = absl::FromUnixSeconds(at.seconds()) + absl::Nanoseconds(at.nanos());
  // "Z" for a zero offset, as RFC 3339 writes UTC; the offset otherwise.
  const bool utc = zone.At(time).offset == 0;
  return absl::FormatTime(utc ? "%Y-%m-%dT%H:%M:%E*SZ" : "%Y-%m-%dT%H:%M:%E*S%Ez", time, zone);
}

std::string DurationCell(const google::protobuf::Duration& duration) {
  return absl::FormatDuration(absl::Seconds(duration.seconds()) +
                              absl::Nanoseconds(duration.nanos()));
}

std::string SecondsCell(const google::protobuf::Duration& duration) {
  // seconds and nanos share their sign in a valid Duration.
  const bool negative = duration.seconds() < 0 || duration.nanos() < 0;
  const uint64_t seconds = static_cast<uint64_t>(std::llabs(duration.seconds()));
  const int32_t nanos = std::abs(duration.nanos());
  std::string cell = absl::StrCat(negative ? "-" : "", seconds);
  if (nanos != 0) {
    std::string fraction = absl::StrFormat("%09d", nanos);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    absl::StrAppend(&cell, ".", fraction);
  }
  return cell;
}

std::string PercentCell(double share) { return absl::StrFormat("%.1f%%", share * 100); }

std::string RatioCell(double share) {
  // The shortest of %.15g .. %.17g that reads back exactly.
  for (int precision = 15; precision <= 17; ++precision) {
    const std::string text = absl::StrFormat("%.*g", precision, share);
    double back = 0;
    if (absl::SimpleAtod(text, &back) && back == share) return text;
  }
  return absl::StrFormat("%.17g", share);
}

absl::TimeZone ZoneOfOffset(const std::string& offset) {
  if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || offset[3] != ':') {
    return absl::UTCTimeZone();
  }
  int hours = 0, minutes = 0;
  if (!absl::SimpleAtoi(offset.substr(1, 2), &hours) ||
      !absl::SimpleAtoi(offset.substr(4, 2), &minutes) || hours > 23 || minutes > 59) {
    return absl::UTCTimeZone();
  }
  const int seconds = (hours * 60 + minutes) * 60;
  return absl::FixedTimeZone(offset[0] == '-' ? -seconds : seconds);
}

}  // namespace infobus::ctl
