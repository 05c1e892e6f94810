#include "services/supervision/period.h"

#include <gtest/gtest.h>

namespace infobus::supervision {
namespace {

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

absl::Time Utc(const char* text) {
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &time, &error)) << error;
  return time;
}

absl::StatusOr<Period> Named(const std::string& text) {
  infobus::supervision::v1::ReportRequest request;
  request.set_period(text);
  return PeriodOf(request, kChina);
}

TEST(PeriodTest, AMonthADayAndAnIsoWeekInLocalTime) {
  auto month = Named("2026-11");
  ASSERT_TRUE(month.ok()) << month.status();
  EXPECT_EQ(month->since, Utc("2026-10-31T16:00:00Z"));
  EXPECT_EQ(month->until, Utc("2026-11-30T16:00:00Z"));
  auto december = Named("2026-12");
  ASSERT_TRUE(december.ok());
  EXPECT_EQ(december->until, Utc("2026-12-31T16:00:00Z"));
  auto day = Named("2026-11-03");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->since, Utc("2026-11-02T16:00:00Z"));
  EXPECT_EQ(day->until - day->since, absl::Hours(24));
  // ISO week 45 of 2026 runs Monday 2 November to Sunday 8 November.
  auto week = Named("2026-W45");
  ASSERT_TRUE(week.ok()) << week.status();
  EXPECT_EQ(week->since, Utc("2026-11-01T16:00:00Z"));
  EXPECT_EQ(week->until, Utc("2026-11-08T16:00:00Z"));
  // 2026 begins on a Thursday: its week 1 starts on Monday 29 December 2025; it has 53 weeks.
  auto first = Named("2026-W01");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->since, Utc("2025-12-28T16:00:00Z"));
  EXPECT_TRUE(Named("2026-W53").ok());
  EXPECT_FALSE(Named("2025-W53").ok());
}

TEST(PeriodTest, ARangeIsRoundedToTheHourAndBadInputNamesTheField) {
  infobus::supervision::v1::ReportRequest request;
  request.mutable_since()->set_seconds(absl::ToUnixSeconds(Utc("2026-11-01T10:30:00Z")));
  request.mutable_until()->set_seconds(absl::ToUnixSeconds(Utc("2026-11-02T10:59:00Z")));
  auto range = PeriodOf(request, kChina);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->since, Utc("2026-11-01T10:00:00Z"));
  EXPECT_EQ(range->until, Utc("2026-11-02T10:00:00Z"));

  request.set_period("2026-11");
  EXPECT_EQ(PeriodOf(request, kChina).status().message(),
            "period: give a period or since/until, not both");
  EXPECT_EQ(PeriodOf({}, kChina).status().message(), "since: is required (or period)");
  for (const char* bad : {"2026", "2026-13", "2026-11-31", "26-11", "2026-W00", "2026-Wx1",
                          "2026-11-03-01"}) {
    auto period = Named(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(period.status())) << bad;
    EXPECT_EQ(period.status().message().substr(0, 7), "period:") << bad;
  }
  infobus::supervision::v1::ReportRequest backwards;
  backwards.mutable_since()->set_seconds(7200);
  backwards.mutable_until()->set_seconds(3600);
  EXPECT_EQ(PeriodOf(backwards, kChina).status().message(),
            "until: must be at least an hour after since");
  infobus::supervision::v1::ReportRequest too_long;
  too_long.mutable_since()->set_seconds(0);
  too_long.mutable_until()->set_seconds(3600 * 24 * 401);
  EXPECT_EQ(PeriodOf(too_long, kChina).status().message(), "until: at most 400 days after since");
}

}  // namespace
}  // namespace infobus::supervision
