#include "services/supervision/period.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/util/time.h"

namespace infobus::supervision {
namespace {

constexpr absl::Duration kLongest = absl::Hours(24 * 400);

absl::Time FloorHour(absl::Time time) {
  return absl::UnixEpoch() + absl::Floor(time - absl::UnixEpoch(), absl::Hours(1));
}

bool ParseNumber(absl::string_view text, size_t digits, int* value) {
  return text.size() == digits && absl::SimpleAtoi(text, value);
}

// "YYYY-MM", "YYYY-MM-DD" or "YYYY-Www" as [since, until) in `zone`.
absl::StatusOr<Period> NamedPeriod(const std::string& text, absl::TimeZone zone) {
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      "period: '", text, "' is not a month (2026-11), a day (2026-11-03) or a week (2026-W45)"));
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  int year = 0;
  if (parts.size() < 2 || parts.size() > 3 || !ParseNumber(parts[0], 4, &year)) return bad;
  if (parts.size() == 2 && !parts[1].empty() && parts[1][0] == 'W') {
    int week = 0;
    if (!ParseNumber(parts[1].substr(1), 2, &week) || week < 1) return bad;
    // ISO 8601: week 1 holds 4 January; weeks start on Monday.
    const absl::CivilDay january4(year, 1, 4);
    const int from_monday = (static_cast<int>(absl::GetWeekday(january4)) + 7 -
                             static_cast<int>(absl::Weekday::monday)) %
                            7;
    const absl::CivilDay monday = january4 - from_monday + (week - 1) * 7;
    const absl::CivilDay next_year_week1 =
        absl::CivilDay(year + 1, 1, 4) -
        ((static_cast<int>(absl::GetWeekday(absl::CivilDay(year + 1, 1, 4))) + 7 -
          static_cast<int>(absl::Weekday::monday)) %
         7);
    if (monday >= next_year_week1) {
      return absl::InvalidArgumentError(absl::StrCat("period: ", year, " has no week ", week));
    }
    return Period{absl::FromCivil(monday, zone), absl::FromCivil(monday + 7, zone)};
  }
  int month = 0;
  if (!ParseNumber(parts[1], 2, &month) || month < 1 || month > 12) return bad;
  if (parts.size() == 2) {
    const absl::CivilMonth first(year, month);
    return Period{absl::FromCivil(first, zone), absl::FromCivil(first + 1, zone)};
  }
  int day = 0;
  if (!ParseNumber(parts[2], 2, &day) || day < 1) return bad;
  const absl::CivilDay civil(year, month, day);
  if (civil.day() != day || civil.month() != month) {
    return absl::InvalidArgumentError(absl::StrCat("period: ", text, " is not a date"));
  }
  return Period{absl::FromCivil(civil, zone), absl::FromCivil(civil + 1, zone)};
}

}  // namespace

absl::StatusOr<Period> PeriodOf(const infobus::supervision::v1::ReportRequest& request,
                                absl::TimeZone zone) {
  const bool range = request.has_since() || request.has_until();
  if (!request.period().empty() && range) {
    return absl::InvalidArgumentError("period: give a period or since/until, not both");
  }
  Period period;
  if (!request.period().empty()) {
    auto named = NamedPeriod(request.period(), zone);
    if (!named.ok()) return named.status();
    period = *named;
  } else {
    if (!request.has_since()) return absl::InvalidArgumentError("since: is required (or period)");
    if (!request.has_until()) return absl::InvalidArgumentError("until: is required (or period)");
    period.since = FloorHour(FromProtoTimestamp(request.since()));
    period.until = FloorHour(FromProtoTimestamp(request.until()));
    if (period.until <= period.since) {
      return absl::InvalidArgumentError("until: must be at least an hour after since");
    }
  }
  // Zones with a half-hour offset would split hours; the routing file's are whole hours, and a
  // named period then starts on one.
  period.since = FloorHour(period.since);
  period.until = FloorHour(period.until);
  if (period.until - period.since > kLongest) {
    return absl::InvalidArgumentError("until: at most 400 days after since");
  }
  return period;
}

}  // namespace infobus::supervision
